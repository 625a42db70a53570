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
        guard !rawValue.isEmpty, rawValue.count <= 128, !rawValue.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw ValidationError([ValidationIssue(path: path, value: rawValue, reason: "is not an identifier (1...128 characters, no spaces)")])
        }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
