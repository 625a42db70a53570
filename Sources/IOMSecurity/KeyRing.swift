import IOMDomain
import Crypto

/// A 256-bit key supplied by the host application, with the id that sealed data records.
///
/// Keys come from the host (a secrets manager, an environment variable, a key file outside the
/// data directory); IOMKit never stores them beside the data.
///
/// ```swift
/// let key = try HostKey(id: "2026-11", key: SymmetricKey(data: thirtyTwoBytes))
/// ```
public struct HostKey: Sendable {
    /// The key id (the identifier grammar: 1...128 UTF-8 bytes, printable), written in clear in front of everything it seals.
    public let id: String
    /// The AES-256 key (kept as bytes: `SymmetricKey` is not `Sendable` on every platform).
    public var key: SymmetricKey { SymmetricKey(data: bytes) }
    private let bytes: [UInt8]

    /// Checks the size (256 bits) and the id.
    public init(id: String, key: SymmetricKey) throws(SecurityError) {
        if let reason = IdentifierGrammar.problem(in: id, allowingSpaces: true) {
            throw .invalidKey("key id \"\(IdentifierGrammar.printable(id))\" \(reason) (identifiers: Protocols/README.md)")
        }
        guard key.bitCount == 256 else { throw .invalidKey("key \"\(id)\" has \(key.bitCount) bits, AES-256 needs 256") }
        self.id = id
        self.bytes = key.withUnsafeBytes { Array($0) }
    }

    /// A new random key (for tests, previews and in-memory stores).
    public static func random(id: String) -> HostKey {
        try! HostKey(id: id, key: SymmetricKey(size: .bits256))
    }
}

/// The host's keys, newest last. New data is sealed with ``current``; data sealed with an
/// older key still opens as long as that key stays in the ring (rotation: add the new key,
/// re-encrypt with ``FieldCipher/reencrypt(_:context:)`` or ``CaseKeyVault/rewrap()``, then
/// drop the old key).
///
/// ```swift
/// var ring = try KeyRing([HostKey(id: "2026-01", key: old)])
/// ring = try ring.adding(HostKey(id: "2026-11", key: new))   // new writes use "2026-11"
/// ```
public struct KeyRing: Sendable {
    private let keys: [HostKey]

    /// A ring of `keys`, the last one current.
    ///
    /// - Throws: ``SecurityError/Code/invalidKey`` for an empty ring or duplicate ids.
    public init(_ keys: [HostKey]) throws(SecurityError) {
        guard !keys.isEmpty else { throw .invalidKey("a key ring needs at least one key") }
        var seen = Set<String>()
        for k in keys where !seen.insert(k.id).inserted { throw .invalidKey("key id \"\(k.id)\" appears twice") }
        self.keys = keys
    }

    /// The key new data is sealed with.
    public var current: HostKey { keys[keys.count - 1] }
    /// Every key id, oldest first.
    public var ids: [String] { keys.map(\.id) }

    /// The key with this id.
    public func key(id: String) -> SymmetricKey? { keys.last { $0.id == id }?.key }

    /// A ring with `key` added as the new current key.
    public func adding(_ key: HostKey) throws(SecurityError) -> KeyRing { try KeyRing(keys + [key]) }

    /// A ring without the key `id` (after everything was re-encrypted).
    public func removing(id: String) throws(SecurityError) -> KeyRing { try KeyRing(keys.filter { $0.id != id }) }

    /// A ring with one random key: for in-memory stores and tests only (the data is unreadable
    /// once the ring is gone).
    public static func ephemeral() -> KeyRing { try! KeyRing([.random(id: "ephemeral")]) }
}
