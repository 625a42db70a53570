/// The one grammar of every identifier IOMKit accepts: record ids, principal ids and key names
/// (`Protocols/README.md`, "Identifiers").
///
/// An identifier is 1…128 bytes of UTF-8 whose every character is visible: no control
/// character (U+0000–U+001F, U+007F–U+009F — NUL included), no format character (Unicode
/// category Cf: zero-width and bidirectional controls), no line or paragraph separator, and
/// no whitespace. Principal ids and key names ("names") may also hold single U+0020 spaces
/// between visible characters (`FICTIONAL caseworker A`); record ids may not.
///
/// ```swift
/// IdentifierGrammar.problem(in: "mission-ma", allowingSpaces: false)        // nil: valid
/// IdentifierGrammar.problem(in: "case\u{0}1", allowingSpaces: false)        // "contains the control character U+0000"
/// IdentifierGrammar.problem(in: "FICTIONAL shelter", allowingSpaces: true)  // nil
/// ```
package enum IdentifierGrammar {
    /// The longest identifier, in bytes of UTF-8.
    package static let maximumBytes = 128

    /// Why `text` is not an identifier, or `nil` when it is one.
    ///
    /// - Parameter allowingSpaces: `true` for principal ids and key names (single inner
    ///   spaces allowed), `false` for record ids.
    @inline(__always)
    package static func problem(in text: String, allowingSpaces: Bool) -> String? {
        var copy = text
        // ASCII text (the usual case, checked on every decoded change) is scanned as bytes.
        let ascii: String?? = copy.withUTF8 { bytes -> String?? in
            if bytes.isEmpty { return .some("is empty (an identifier has 1...\(maximumBytes) bytes)") }
            var previousSpace = false
            for (index, byte) in bytes.enumerated() {
                if byte >= 0x80 { return .none }
                if byte < 0x20 || byte == 0x7F { return .some("contains the control character \(codePoint(UInt32(byte)))") }
                if byte == 0x20 {
                    guard allowingSpaces else { return .some("contains a space (record ids have none)") }
                    if index == 0 || index == bytes.count - 1 || previousSpace {
                        return .some("has a leading, trailing or repeated space")
                    }
                    previousSpace = true
                } else {
                    previousSpace = false
                }
            }
            if bytes.count > maximumBytes { return .some("is \(bytes.count) bytes long, longer than \(maximumBytes)") }
            return .some(nil)
        }
        if let ascii { return ascii }
        return unicodeProblem(in: text, allowingSpaces: allowingSpaces)
    }

    private static func unicodeProblem(in text: String, allowingSpaces: Bool) -> String? {
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if scalar == " " {
                guard allowingSpaces else { return "contains a space (record ids have none)" }
                if index == 0 || index == scalars.count - 1 || scalars[index - 1] == " " {
                    return "has a leading, trailing or repeated space"
                }
                continue
            }
            switch scalar.properties.generalCategory {
            case .control: return "contains the control character \(codePoint(scalar.value))"
            case .format: return "contains the format character \(codePoint(scalar.value))"
            case .lineSeparator, .paragraphSeparator, .spaceSeparator:
                return "contains the whitespace \(codePoint(scalar.value))"
            default:
                if scalar.properties.isWhitespace { return "contains the whitespace \(codePoint(scalar.value))" }
            }
        }
        let bytes = text.utf8.count
        if bytes > maximumBytes { return "is \(bytes) bytes long, longer than \(maximumBytes)" }
        return nil
    }

    /// `text` with every control and format character written as `\u{…}`, for error messages
    /// and logs (a NUL must not cut the line that reports it).
    package static func printable(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func codePoint(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
