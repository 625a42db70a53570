import IOMDomain
import Testing
@testable import IOMSecurity

@Suite("CTDC-style statistics with small-group suppression")
struct StatisticsTests {
    /// 12 girls 9–17, 5 men 18–20, 13 men 24–26.
    func cases() throws -> [ProtectionCase] {
        var all: [ProtectionCase] = []
        for n in 0..<12 { all.append(try makeCase(n, gender: .woman, ageBand: .age9to17)) }
        for n in 12..<17 { all.append(try makeCase(n, gender: .man, ageBand: .age18to20)) }
        for n in 17..<30 { all.append(try makeCase(n, gender: .man, ageBand: .age24to26)) }
        return all
    }

    @Test("groups smaller than k = 11 are suppressed; no published count is below k")
    func suppression() throws {
        let t = try StatisticsExport.counts(of: cases(), by: [.gender, .ageBand])
        #expect(t.k == 11)
        #expect(t.rows == [.init(values: ["man", "age24to26"], count: 13), .init(values: ["woman", "age9to17"], count: 12)])
        #expect(t.suppressedGroups == 1)
        #expect(t.suppressedCount == 5)
        #expect(t.rows.allSatisfy { $0.count >= t.k })
        #expect(t.csv == "gender,ageBand,count\nman,age24to26,13\nwoman,age9to17,12\n")
        #expect(!t.csv.contains("FICTIONAL"))
    }

    @Test("a lower k publishes more groups; one dimension; multi-valued exploitation")
    func otherGroupings() throws {
        let t = try StatisticsExport.counts(of: cases(), by: [.gender], k: 5)
        #expect(t.rows.map(\.count) == [18, 12])
        var mixed = try cases()
        mixed.append(try makeCase(99, exploitation: [.forcedLabour(.fishing), .begging]))
        let e = try StatisticsExport.counts(of: mixed, by: [.exploitationType], k: 2)
        #expect(e.rows == [.init(values: ["forcedLabour"], count: 31)])
        #expect(e.suppressedGroups == 1)  // begging: 1 case
        #expect(try StatisticsExport.counts(of: [], by: [.isMinor]).rows.isEmpty)
    }

    @Test("bad requests are refused")
    func badRequests() throws {
        #expect(throws: StatisticsError.noDimension) { try StatisticsExport.counts(of: [], by: []) }
        #expect(throws: StatisticsError.repeatedDimension) { try StatisticsExport.counts(of: [], by: [.gender, .gender]) }
        #expect(throws: StatisticsError.thresholdTooLow(1)) { try StatisticsExport.counts(of: [], by: [.gender], k: 1) }
    }
}
