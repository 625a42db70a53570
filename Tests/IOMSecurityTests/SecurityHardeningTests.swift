import Crypto
import Foundation
import IOMDomain
import Testing
@testable import IOMSecurity
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Security hardening: the audit chain hashes what it stores; ids follow the grammar; private files")
struct SecurityHardeningTests {
    @Test("an entry with a NUL, a line break and a backslash reads back exactly as hashed, and the chain verifies")
    func auditHashesWhatItStores() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-nul-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try SecurityStore.open(.file(path: path), keyRing: .ephemeral())
        try store.auditTrail.append(principal: .caseworker("cw-1"), action: .read, purpose: .caseManagement, recordID: "case-1", outcome: .allowed)
        let odd = try store.auditTrail.append(principal: .caseworker("cw\u{0}x"), action: .create, purpose: .caseManagement,
                                              recordID: "case\u{0}cut", fields: ["protectionCase.status\nforged"], outcome: .failed,
                                              detail: "invalid: id\u{0}tail \\ end")
        try store.auditTrail.append(principal: .caseworker("cw-1"), action: .read, purpose: .caseManagement, recordID: "case-2", outcome: .allowed)
        try store.close()

        let reopened = try SecurityStore.open(.file(path: path), keyRing: .ephemeral())
        defer { try? reopened.close() }
        #expect(try reopened.auditTrail.verify().isIntact)
        let entries = try reopened.auditTrail.entries()
        #expect(entries.count == 3)
        #expect(entries[1] == odd, "the row reads back as the entry that was hashed")
        #expect(odd.recordID == "case\\u{0}cut")
        #expect(odd.detail == "invalid: id\\u{0}tail \\u{5C} end")
        #expect(odd.fields == ["protectionCase.status\\u{A}forged"])
        #expect(try reopened.auditTrail.entries(recordID: "case\u{0}cut").map(\.sequence) == [2])
    }

    @Test("allow-list principals and host-key ids follow the identifier grammar", arguments: ["", "cw\u{0}1", "cw\n1", " lead", String(repeating: "k", count: 129)])
    func grammarForPrincipalsAndKeys(_ id: String) {
        let key = String(repeating: "A", count: 40)
        #expect(throws: SecurityError.self) { try ClientAllowList([key: .caseworker(id)]) }
        #expect(throws: SecurityError.self) { try HostKey(id: id, key: SymmetricKey(size: .bits256)) }
    }

    @Test("principal ids and key names with single inner spaces are accepted")
    func spacedNames() throws {
        _ = try ClientAllowList([String(repeating: "A", count: 40): .serviceProvider("FICTIONAL shelter")])
        _ = try HostKey(id: "key 2026-11", key: SymmetricKey(size: .bits256))
    }

    @Test("the security database is created 0600, whatever the umask")
    func privateFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("security-mode-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try SecurityStore.open(.file(path: path), keyRing: .ephemeral())
        try store.auditTrail.append(principal: .caseworker("cw-1"), action: .read, purpose: .caseManagement, recordID: "case-1", outcome: .allowed)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600, "mode \(String(info.st_mode & 0o777, radix: 8))")
        try store.close()
    }
}
