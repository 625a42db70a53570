import Foundation
import Crypto
import IOMDomain
import IOMFixtures
import IOMWire
import Testing
@testable import IOMSecurity

@Suite("Field encryption, rotation and crypto-shredding")
struct CryptoTests {
    let context = Array("case-1".utf8)

    @Test("AES-GCM seal/open round-trips; another context, a flipped bit or a missing key fail")
    func cipher() throws {
        let ring = try KeyRing([.random(id: "k1")])
        let cipher = FieldCipher(keyRing: ring)
        let sealed = try cipher.seal(Array("FICTIONAL Given".utf8), context: context)
        #expect(!contains(sealed, "FICTIONAL Given"))
        #expect(FieldCipher.keyID(of: sealed) == "k1")
        #expect(try cipher.open(sealed, context: context) == Array("FICTIONAL Given".utf8))
        #expect(try cipher.seal([1], context: context) != cipher.seal([1], context: context))  // fresh nonce
        #expect(throws: SecurityError.self) { try cipher.open(sealed, context: Array("case-2".utf8)) }
        var flipped = sealed
        flipped[flipped.count - 1] ^= 1
        #expect(throws: SecurityError.self) { try cipher.open(flipped, context: context) }
        #expect(throws: SecurityError.self) { try cipher.open([1, 2, 3], context: context) }
        let other = FieldCipher(keyRing: try KeyRing([.random(id: "k2")]))
        #expect(throws: SecurityError.unknownKey("k1")) { try other.open(sealed, context: context) }
    }

    @Test("key ring: 256-bit keys, unique ids, newest current")
    func keyRing() throws {
        #expect(throws: SecurityError.self) { try HostKey(id: "short", key: SymmetricKey(size: .bits128)) }
        #expect(throws: SecurityError.self) { try HostKey(id: "", key: SymmetricKey(size: .bits256)) }
        #expect(throws: SecurityError.self) { try KeyRing([]) }
        #expect(throws: SecurityError.self) { try KeyRing([.random(id: "a"), .random(id: "a")]) }
        let ring = try KeyRing([.random(id: "a"), .random(id: "b")])
        #expect(ring.current.id == "b")
        #expect(ring.ids == ["a", "b"])
    }

    @Test("rotation: new writes use the newest key, old key ids still open, re-encrypt moves data to the new key")
    func rotation() throws {
        let old = try KeyRing([.random(id: "2026-01")])
        let sealedOld = try FieldCipher(keyRing: old).seal([42], context: context)
        let rotated = try old.adding(.random(id: "2026-11"))
        let cipher = FieldCipher(keyRing: rotated)
        #expect(FieldCipher.keyID(of: try cipher.seal([7], context: context)) == "2026-11")
        #expect(try cipher.open(sealedOld, context: context) == [42])
        let moved = try cipher.reencrypt(sealedOld, context: context)
        #expect(FieldCipher.keyID(of: moved) == "2026-11")
        #expect(try cipher.reencrypt(moved, context: context) == moved)
        let retired = FieldCipher(keyRing: try rotated.removing(id: "2026-01"))
        #expect(try retired.open(moved, context: context) == [42])
        #expect(throws: SecurityError.unknownKey("2026-01")) { try retired.open(sealedOld, context: context) }
    }

    @Test("per-case data keys: rewrap after rotation, shred destroys one case only")
    func vault() throws {
        let ring = try KeyRing([.random(id: "old")])
        let store = try SecurityStore.open(.inMemory, keyRing: ring)
        let k1 = try #require(try store.caseKeys.dataKey(for: "case-1", create: true))
        _ = try store.caseKeys.dataKey(for: "case-2", create: true)
        #expect(try store.caseKeys.dataKey(for: "case-1", create: false) == k1)
        #expect(try store.caseKeys.dataKey(for: "case-3", create: false) == nil)
        #expect(try store.caseKeys.wrappingKeyIDs() == ["old": 2])
        try store.caseKeys.shred("case-1")
        try store.caseKeys.shred("case-1")  // idempotent
        #expect(try store.caseKeys.isShredded("case-1"))
        #expect(try store.caseKeys.dataKey(for: "case-1", create: true) == nil)
        #expect(try store.caseKeys.dataKey(for: "case-2", create: false) != nil)
        #expect(!(try store.caseKeys.isShredded("case-2")))
    }

    @Test("rewrap moves every data key to the newest host key")
    func rewrap() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sec-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let old = try KeyRing([.random(id: "old")])
        let first = try SecurityStore.open(.file(path: path), keyRing: old)
        let key = try #require(try first.caseKeys.dataKey(for: "case-1", create: true))
        try first.close()
        let second = try SecurityStore.open(.file(path: path), keyRing: try old.adding(.random(id: "new")))
        #expect(try second.caseKeys.rewrap() == 1)
        #expect(try second.caseKeys.rewrap() == 0)
        #expect(try second.caseKeys.wrappingKeyIDs() == ["new": 1])
        #expect(try second.caseKeys.dataKey(for: "case-1", create: false) == key)
        try second.close()
    }

    @Test("sealed store encoding: no secret in the bytes, opens back, without key or after shredding comes back redacted")
    func sealedEncoding() throws {
        let store = try SecurityStore.open(.inMemory, keyRing: .ephemeral())
        let sealer = CaseSealer(vault: store.caseKeys)
        let c = FictionalCases.complete
        let change = try Change(kind: .created, before: nil, after: c.anyRecord)
        let bytes = try WireCodec.encode(change, sealingWith: sealer)
        for s in secrets { #expect(!contains(bytes, s), "\(s)") }
        #expect(WireCodec.isSealed(bytes))
        #expect(try WireCodec.decodeChange(bytes, openingWith: sealer) == change)
        let blind = try WireCodec.decodeChange(bytes)
        #expect(blind.after?.typed(as: ProtectionCase.self)?.identifying == nil)
        // Sealed fields cannot be moved to another case (the case id is authenticated).
        var moved = bytes
        let from = Array(c.id.rawValue.utf8), to = Array("case-fictional-0003".utf8)
        for i in 0...(moved.count - from.count) where Array(moved[i..<i + from.count]) == from { moved.replaceSubrange(i..<i + from.count, with: to) }
        _ = try store.caseKeys.dataKey(for: "case-fictional-0003", create: true)
        #expect(throws: (any Error).self) { try WireCodec.decodeChange(moved, openingWith: sealer) }
        try store.caseKeys.shred(c.id.rawValue)
        let shredded = try WireCodec.decodeChange(bytes, openingWith: sealer)
        #expect(shredded.after?.typed(as: ProtectionCase.self)?.identifying == nil)
        #expect(throws: SecurityError.self) { try WireCodec.encode(change, sealingWith: sealer) }
        // Records of other types are untouched.
        let m = try Change(kind: .created, before: nil, after: FictionalCases.memberState.anyRecord)
        #expect(try WireCodec.encode(m, sealingWith: sealer) == WireCodec.encode(m))
    }

    @Test("many cases sealed from many tasks get distinct keys and all open")
    func concurrentSealing() async throws {
        let store = try SecurityStore.open(.inMemory, keyRing: .ephemeral())
        let sealer = CaseSealer(vault: store.caseKeys)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<24 {
                group.addTask {
                    let c = try makeCase(n)
                    let change = try Change(kind: .created, before: nil, after: c.anyRecord)
                    let bytes = try WireCodec.encode(change, sealingWith: sealer)
                    #expect(try WireCodec.decodeChange(bytes, openingWith: sealer) == change)
                }
            }
            try await group.waitForAll()
        }
        #expect(try store.caseKeys.wrappingKeyIDs() == ["ephemeral": 24])
    }
}

@Suite("Host key files")
struct HostKeyFileTests {
    func write(_ text: String, mode: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID()).key").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test("hex and base64 key files with mode 0600 load; both encodings give the same key")
    func loads() throws {
        let bytes = (0..<32).map { UInt8($0 * 7 % 256) }
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let p1 = try write(hex + "\n", mode: 0o600)
        let p2 = try write(Data(bytes).base64EncodedString(), mode: 0o400)
        defer { try? FileManager.default.removeItem(atPath: p1); try? FileManager.default.removeItem(atPath: p2) }
        let k1 = try HostKey.load(id: "k", path: p1)
        let k2 = try HostKey.load(id: "k", path: p2)
        let sealed = try FieldCipher(keyRing: KeyRing([k1])).seal([1, 2, 3], context: [])
        #expect(try FieldCipher(keyRing: KeyRing([k2])).open(sealed, context: []) == [1, 2, 3])
    }

    @Test("a key file readable by others, missing, or not 32 bytes is refused with its path")
    func refuses() throws {
        let hex = String(repeating: "ab", count: 32)
        let open = try write(hex, mode: 0o644)
        let short = try write("abcd", mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: open); try? FileManager.default.removeItem(atPath: short) }
        let e = #expect(throws: SecurityError.self) { try HostKey.load(id: "k", path: open) }
        #expect(e?.description.contains("chmod 600") == true)
        #expect(throws: SecurityError.self) { try HostKey.load(id: "k", path: short) }
        #expect(throws: SecurityError.self) { try HostKey.load(id: "k", path: "/nonexistent/iom.key") }
    }
}
