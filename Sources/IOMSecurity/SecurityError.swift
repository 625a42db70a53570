/// Why a security operation failed.
public enum SecurityError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A host key is unusable (wrong size, empty or duplicate id).
    case invalidKey(String)
    /// Sealed data names a key the key ring does not hold.
    case unknownKey(String)
    /// Sealed data was altered, moved to another record, or is not sealed data at all.
    case authenticationFailed(String)
    /// The case's data key was destroyed (crypto-shredded): its identifying data is gone.
    case shredded(caseID: String)
    /// The security database failed.
    case storage(String)

    public var description: String {
        switch self {
        case .invalidKey(let why): "invalid key: \(why)"
        case .unknownKey(let id): "no key \"\(id)\" in the key ring: add the key the data was sealed with"
        case .authenticationFailed(let what): "sealed data failed authentication (altered, moved or not sealed): \(what)"
        case .shredded(let id): "the identifying data of protectionCase \"\(id)\" was crypto-shredded and cannot be read or written"
        case .storage(let why): "security database: \(why)"
        }
    }
}
