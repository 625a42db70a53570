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
        out.reserveCapacity(pairs.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 2 })
        for (name, value) in pairs { append(name, value, to: &out) }
        return out
    }

    /// Appends the line of one pair to `out`.
    static func append(_ name: String, _ value: String, to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(UInt8(ascii: "="))
        if !value.utf8.contains(where: needsEscape) {
            out.append(contentsOf: value.utf8)
        } else {
            for byte in value.utf8 {
                if needsEscape(byte) {
                    out.append(UInt8(ascii: "%"))
                    out.append(hex(byte >> 4))
                    out.append(hex(byte & 0x0F))
                } else {
                    out.append(byte)
                }
            }
        }
        out.append(0x0A)
    }

    private static func needsEscape(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "%") || byte < 0x20 || byte == 0x7F }

    /// Appends the line `name=` and `value` as bridge.md writes a sequence (20 digits, zero-padded).
    static func appendSequence(_ name: String, _ value: UInt64, to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(UInt8(ascii: "="))
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: 20))
        var rest = value, index = start + 19
        while rest > 0 {
            out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
        out.append(0x0A)
    }

    /// The pairs of a frame; lines without `=` are skipped, `%XX` decoded. A repeated name keeps
    /// its first value.
    static func decode(_ frame: [UInt8]) -> [String: String] {
        var result: [String: String] = [:]
        var start = frame.startIndex
        // One pass over the frame, line by line, with no array of lines; a value without `%` is
        // made into a string straight from the frame (a node reads one params frame per request).
        while start < frame.endIndex {
            let end = frame[start...].firstIndex(of: 0x0A) ?? frame.endIndex
            let line = frame[start..<end]
            start = end + (end < frame.endIndex ? 1 : 0)
            guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: line[line.startIndex..<equals], as: UTF8.self)
            guard result[name] == nil else { continue }
            let encoded = line[(equals + 1)...]
            result[name] = encoded.contains(UInt8(ascii: "%")) ? String(decoding: percentDecoded(encoded), as: UTF8.self)
                                                               : String(decoding: encoded, as: UTF8.self)
        }
        return result
    }

    /// `value` with each `%XX` (two hex digits) replaced by its octet; any other `%` is kept.
    private static func percentDecoded(_ value: ArraySlice<UInt8>) -> [UInt8] {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(value.count)
        var index = value.startIndex
        while index < value.endIndex {
            let byte = value[index]
            if byte == UInt8(ascii: "%"), value.distance(from: index, to: value.endIndex) >= 3,
               let high = nibble(value[index + 1]), let low = nibble(value[index + 2]) {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(byte)
                index += 1
            }
        }
        return decoded
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
