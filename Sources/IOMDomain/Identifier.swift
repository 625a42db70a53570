/// A typed identifier: an `Identifier<Mission>` cannot be passed where an `Identifier<PublicEvent>` is expected.
///
/// The raw value is an opaque, non-empty string of at most 128 characters without whitespace
/// (UUIDs or readable slugs such as `mission-ma`).
///
/// ```swift
/// let id = try Identifier<Mission>("mission-ma")
/// let eventID: Identifier<PublicEvent> = id // does not compile
/// ```
public struct Identifier<Record>: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The opaque identifier text.
    public let rawValue: String

    /// Validates the text; `path` names the field in the error.
    public init(_ rawValue: String, path: String = "id") throws(ValidationError) {
        guard Self.isValid(rawValue) else {
            throw ValidationError([ValidationIssue(path: path, value: rawValue, reason: "is not an identifier (1...128 characters, no spaces)")])
        }
        self.rawValue = rawValue
    }

    /// 1…128 characters, none of them whitespace or a line break. ASCII text (the usual case,
    /// checked on every decoded change) is scanned as bytes; other text by `Character`.
    @inline(__always)
    static func isValid(_ text: String) -> Bool {
        var utf8 = text
        let ascii: Bool? = utf8.withUTF8 { bytes in
            guard !bytes.isEmpty else { return false }
            for byte in bytes {
                if byte >= 0x80 { return nil }
                if byte == 0x20 || (0x09...0x0D).contains(byte) { return false }
            }
            return bytes.count <= 128
        }
        if let ascii { return ascii }
        return text.count <= 128 && !text.contains(where: { $0.isWhitespace || $0.isNewline })
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
