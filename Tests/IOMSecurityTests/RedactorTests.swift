import IOMDomain
import IOMFixtures
import IOMWire
import Testing
@testable import IOMSecurity

@Suite("Redaction per bridge view")
struct RedactorTests {
    @Test("redacted: no identifying field, names withheld, profile kept; its bytes hold no secret")
    func redactedCase() throws {
        let c = FictionalCases.complete
        let r = try #require(Redactor.redact(c, for: .redacted))
        #expect(r.identifying == nil)
        #expect(r.children?.bestInterestsAssessment?.summary == nil)
        #expect(r.children?.bestInterestsAssessment?.by.value == Redactor.withheld)
        #expect(r.children?.bestInterestsDetermination?.date.day == 1)
        #expect(r.ownership.caseworker.value == Redactor.withheld)
        #expect(r.protection?.services.allSatisfy { $0.provider.value == Redactor.withheld } == true)
        #expect(r.profile == c.profile)
        #expect(r.id == c.id && r.version == c.version && r.status == c.status)
        #expect(Redactor.isRedacted(r))
        #expect(!Redactor.isRedacted(c))
        let bytes = WireCodec.encode(r)
        for s in secrets + ["FICTIONAL caseworker B", "FICTIONAL shelter", "FICTIONAL Mother"] { #expect(!contains(bytes, s), "\(s)") }
        #expect(contains(WireCodec.encode(c), "FICTIONAL Given"))  // the probe works
    }

    @Test("full keeps everything, public withholds protection cases, other records pass")
    func views() throws {
        let c = FictionalCases.complete
        #expect(Redactor.redact(c, for: .full) == c)
        #expect(Redactor.redact(c, for: .public) == nil)
        let m = FictionalCases.memberState.anyRecord
        for view in BridgeView.allCases { #expect(Redactor.redact(m, for: view) == m) }
        let change = try Change(kind: .created, before: nil, after: m)
        #expect(Redactor.redact(change, for: .public) == change)
    }

    @Test("an update is redacted on both sides, keeping kind, id and version")
    func redactedChange() throws {
        let before = FictionalCases.complete
        let after = try before.transition(to: .serviceProvision, at: before.updatedAt, by: .init("FICTIONAL caseworker B"))
        let change = try Change(kind: .updated, before: before.anyRecord, after: after.anyRecord)
        let r = try #require(Redactor.redact(change, for: .redacted))
        #expect(r.kind == .updated && r.recordID == change.recordID && r.version == change.version)
        #expect(r.before?.typed(as: ProtectionCase.self)?.identifying == nil)
        #expect(r.after?.typed(as: ProtectionCase.self)?.identifying == nil)
        #expect(r.after?.typed(as: ProtectionCase.self)?.status == .serviceProvision)
        #expect(Redactor.redact(change, for: .public) == nil)
        #expect(Redactor.redact(change, for: .full) == change)
        let bytes = WireCodec.encode(r)
        for s in secrets { #expect(!contains(bytes, s), "\(s)") }
        let deletion = try Change(kind: .deleted, before: after.anyRecord, after: nil)
        #expect(Redactor.redact(deletion, for: .redacted)?.before?.typed(as: ProtectionCase.self)?.identifying == nil)
    }

    @Test("redaction is safe to call from many tasks at once")
    func concurrent() async throws {
        let c = FictionalCases.complete
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<32 { group.addTask { Redactor.redact(c, for: .redacted)?.identifying == nil } }
            for try await ok in group { #expect(ok) }
        }
    }
}
