import SwiftProtobuf

/// A repair of protobuf JSON for SwiftProtobuf 1.39's reading of escaped surrogate pairs.
///
/// SwiftProtobuf composes an escaped UTF-16 pair as `0x10000 | high << 10 | low` (with `|`,
/// not `+`), which is right in plane 1 (emoji, high surrogates D800–D83F) and wrong above:
/// `\ud840\udc00` (U+20000, a CJK ideograph) reads as U+10000, `\udbff\udfff` (U+10FFFF) as
/// U+FFFFF. Python's `json_format.MessageToJson` escapes every non-ASCII character by default
/// (`ensure_ascii=True`), so such text from a Python client would be stored changed, silently.
///
/// Before SwiftProtobuf reads JSON, ``repaired(_:)`` writes each such pair inside a string as
/// the character's own UTF-8 bytes, which it reads right. ``JSONRecordReader`` decodes the
/// pairs itself, correctly. (`JSONRecordReaderTests` checks that SwiftProtobuf still misreads
/// them; the day it does not, this repair can go.)
enum JSONSurrogates {
    /// `json` with every escaped surrogate pair above plane 1 inside a string written as UTF-8,
    /// or `nil` when it has none (then `json` is read as it is). Nothing else changes: other
    /// escapes, lone or malformed surrogates, and anything outside strings are left for the
    /// decoder to accept or refuse.
    static func repaired(_ json: [UInt8]) -> [UInt8]? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), u = UInt8(ascii: "u")
        var out: [UInt8]?
        var copied = 0
        var index = 0
        var inString = false
        let count = json.count
        while index < count {
            let byte = json[index]
            guard inString else {
                if byte == quote { inString = true }
                index += 1
                continue
            }
            if byte == quote {
                inString = false
                index += 1
                continue
            }
            guard byte == backslash else {
                index += 1
                continue
            }
            // An escape: `\u` and four hex digits, or a backslash and one more byte.
            guard index + 1 < count, json[index + 1] == u, index + 6 <= count, let high = hex4(json, at: index + 2) else {
                index += 2
                continue
            }
            guard (0xD840...0xDBFF).contains(high), index + 12 <= count, json[index + 6] == backslash, json[index + 7] == u,
                  let low = hex4(json, at: index + 8), (0xDC00...0xDFFF).contains(low)
            else {
                index += 6
                continue
            }
            let scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            if out == nil { out = []; out!.reserveCapacity(count) }
            out!.append(contentsOf: json[copied..<index])
            out!.append(0xF0 | UInt8(scalar >> 18))
            out!.append(0x80 | UInt8(scalar >> 12 & 0x3F))
            out!.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            out!.append(0x80 | UInt8(scalar & 0x3F))
            index += 12
            copied = index
        }
        guard var out else { return nil }
        out.append(contentsOf: json[copied...])
        return out
    }

    /// The value of the four hex digits at `offset`, if they are.
    private static func hex4(_ json: [UInt8], at offset: Int) -> UInt32? {
        var value: UInt32 = 0
        for byte in json[offset..<offset + 4] {
            guard let digit = JSONRecordReader.hexDigit(byte) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}

/// SwiftProtobuf's JSON decoding of a message, with ``JSONSurrogates`` applied first.
enum SwiftProtobufJSON {
    /// `M` read from protobuf JSON by SwiftProtobuf, escaped pairs above plane 1 read right.
    static func decode<M: SwiftProtobuf.Message>(_: M.Type = M.self, _ json: [UInt8]) throws -> M {
        try M(jsonUTF8Bytes: JSONSurrogates.repaired(json) ?? json)
    }
}
