import Foundation
import IOMDomain
import IOMFixtures
@testable import IOMKit
import IOMStore
import IOMWire
import Testing

@Suite("Protection cases through the facade: what an attacker gets")
struct ProtectionCaseAccessTests {
    @Test("the SQLite files (main, -wal, security database) never hold a name, birth date or document number in clear")
    func storeBytesHoldNoSecrets() async throws {
        let path = temporaryPath()
        defer { removeFiles(path) }
        let iom = try await openFileKit(path, ring: try KeyRing([.random(id: "k1")]))
        let cw = iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement)
        let sup = iom.protectionCases(as: .supervisor("sup-1"), purpose: .supervision)
        let complete = try completeAtVersionOne()
        try await sup.save(complete)  // a minor with every group filled; its caseworker is not cw-1
        for n in 0..<5 { try await cw.save(try makeCase(n)) }
        try await cw.transition(try .init("case-sec-0"), to: .assessment)
        let back = try #require(try await cw.get(try .init("case-sec-1")))
        #expect(back.identifying?.givenName?.value == "FICTIONAL Given")  // whole for its caseworker
        #expect(try await sup.get(complete.id) == complete)
        // The probe works: the same bytes unsealed hold the secrets.
        let clear = WireCodec.encode(complete)
        #expect(contains(clear, "FICTIONAL Given") && containsBytes(clear, birthDateBytes))
        func check(_ when: String) {
            for (file, bytes) in fileBytes(path) + fileBytes(path + ".security.sqlite") where !bytes.isEmpty {
                for s in secrets { #expect(!contains(bytes, s), "\(when): \(file) holds \"\(s)\"") }
                #expect(!containsBytes(bytes, birthDateBytes), "\(when): \(file) holds the birth date")
            }
            // The probe works: non-identifying text is stored in clear.
            let all = fileBytes(path).flatMap(\.1)
            #expect(contains(all, "FICTIONAL agency"), "\(when): probe")
        }
        check("open")
        try await iom.close()
        check("closed")
    }

    @Test("an analyst may read redacted copies and statistics but not write, and each refusal is audited")
    func analyst() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        try await iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).save(try makeCase(1))
        let analyst = iom.protectionCases(as: .analyst("an-1"), purpose: .statistics)
        let copy = try #require(try await analyst.get(try .init("case-sec-1")))
        #expect(copy.identifying == nil)
        #expect(copy.ownership.caseworker.value == Redactor.withheld)
        let error = await #expect(throws: IOMError.self) { try await analyst.save(try makeCase(2)) }
        #expect(error?.forbidden?.role == .analyst)
        #expect(error?.forbidden?.action == .create)
        #expect(error?.description.contains("forbidden: analyst") == true)
        let wrongPurpose = iom.protectionCases(as: .analyst("an-1"), purpose: .caseManagement)
        await #expect(throws: IOMError.self) { try await wrongPurpose.get(try .init("case-sec-1")) }
        let entries = try iom.auditEntries(as: .auditor("au-1"))
        #expect(entries.filter { $0.principal == "an-1" && $0.outcome == .forbidden }.count == 2)
        let read = try #require(entries.first { $0.principal == "an-1" && $0.outcome == .allowed })
        #expect(read.action == "read" && read.recordID == "case-sec-1" && read.purpose == "statistics")
        #expect(!read.fields.contains { $0.hasPrefix("protectionCase.identifying") })
        #expect(!read.fields.isEmpty)
    }

    @Test("a caseworker cannot read or change another caseworker's case, nor reassign their own")
    func caseworkerScope() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        let cw1 = iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement)
        let cw2 = iom.protectionCases(as: .caseworker("cw-2"), purpose: .caseManagement)
        let saved = try await cw1.save(try makeCase(1))
        let e1 = await #expect(throws: IOMError.self) { try await cw2.get(try .init("case-sec-1")) }
        #expect(e1?.forbidden?.reason.contains("outside") == true)
        await #expect(throws: IOMError.self) { try await cw2.transition(try .init("case-sec-1"), to: .assessment) }
        await #expect(throws: IOMError.self) { try await cw2.save(try makeCase(1, caseworker: "cw-1")) }
        #expect(try await cw2.list().records.isEmpty)
        #expect(try await cw1.list().records.map(\.id.rawValue) == ["case-sec-1"])
        let lead = iom.protectionCases(as: .supervisor("sup-1", team: ["cw-1", "cw-2"]), purpose: .supervision)
        let reassigned = try makeCase(1, caseworker: "cw-2")
        _ = saved
        let e2 = await #expect(throws: IOMError.self) {
            try await iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).delete(try .init("case-sec-1"))
        }
        #expect(e2?.forbidden?.action == .delete)
        try await lead.update(reassigned)  // a supervisor may reassign in the team
        #expect(try await cw2.get(try .init("case-sec-1"))?.ownership.caseworker.value == "cw-2")
        #expect(try iom.security.auditTrail.verify().isIntact)
    }

    @Test("a service provider sees only the cases referred to it and may only update service status")
    func provider() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        let cw = iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement)
        try await cw.save(try makeCase(1, referredTo: "FICTIONAL shelter"))
        try await cw.save(try makeCase(2))
        let shelter = iom.protectionCases(as: .serviceProvider("FICTIONAL shelter"), purpose: .serviceDelivery)
        #expect(try await shelter.list().records.map(\.id.rawValue) == ["case-sec-1"])
        await #expect(throws: IOMError.self) { try await shelter.get(try .init("case-sec-2")) }
        let mine = try #require(try await shelter.get(try .init("case-sec-1")))
        #expect(mine.ownership.auditTrail.isEmpty)
        let renamed = try makeCase(1, referredTo: "FICTIONAL shelter", document: "FICTIONAL-222")
        let e = await #expect(throws: IOMError.self) { try await shelter.update(renamed) }
        #expect(e?.forbidden?.field == "protectionCase.identifying.documents[].number")
        await #expect(throws: IOMError.self) { try await shelter.transition(try .init("case-sec-1"), to: .assessment) }
    }

    @Test("an auditor reads the trail; nobody else may, and nobody may save as auditor")
    func auditor() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        await #expect(throws: IOMError.self) {
            try await iom.protectionCases(as: .auditor("au-1"), purpose: .audit).save(try makeCase(1))
        }
        #expect(throws: IOMError.self) { try iom.auditEntries(as: .caseworker("cw-1")) }
        let entries = try iom.auditEntries(as: .auditor("au-1"))
        #expect(entries.map(\.outcome) == [.forbidden, .forbidden])
        #expect(entries.map(\.role) == ["auditor", "caseworker"])
    }

    @Test("consent missing: transfer refused; a caseworker's override forbidden; a supervisor's override allowed and audited")
    func consentAndOverride() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        let cw = iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement)
        try await cw.save(try makeCase(1, consent: false))
        let id = try Identifier<ProtectionCase>("case-sec-1")
        let refused = await #expect(throws: IOMError.self) {
            try await cw.transition(id, to: .transferred, transferTo: try .init("FICTIONAL agency 2"))
        }
        #expect(refused?.description.contains("consent") == true)
        let override = ConsentOverride(scope: .transfer, by: try .init("cw-1"), reason: try .init("FICTIONAL: at risk"),
                                       at: Instant(millisecondsSince1970: 1_800_000_000_000))
        let forbidden = await #expect(throws: IOMError.self) {
            try await cw.transition(id, to: .transferred, transferTo: try .init("FICTIONAL agency 2"), override: override)
        }
        #expect(forbidden?.forbidden?.field?.hasPrefix("protectionCase.consentOverrides") == true)
        let lead = iom.protectionCases(as: .supervisor("sup-1", team: ["cw-1"]), purpose: .referral)
        let supOverride = ConsentOverride(scope: .transfer, by: try .init("sup-1"), reason: try .init("FICTIONAL: at risk"),
                                          at: Instant(millisecondsSince1970: 1_800_000_000_000))
        let moved = try await lead.transition(id, to: .transferred, transferTo: try .init("FICTIONAL agency 2"), override: supOverride)
        #expect(moved.record.status == .transferred)
        #expect(moved.record.consentOverrides.map(\.by.value) == ["sup-1"])
        let trail = try iom.security.auditTrail.entries(recordID: "case-sec-1")
        #expect(trail.map(\.outcome) == [.allowed, .failed, .forbidden, .allowed])
        #expect(trail[1].detail.contains("consent"))
        #expect(trail[3].detail.contains("consent override (transfer) by sup-1"))
        #expect(trail[3].fields.contains("protectionCase.consentOverrides[].reason"))
        #expect(try iom.security.auditTrail.verify().isIntact)
    }

    @Test("deleting after the retention date crypto-shreds: journal copies unreadable, tombstone left, audited")
    func cryptoShredding() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        let cw = iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement)
        try await cw.save(try makeCase(1, retention: try .init(year: 2024, month: 1, day: 1)))
        try await cw.save(try makeCase(2))
        let id = try Identifier<ProtectionCase>("case-sec-1")
        let lead = iom.protectionCases(as: .supervisor("sup-1"), purpose: .retention)
        let early = await #expect(throws: IOMError.self) { try await lead.delete(id, now: Date(timeIntervalSince1970: 1_701_000_000)) }
        #expect(early?.forbidden?.field == "protectionCase.retentionUntil")
        let wrongPurpose = iom.protectionCases(as: .supervisor("sup-1"), purpose: .supervision)
        await #expect(throws: IOMError.self) { try await wrongPurpose.delete(id, now: Date(timeIntervalSince1970: 1_800_000_000)) }
        let sequence = try await lead.delete(id, now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(try await lead.get(id) == nil)
        #expect(try iom.security.caseKeys.isShredded("case-sec-1"))
        // Every journal copy: the creation no longer opens, the tombstone carries no identifying data.
        let sealer = CaseSealer(vault: iom.security.caseKeys)
        let journal = try await iom.store.journal(from: 1)
        let created = try #require(journal.first { $0.recordID == "case-sec-1" })
        #expect(try WireCodec.decodeChange(created.payload, openingWith: sealer).after?.typed(as: ProtectionCase.self)?.identifying == nil)
        let tombstone = try #require(journal.first { $0.sequence == sequence })
        let change = try WireCodec.decodeChange(tombstone.payload, openingWith: sealer)
        #expect(change.kind == .deleted)
        #expect(change.before?.typed(as: ProtectionCase.self)?.identifying == nil)
        for s in secrets { #expect(!contains(tombstone.payload, s)) }
        // The other case is untouched.
        #expect(try await cw.get(try .init("case-sec-2"))?.identifying?.givenName?.value == "FICTIONAL Given")
        let actions = try iom.security.auditTrail.entries(recordID: "case-sec-1")
            .filter { $0.action == "delete" || $0.action == "shred" }.map { "\($0.action):\($0.outcome.rawValue)" }
        #expect(actions == ["delete:forbidden", "delete:forbidden", "shred:allowed", "delete:allowed"])
        // Saving it again under the same id cannot resurrect readable data under the old key.
        await #expect(throws: IOMError.self) { try await cw.save(try makeCase(1)) }
    }

    @Test("host key rotation: old data opens with the new ring, rewrap lets the old key go")
    func keyRotation() async throws {
        let path = temporaryPath()
        defer { removeFiles(path) }
        let k1 = HostKey.random(id: "2026-01")
        var iom = try await openFileKit(path, ring: try KeyRing([k1]))
        try await iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).save(try makeCase(1))
        try await iom.close()
        let k2 = HostKey.random(id: "2026-11")
        iom = try await openFileKit(path, ring: try KeyRing([k1, k2]))
        let cw = iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement)
        #expect(try await cw.get(try .init("case-sec-1"))?.identifying?.familyName?.value == "FICTIONAL Family")
        try await cw.save(try makeCase(2))
        #expect(try iom.security.caseKeys.wrappingKeyIDs() == ["2026-01": 1, "2026-11": 1])
        #expect(try iom.security.caseKeys.rewrap() == 1)
        try await iom.close()
        iom = try await openFileKit(path, ring: try KeyRing([k2]))
        let again = iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement)
        #expect(try await again.get(try .init("case-sec-1"))?.identifying?.familyName?.value == "FICTIONAL Family")
        try await iom.close()
        // The wrong key opens nothing: a clear error, not garbage.
        iom = try await openFileKit(path, ring: try KeyRing([.random(id: "stranger")]))
        let e = await #expect(throws: IOMError.self) {
            try await iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).get(try .init("case-sec-1"))
        }
        #expect(e?.description.contains("2026-11") == true)
        try await iom.close()
    }

    @Test("without a key ring protection cases are refused; other records still work")
    func noKeyRing() async throws {
        let path = temporaryPath()
        defer { removeFiles(path) }
        let iom = try await IOM.open(IOMConfiguration(store: .init(location: .file(path: path))))
        let e = await #expect(throws: IOMError.self) {
            try await iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).save(try makeCase(1))
        }
        #expect(e?.description.contains("key ring") == true)
        try await iom.missions.save(Seed.moroccoMission)
        try await iom.close()
    }

    @Test("a store reopened without its key ring refuses to read cases instead of returning them incomplete")
    func reopenedWithoutKeys() async throws {
        let path = temporaryPath()
        defer { removeFiles(path) }
        var iom = try await openFileKit(path, ring: try KeyRing([.random(id: "k1")]))
        try await iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).save(try makeCase(1))
        try await iom.close()
        iom = try await IOM.open(IOMConfiguration(store: .init(location: .file(path: path))))
        await #expect(throws: IOMError.self) {
            try await iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).get(try .init("case-sec-1"))
        }
        await #expect(throws: IOMError.self) { try await iom.protectionCases(as: .supervisor("s"), purpose: .supervision).list() }
        // An analyst's copy has no identifying data in any case.
        let copy = try await iom.protectionCases(as: .analyst("an-1"), purpose: .statistics).get(try .init("case-sec-1"))
        #expect(copy?.identifying == nil && copy?.profile.ageBand == .age24to26)
        try await iom.close()
    }

    @Test("statistics: analysts only, small groups suppressed, audited")
    func statistics() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        let cw = iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement)
        for n in 0..<12 { try await cw.save(try makeCase(n, gender: .woman)) }
        for n in 12..<15 { try await cw.save(try makeCase(n, gender: .man)) }
        let table = try await iom.statistics(as: .analyst("an-1"), by: [.gender])
        #expect(table.rows == [.init(values: ["woman"], count: 12)])
        #expect(table.suppressedGroups == 1)
        await #expect(throws: IOMError.self) { try await iom.statistics(as: .caseworker("cw-1"), by: [.gender]) }
        let exports = try iom.security.auditTrail.entries().filter { $0.action == "exportStatistics" }
        #expect(exports.map(\.outcome) == [.allowed, .forbidden])
    }

    @Test("the in-process bus (internal) carries whole records; concurrent saves keep one intact audit chain")
    func busAndConcurrency() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        let changes = try iom.recordChanges(of: ProtectionCase.self, kinds: Set(IOMDomain.ChangeKind.allCases), capacity: 1024, from: .now)
        let cw = iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<16 { group.addTask { try await cw.save(try makeCase(n)) } }
            try await group.waitForAll()
        }
        var seen = 0
        for try await change in changes {
            #expect(change.after?.identifying?.givenName?.value == "FICTIONAL Given")
            seen += 1
            if seen == 16 { break }
        }
        #expect(try iom.security.auditTrail.verify() == .intact(count: 16, head: try iom.security.auditTrail.head().hash))
    }
}

@Suite("Guarded change stream")
struct ProtectionCaseChangesTests {
    @Test("each principal's stream holds only its cases, prepared for its role; opening is audited")
    func scopedAndRedacted() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        let analystStream = try iom.protectionCaseChanges(as: .analyst("an-1"), purpose: .statistics)
        let cw2Stream = try iom.protectionCaseChanges(as: .caseworker("cw-2"), purpose: .caseManagement)
        #expect(throws: IOMError.self) { try iom.protectionCaseChanges(as: .analyst("an-1"), purpose: .caseManagement) }
        try await iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).save(try makeCase(1, caseworker: "cw-1"))
        try await iom.protectionCases(as: .caseworker("cw-2"), purpose: .caseManagement).save(try makeCase(2, caseworker: "cw-2"))
        var analystSeen: [String] = []
        for try await change in analystStream {
            #expect(change.after?.identifying == nil)
            analystSeen.append(change.id.rawValue)
            if analystSeen.count == 2 { break }
        }
        #expect(analystSeen == ["case-sec-1", "case-sec-2"])
        for try await change in cw2Stream {
            #expect(change.id.rawValue == "case-sec-2")
            #expect(change.after?.identifying?.givenName?.value == "FICTIONAL Given")
            break
        }
        let subscribes = try iom.security.auditTrail.entries().filter { $0.action == "subscribe" }.map(\.outcome)
        #expect(subscribes == [.allowed, .allowed, .forbidden])
    }
}

@Suite("Journal payloads for replay")
struct JournalReplayTests {
    @Test("change(fromJournal:) opens sealed fields; Redactor then prepares it for a view")
    func replay() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        try await iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).save(try makeCase(1))
        let entry = try #require(try await iom.store.journal(from: 1).first)
        for s in secrets { #expect(!contains(entry.payload, s)) }
        let change = try iom.change(fromJournal: entry.payload)
        #expect(change.after?.typed(as: ProtectionCase.self)?.identifying?.givenName?.value == "FICTIONAL Given")
        let redacted = try #require(Redactor.redact(change, for: .redacted))
        #expect(redacted.after?.typed(as: ProtectionCase.self)?.identifying == nil)
        #expect(Redactor.redact(change, for: .public) == nil)
        #expect(throws: IOMError.self) { try iom.change(fromJournal: [0xFF, 0x01]) }
        // The full view's bytes: clear, never the sealed journal bytes; other records pass as journaled.
        let full = try iom.wirePayload(fromJournal: entry.payload)
        #expect(!WireCodec.isSealed(full))
        #expect(try WireCodec.decodeChange(full) == change)
        try await iom.missions.save(Seed.moroccoMission)
        let missionEntry = try #require(try await iom.store.journal(from: 2).first)
        #expect(try iom.wirePayload(fromJournal: missionEntry.payload) == missionEntry.payload)
    }

    @Test("the bus's encoded bytes of a protection case are the clear encoding, never the sealed journal bytes")
    func busEncodedBytes() async throws {
        let iom = try await IOM.open(.inMemory)
        defer { Task { try? await iom.close() } }
        let all = try iom.bus.subscribe(.all, capacity: 64, whenFull: .disconnect)  // internal: whole records
        try await iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).save(try makeCase(1))
        try await iom.missions.save(Seed.moroccoMission)
        var seen: [CommittedChange] = []
        for try await element in all {
            if let c = element.event { seen.append(c) }
            if seen.count == 2 { break }
        }
        let journal = try await iom.store.journal(from: 1)
        #expect(!WireCodec.isSealed(seen[0].encoded))
        #expect(WireCodec.isSealed(journal[0].payload))
        #expect(try WireCodec.decodeChange(seen[0].encoded) == seen[0].change)
        #expect(seen[1].encoded == journal[1].payload)
    }
}
