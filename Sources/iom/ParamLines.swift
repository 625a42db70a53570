/// The `name=value` lines of `Protocols/bridge.md` §5.2 (attributes and params frames), as the
/// node-save endpoint (`Protocols/node-save.md`) and the sync INFO request use them.
///
/// ```swift
/// let frame = ParamLines.encode([("code", "INVALID"), ("message", "mission.country: \"XX\"…")])
/// let params = ParamLines.decode(frame)      // ["code": "INVALID", "message": …]
/// ```
enum ParamLines {
    /// One line per pair, values percent-encoded where §5.2 requires it (`%`, controls, DEL).
    static func encode(_ pairs: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, value) in pairs {
            out += Array(name.utf8)
            out.append(UInt8(ascii: "="))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "%") || byte < 0x20 || byte == 0x7F {
                    out.append(UInt8(ascii: "%"))
                    out.append(hex(byte >> 4))
                    out.append(hex(byte & 0x0F))
                } else {
                    out.append(byte)
                }
            }
            out.append(0x0A)
        }
        return out
    }

    /// The pairs of a frame; lines without `=` are skipped, `%XX` decoded. A repeated name keeps
    /// its first value.
    static func decode(_ frame: [UInt8]) -> [String: String] {
        var result: [String: String] = [:]
        for line in frame.split(separator: 0x0A, omittingEmptySubsequences: true) {
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: line[line.startIndex..<equals], as: UTF8.self)
            var value: [UInt8] = []
            var index = line.index(after: equals)
            while index < line.endIndex {
                let byte = line[index]
                if byte == UInt8(ascii: "%"), line.distance(from: index, to: line.endIndex) >= 3,
                   let high = nibble(line[index + 1]), let low = nibble(line[index + 2]) {
                    value.append(high << 4 | low)
                    index += 3
                } else {
                    value.append(byte)
                    index += 1
                }
            }
            if result[name] == nil { result[name] = String(decoding: value, as: UTF8.self) }
        }
        return result
    }

    /// A sequence as bridge.md writes it: 20 digits, zero-padded.
    static func sequence(_ value: UInt64) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    private static func hex(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
