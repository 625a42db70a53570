import Foundation

/// Canonical lowercase UUID text (8-4-4-4-12) without `uuidString` + `lowercased()`.
enum UUIDText {
    /// The length of the canonical form.
    static let count = 36

    /// Writes the 36 octets of `uuid`'s canonical lowercase form at `out`.
    @inline(__always)
    static func write(_ uuid: UUID, to out: UnsafeMutablePointer<UInt8>) {
        let digits: StaticString = "0123456789abcdef"
        let hex = digits.utf8Start
        withUnsafeBytes(of: uuid.uuid) { raw in
            var o = 0
            for i in 0..<16 {
                if i == 4 || i == 6 || i == 8 || i == 10 {
                    out[o] = 0x2D
                    o += 1
                }
                out[o] = hex[Int(raw[i] >> 4)]
                out[o + 1] = hex[Int(raw[i] & 0x0F)]
                o += 2
            }
        }
    }

    static func append(_ uuid: UUID, to bytes: inout [UInt8]) {
        bytes.append(writing: count) { write(uuid, to: $0) }
    }

    static func string(_ uuid: UUID) -> String {
        String(unsafeUninitializedCapacity: count) { buffer in
            write(uuid, to: buffer.baseAddress!)
            return count
        }
    }

    /// Parses 36 characters of canonical form (either case).
    static func parse(_ text: UnsafeRawBufferPointer) -> UUID? {
        guard text.count == count else { return nil }
        let t = text.baseAddress!.assumingMemoryBound(to: UInt8.self)
        guard t[8] == 0x2D, t[13] == 0x2D, t[18] == 0x2D, t[23] == 0x2D else { return nil }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        // Any octet that is not a hex digit sets bit 4 of `invalid` (its nibble is 0x10).
        var invalid: UInt8 = 0
        withUnsafeMutableBytes(of: &raw) { out in
            var i = 0
            for j in 0..<16 {
                if i == 8 || i == 13 || i == 18 || i == 23 { i += 1 }
                let high = nibble(t[i]), low = nibble(t[i + 1])
                invalid |= high | low
                out[j] = high << 4 | (low & 0x0F)
                i += 2
            }
        }
        return invalid & 0x10 == 0 ? UUID(uuid: raw) : nil
    }

    /// The value of a hex digit (either case), or 0x10 for any other octet.
    @inline(__always)
    private static func nibble(_ c: UInt8) -> UInt8 {
        let digit = c &- 0x30
        if digit < 10 { return digit }
        let letter = (c | 0x20) &- 0x61
        return letter < 6 ? letter + 10 : 0x10
    }
}
