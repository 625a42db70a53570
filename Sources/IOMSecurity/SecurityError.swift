/// Why a security operation failed: a key, sealed data or the security database.
///
/// Its ``code`` says what happened. New codes may come in any release, so a `switch` over codes
/// ends with `default:`.
///
/// ```swift
/// do { ring = try KeyRing([try HostKey.load(id: "k1", path: "/etc/iom/k1.key")]) }
/// catch { print(error.code, error) }   // invalidKey key file /etc/iom/k1.key has mode 644; …
/// ```
public struct SecurityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Compare with `==` or `switch` over the static members; a `switch`
    /// needs a `default:` (codes may be added).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// A host key is unusable (wrong size, empty or duplicate id, unreadable or unsafe key file).
        public static let invalidKey = Code("invalidKey")
        /// Sealed data names a key the key ring does not hold (``SecurityError/keyID``).
        public static let unknownKey = Code("unknownKey")
        /// Sealed data was altered, moved to another record, or is not sealed data at all.
        public static let authenticationFailed = Code("authenticationFailed")
        /// The case's data key was destroyed (crypto-shredded): its identifying data is gone (``SecurityError/caseID``).
        public static let shredded = Code("shredded")
        /// The security database failed.
        public static let storage = Code("storage")
        /// The code's name, as in `SecurityError.Code.invalidKey`.
        public var description: String { name }
    }

    /// What went wrong.
    public let code: Code
    /// The key id concerned (``Code/unknownKey``).
    public let keyID: String?
    /// The protection case concerned (``Code/shredded``).
    public let caseID: String?
    /// What happened and what to do, in words.
    public let description: String

    private init(_ code: Code, keyID: String? = nil, caseID: String? = nil, _ description: String) {
        self.code = code
        self.keyID = keyID
        self.caseID = caseID
        self.description = description
    }

    package static func invalidKey(_ why: String) -> SecurityError { SecurityError(.invalidKey, "invalid key: \(why)") }

    package static func unknownKey(_ id: String) -> SecurityError {
        SecurityError(.unknownKey, keyID: id, "no key \"\(id)\" in the key ring: add the key the data was sealed with")
    }

    package static func authenticationFailed(_ what: String) -> SecurityError {
        SecurityError(.authenticationFailed, "sealed data failed authentication (altered, moved or not sealed): \(what)")
    }

    package static func shredded(caseID id: String) -> SecurityError {
        SecurityError(.shredded, caseID: id, "the identifying data of protectionCase \"\(id)\" was crypto-shredded and cannot be read or written")
    }

    package static func storage(_ why: String) -> SecurityError { SecurityError(.storage, "security database: \(why)") }
}
