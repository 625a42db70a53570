import CZeroMQ

/// A 32-byte CURVE key (public or secret), readable as 40 characters of Z85.
///
/// The description of a key never prints its bytes, so a secret key cannot leak into a log
/// by accident; use ``z85`` explicitly to write a key file.
///
/// ```swift
/// let server = try CurveKeyPair.generate()
/// let text = server.publicKey.z85                 // 40 printable characters
/// let again = try CurveKey(z85: text)             // == server.publicKey
/// ```
public struct CurveKey: Sendable, Hashable, CustomStringConvertible {
    /// Size of a raw key in bytes.
    public static let byteCount = 32
    /// The raw key.
    public let bytes: [UInt8]

    /// A key from its 32 raw bytes.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == Self.byteCount else {
            throw ZMQError.invalidArgument("CurveKey(bytes:)", "a CURVE key has 32 bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// A key from its 40-character Z85 text (surrounding whitespace is ignored).
    public init(z85 text: String) throws {
        let trimmed = text.trimmingWhitespace
        guard trimmed.utf8.count == 40 else {
            throw ZMQError.invalidArgument("CurveKey(z85:)", "a Z85 CURVE key has 40 characters, got \(trimmed.utf8.count)")
        }
        try self.init(bytes: Z85.decode(trimmed))
    }

    /// The key as 40 characters of Z85.
    public var z85: String {
        // 32 bytes is a multiple of 4, so encoding cannot fail.
        try! Z85.encode(bytes)
    }

    /// A short, non-secret fingerprint: the first 8 Z85 characters.
    public var fingerprint: String { String(z85.prefix(8)) }

    /// A readable form, for logs and messages.
    public var description: String { "CurveKey(\(fingerprint)…)" }
}

/// A CURVE key pair. Generate one per server and per client; give clients the server's
/// public key and give the server the allow-list of client public keys.
public struct CurveKeyPair: Sendable, Hashable {
    /// The key to share.
    public let publicKey: CurveKey
    /// The key to keep secret.
    public let secretKey: CurveKey

    /// Pairs a public and a secret key; fails if they do not belong together.
    public init(publicKey: CurveKey, secretKey: CurveKey) throws {
        guard try CurveKeyPair.publicKey(for: secretKey) == publicKey else {
            throw ZMQError.invalidArgument("CurveKeyPair", "the public key does not belong to the secret key")
        }
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Rebuilds a pair from a secret key alone.
    public init(secretKey: CurveKey) throws {
        self.secretKey = secretKey
        self.publicKey = try CurveKeyPair.publicKey(for: secretKey)
    }

    /// A new random key pair (libzmq's `zmq_curve_keypair`, backed by libsodium).
    ///
    /// - Throws: ``ZMQError`` (`ENOTSUP`) when libzmq was built without CURVE.
    public static func generate() throws -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else {
            throw ZMQError.last("zmq_curve_keypair")
        }
        let publicKey = try CurveKey(z85: String(decoding: publicText.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        let secretKey = try CurveKey(z85: String(decoding: secretText.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        return CurveKeyPair(unchecked: publicKey, secretKey)
    }

    private init(unchecked publicKey: CurveKey, _ secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    static func publicKey(for secretKey: CurveKey) throws -> CurveKey {
        var publicText = [CChar](repeating: 0, count: 41)
        let secretText = Array(secretKey.z85.utf8CString)
        guard zmq_curve_public(&publicText, secretText) == 0 else { throw ZMQError.last("zmq_curve_public") }
        return try CurveKey(z85: String(decoding: publicText.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
