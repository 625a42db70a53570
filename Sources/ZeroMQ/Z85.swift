import CZeroMQ

/// Z85, ZeroMQ's printable encoding of binary data (RFC 32/Z85): 4 bytes become 5 characters.
///
/// ```swift
/// let text = try Z85.encode([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])  // "HelloWorld"
/// let bytes = try Z85.decode("HelloWorld")
/// ```
package enum Z85 {
    /// Encodes `bytes`, whose count must be a multiple of 4.
    package static func encode(_ bytes: [UInt8]) throws -> String {
        guard bytes.count % 4 == 0 else {
            throw ZMQError.invalidArgument("Z85.encode", "input length \(bytes.count) is not a multiple of 4")
        }
        var text = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        guard zmq_z85_encode(&text, bytes, bytes.count) != nil else { throw ZMQError.last("zmq_z85_encode") }
        return String(decoding: text.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes Z85 `text`, whose length must be a multiple of 5 and whose characters must
    /// belong to the Z85 alphabet.
    package static func decode(_ text: String) throws -> [UInt8] {
        let count = text.utf8.count
        guard count % 5 == 0 else {
            throw ZMQError.invalidArgument("Z85.decode", "input length \(count) is not a multiple of 5")
        }
        var bytes = [UInt8](repeating: 0, count: count * 4 / 5)
        guard zmq_z85_decode(&bytes, text) != nil else {
            throw ZMQError.invalidArgument("Z85.decode", "input is not valid Z85")
        }
        return bytes
    }
}
