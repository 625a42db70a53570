/// A string that is not empty once leading and trailing whitespace is removed (names, titles).
///
/// ```swift
/// let name = try NonEmptyString("Ana Fonseca", path: "mission.chiefOfMission")
/// _ = try? NonEmptyString("  ", path: "event.title") // ValidationError: event.title: "  " must not be empty
/// ```
public struct NonEmptyString: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The trimmed text.
    public let value: String

    /// Validates and trims `value`; `path` names the field in the error.
    public init(_ value: String, path: String = "value") throws(ValidationError) {
        let trimmed = value.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            throw ValidationError([ValidationIssue(path: path, value: value, reason: "must not be empty")])
        }
        self.value = trimmed
    }

    /// A readable form, for logs and messages.
    public var description: String { value }
    /// Orders values (for sorting).
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

extension String {
    func trimmingWhitespace() -> String {
        // Text that starts and ends with visible ASCII (the usual case) is returned as is: no
        // copy and no grapheme breaking. A cluster that starts or ends with such a byte is not
        // whitespace.
        if let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) {
            return self
        }
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
