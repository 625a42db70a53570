import Foundation

/// Canonical lowercase UUID text (8-4-4-4-12) without `uuidString` + `lowercased()`.
enum UUIDText {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func append(_ uuid: UUID, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: uuid.uuid) { raw in
            for i in 0..<16 {
                if i == 4 || i == 6 || i == 8 || i == 10 { bytes.append(0x2D) }
                bytes.append(hex[Int(raw[i] >> 4)])
                bytes.append(hex[Int(raw[i] & 0x0F)])
            }
        }
    }

    static func string(_ uuid: UUID) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        append(uuid, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses 36 characters of canonical form (either case).
    static func parse(_ text: UnsafeRawBufferPointer) -> UUID? {
        guard text.count == 36 else { return nil }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = withUnsafeMutableBytes(of: &raw) { out -> Bool in
            var j = 0
            var i = 0
            while i < 36 {
                if i == 8 || i == 13 || i == 18 || i == 23 {
                    guard text[i] == 0x2D else { return false }
                    i += 1
                    continue
                }
                guard let high = nibble(text[i]), let low = nibble(text[i + 1]) else { return false }
                out[j] = high << 4 | low
                j += 1
                i += 2
            }
            return true
        }
        return ok ? UUID(uuid: raw) : nil
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
