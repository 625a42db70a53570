/// One problem found while validating a record: where, what value, and why it is wrong.
///
/// ```swift
/// let issue = ValidationIssue(path: "mission.country", value: "XX", reason: "is not ISO 3166-1")
/// print(issue) // mission.country: "XX" is not ISO 3166-1
/// ```
public struct ValidationIssue: Sendable, Hashable, CustomStringConvertible {
    /// Dotted path of the field, e.g. `protectionCase.profile.citizenship[1]`.
    public var path: String
    /// The offending value as text (quoted in ``description``).
    public var value: String
    /// Why the value is refused, e.g. `is not ISO 3166-1`.
    public var reason: String

    /// Creates an issue.
    public init(path: String, value: String, reason: String) {
        self.path = path
        self.value = value
        self.reason = reason
    }

    /// A readable form, for logs and messages.
    public var description: String { "\(path): \"\(value)\" \(reason)" }
}

/// Every problem of a record, reported at once.
///
/// Thrown by the throwing initialisers of all domain records and value types, and by
/// `WireCodec.decode` when wire data breaks a domain rule.
///
/// ```swift
/// do { _ = try CountryCode("XX", path: "mission.country") }
/// catch let error as ValidationError { print(error) } // mission.country: "XX" is not ISO 3166-1
/// ```
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, in the order they were found.
    public var issues: [ValidationIssue]

    /// Creates an error from a non-empty list of issues.
    public init(_ issues: [ValidationIssue]) { self.issues = issues }

    /// The paths of all issues, handy in tests and logs.
    public var paths: [String] { issues.map(\.path) }

    /// A readable form, for logs and messages.
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}

/// Collects issues while a record is built, so that all of them are reported together.
///
/// ```swift
/// var v = Validator()
/// let country = v.check { try CountryCode("XX", path: "mission.country") }
/// try v.finish() // throws with every issue collected
/// ```
@usableFromInline package struct Validator: Sendable {
    /// Issues collected so far.
    package private(set) var issues: [ValidationIssue] = []

    /// Creates an empty validator.
    package init() {}

    /// Records an issue.
    package mutating func fail(_ path: String, _ value: String, _ reason: String) {
        issues.append(ValidationIssue(path: path, value: value, reason: reason))
    }

    /// Runs a throwing construction; on ``ValidationError`` keeps its issues and returns nil.
    ///
    /// Inlinable, so that decoders in other modules get it specialized for their types (it
    /// runs for every field of every decoded record).
    @inlinable
    package mutating func check<T>(_ build: () throws -> T) -> T? {
        do { return try build() } catch {
            keep(error)
            return nil
        }
    }

    /// Keeps the issues of a ``ValidationError``, or one issue describing any other error.
    @usableFromInline
    mutating func keep(_ error: any Error) {
        if let error = error as? ValidationError {
            issues.append(contentsOf: error.issues)
        } else {
            issues.append(ValidationIssue(path: "?", value: "", reason: "\(error)"))
        }
    }

    /// Throws a ``ValidationError`` with every issue if any was found.
    package func finish() throws(ValidationError) {
        if !issues.isEmpty { throw ValidationError(issues) }
    }
}
