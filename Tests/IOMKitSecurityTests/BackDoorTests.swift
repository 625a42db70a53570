import Foundation
import IOMDomain
import IOMFixtures
import IOMKit  // without @testable: application code sees less still (no `package` declarations)
import Testing

/// Reads changes of `Record` the way generic application code would.
func genericChanges<Record: DomainRecord>(_ iom: IOM, _: Record.Type) throws(IOMError) -> ChangeSequence<RecordChange<Record>, IOMError> {
    try iom.changes(of: Record.self)
}

/// Every public path from the facade to a protection case, tried as application code would.
///
/// Paths that no longer exist for application code (each is `package`: it does not compile outside this package;
/// the compiler says "'store' is inaccessible due to 'package' protection level"):
/// - `iom.store` (the journal and state rows), `iom.bus` (whole committed changes),
///   `iom.security` (the per-case data keys), `iom.change(fromJournal:)` and
///   `iom.wirePayload(fromJournal:)` (which open sealed fields);
/// - `iom.protectionCases` without a principal (unavailable since the guarded repository).
/// The paths that exist are refused at run time: `changes(of: ProtectionCase.self)` throws
/// `IOMError.needsPrincipal`, `changes()` leaves protection cases out.
@Suite("The facade's back door: protection cases leave only with a principal and a purpose")
struct BackDoorTests {
    @Test("changes(of: ProtectionCase.self), directly or from generic code, is refused with a typed error")
    func genericChangesRefused() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        #expect(throws: IOMError.self) { try iom.changes(of: ProtectionCase.self) }
        #expect(throws: IOMError.self) { try iom.changes(of: ProtectionCase.self, kinds: [.created], capacity: 8, from: nil) }
        let error = #expect(throws: IOMError.self) { try genericChanges(iom, ProtectionCase.self) }
        #expect(error?.code == .needsPrincipal)
        #expect(error?.recordType == .protectionCase)
        #expect(error?.description.contains("protectionCaseChanges(as:purpose:)") == true)
        // Other types still work generically.
        _ = try genericChanges(iom, Mission.self)
    }

    @Test("changes() carries every record type except protection cases")
    func allChangesWithoutCases() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        let all = try iom.changes()
        try await iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).create(try makeCase(1))
        try await iom.missions.create(Seed.moroccoMission)
        for try await change in all {
            #expect(change.change.recordType == .mission, "a protection case reached changes()")
            #expect(change.sequence == 2)
            break
        }
    }

    @Test("the guarded stream still delivers cases, checked and audited")
    func guardedStreamWorks() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        let stream = try iom.protectionCaseChanges(as: .caseworker("cw-1"), purpose: .caseManagement)
        try await iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).create(try makeCase(1))
        for try await change in stream {
            #expect(change.id.rawValue == "case-sec-1")
            break
        }
        let audit = try iom.auditEntries(as: .auditor("au-1"))
        #expect(audit.contains { $0.action == "subscribe" && $0.outcome == .allowed })
    }

    @Test("a principal whose id holds a control character acts on nothing")
    func controlCharacterPrincipal() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        let cases = iom.protectionCases(as: .caseworker("cw-1\u{0}"), purpose: .caseManagement)
        let error = await #expect(throws: IOMError.self) { try await cases.create(try makeCase(1, caseworker: "cw-1\u{0}")) }
        #expect(error?.code == .invalid)
        #expect(error?.validation?.paths == ["principal.id"])
    }
}

@Suite("A retried create makes no change of its own")
struct RetriedCreateTests {
    @Test("creating a case twice: version 1, then alreadyExists; one change published, one audit entry allowed")
    func retriedCaseCreate() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        let stream = try iom.protectionCaseChanges(as: .supervisor("sup-1"), purpose: .supervision)
        let cases = iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement)
        let first = try await cases.create(try makeCase(1))
        #expect(first.record.version == 1)
        let error = await #expect(throws: IOMError.self) { try await cases.create(try makeCase(1)) }
        #expect(error?.code == .alreadyExists)
        #expect(error?.recordID == "case-sec-1" && error?.storedVersion == 1)
        // `save` of a record at version 1 is a create too.
        await #expect(throws: IOMError.self) { try await cases.save(try makeCase(1)) }
        try await cases.create(try makeCase(2))  // a marker after the retries
        var seen: [String] = []
        for try await change in stream {
            seen.append("\(change.id.rawValue) \(change.kind)")
            if change.id.rawValue == "case-sec-2" { break }
        }
        #expect(seen == ["case-sec-1 created", "case-sec-2 created"])
        #expect(try await cases.get(try .init("case-sec-1"))?.version == 1)
    }
}
