import Foundation
import GRDB
import IOMDomain
import Testing
@testable import IOMSecurity

@Suite("Hash-chained audit trail")
struct AuditTrailTests {
    /// A file-backed trail with `n` entries, and its path.
    func trail(_ n: Int) throws -> (SecurityStore, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID()).sqlite").path
        let store = try SecurityStore.open(.file(path: path), keyRing: .ephemeral())
        for i in 0..<n {
            try store.auditTrail.append(principal: .caseworker("cw-1"), action: .read, purpose: .caseManagement,
                                        recordID: "case-\(i)", fields: ["protectionCase.status"], outcome: .allowed)
        }
        return (store, path)
    }

    /// Opens the file as an attacker would: plain SQLite, triggers dropped.
    func tamper(_ path: String, _ sql: String) throws {
        let q = try DatabaseQueue(path: path)
        try q.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;")
            try db.execute(sql: sql)
        }
        try q.close()
    }

    @Test("entries record who, what, which record and fields, purpose and outcome, and verify")
    func appendAndVerify() throws {
        let (store, path) = try trail(3)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let e = try store.auditTrail.append(principal: .analyst("an-1"), action: .update, purpose: .statistics, recordID: "case-9",
                                            fields: ["protectionCase.identifying.givenName"], outcome: .forbidden, detail: "not allowed")
        #expect(e.sequence == 4)
        let all = try store.auditTrail.entries()
        #expect(all.count == 4)
        #expect(all[3] == e)
        #expect(all[3].previousHash == all[2].hash)
        #expect(try store.auditTrail.entries(recordID: "case-9").map(\.role) == ["analyst"])
        #expect(try store.auditTrail.verify() == .intact(count: 4, head: e.hash))
    }

    @Test("UPDATE and DELETE are refused by the database")
    func appendOnly() throws {
        let (store, path) = try trail(2)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try store.close()
        let q = try DatabaseQueue(path: path)
        #expect(throws: (any Error).self) { try q.write { try $0.execute(sql: "UPDATE audit SET principal = 'x'") } }
        #expect(throws: (any Error).self) { try q.write { try $0.execute(sql: "DELETE FROM audit") } }
        try q.close()
    }

    @Test("editing one audit row breaks verification at that entry")
    func editedRow() throws {
        let (store, path) = try trail(5)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try store.close()
        try tamper(path, "UPDATE audit SET principal = 'someone-else' WHERE sequence = 3")
        let reopened = try SecurityStore.open(.file(path: path), keyRing: .ephemeral())
        let result = try reopened.auditTrail.verify()
        #expect(result == .broken(sequence: 3, reason: "its content was edited (hash mismatch)"))
        #expect(!result.isIntact)
        try reopened.close()
    }

    @Test("a forged row with a recomputed own hash still breaks the chain at the next entry")
    func forgedRow() throws {
        let (store, path) = try trail(5)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let entries = try store.auditTrail.entries()
        try store.close()
        let e = entries[1]
        let forged = AuditEvent(sequence: e.sequence, at: e.at, principal: "someone-else", role: e.role, action: e.action,
                                recordType: e.recordType, recordID: e.recordID, fields: e.fields, purpose: e.purpose,
                                outcome: e.outcome, detail: e.detail, previousHash: e.previousHash, hash: [])
        let hash = forged.computedHash()
        try tamper(path, "UPDATE audit SET principal = 'someone-else', hash = x'\(hash.map { String(format: "%02x", $0) }.joined())' WHERE sequence = 2")
        let reopened = try SecurityStore.open(.file(path: path), keyRing: .ephemeral())
        #expect(try reopened.auditTrail.verify() == .broken(sequence: 3, reason: "does not chain to entry 2"))
        try reopened.close()
    }

    @Test("removing an entry is detected; removing the last ones is detected against a kept head")
    func removedRows() throws {
        let (store, path) = try trail(5)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let head = try store.auditTrail.head()
        #expect(head.count == 5)
        try store.close()
        try tamper(path, "DELETE FROM audit WHERE sequence = 5")
        var reopened = try SecurityStore.open(.file(path: path), keyRing: .ephemeral())
        #expect(try reopened.auditTrail.verify().isIntact)  // a chain alone cannot see a cut end…
        #expect(!(try reopened.auditTrail.verify(expectedHead: head.hash).isIntact))  // …the kept head can
        try reopened.close()
        try tamper(path, "DELETE FROM audit WHERE sequence = 2")
        reopened = try SecurityStore.open(.file(path: path), keyRing: .ephemeral())
        #expect(try reopened.auditTrail.verify() == .broken(sequence: 2, reason: "entry 2 is missing (next is 3)"))
        try reopened.close()
    }

    @Test("concurrent appends stay one unbroken chain")
    func concurrentAppends() async throws {
        let store = try SecurityStore.open(.inMemory, keyRing: .ephemeral())
        let trail = store.auditTrail
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<50 {
                group.addTask {
                    try trail.append(principal: .supervisor("sup-\(i)"), action: .read, purpose: .supervision, recordID: "case-\(i)", outcome: .allowed)
                }
            }
            try await group.waitForAll()
        }
        #expect(try trail.verify().isIntact)
        #expect(try trail.head().count == 50)
        #expect(Set(try trail.entries().map(\.principal)).count == 50)
    }
}
