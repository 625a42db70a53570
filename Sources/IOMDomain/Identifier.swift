/// A typed identifier: an `Identifier<Mission>` cannot be passed where an `Identifier<PublicEvent>` is expected.
///
/// The raw value follows the identifier grammar (``IdentifierGrammar``, `Protocols/README.md`):
/// 1…128 bytes of UTF-8, visible characters only — no control character (NUL included), no
/// format character, no whitespace (UUIDs or readable slugs such as `mission-ma`).
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
        if let reason = IdentifierGrammar.problem(in: rawValue, allowingSpaces: false) {
            throw ValidationError([ValidationIssue(path: path, value: IdentifierGrammar.printable(rawValue), reason: reason)])
        }
        self.rawValue = rawValue
    }

    /// Whether `text` follows the identifier grammar of record ids.
    @inline(__always)
    static func isValid(_ text: String) -> Bool {
        IdentifierGrammar.problem(in: text, allowingSpaces: false) == nil
    }

    /// A readable form, for logs and messages.
    public var description: String { rawValue }
    /// Orders values (for sorting).
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
