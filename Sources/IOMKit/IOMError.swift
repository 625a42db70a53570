import ChangeBus
import IOMBridge
import IOMDomain
import IOMSecurity
import IOMStore

/// Why an IOMKit call failed, with what to do about it.
public enum IOMError: Error, Sendable, CustomStringConvertible {
    /// The record is not valid; nothing was saved. The error lists every problem with its field path.
    case invalid(ValidationError)
    /// Someone else changed the record since you read it: `expected` is the version you sent,
    /// `actual` the stored one.
    case conflict(recordType: RecordType, id: String, expected: UInt64, actual: UInt64)
    /// There is no such record.
    case notFound(recordType: RecordType, id: String)
    /// A new record must start at version 1.
    case badVersion(recordType: RecordType, id: String, version: UInt64)
    /// The store refused or failed.
    case store(StoreError)
    /// The change bus refused (bad subscription parameters, shut down, replay too old).
    case bus(ChangeBusError)
    /// The stored data could not be decoded (a corrupted or foreign file).
    case corrupted(String)
    /// ``IOMKit/close()`` was called.
    case closed
    /// The calling task was cancelled before the operation finished; nothing more was done.
    case cancelled
    /// The ZeroMQ bridge could not start or failed (bad endpoint, address in use, bad keys);
    /// the ``IOMBridge/BridgeError`` says which endpoint or setting.
    case bridge(BridgeError)
    /// The acting principal may not do this (role, purpose, scope or field); the attempt was audited.
    case forbidden(Forbidden)
    /// Encryption keys or the security database failed (no key ring, unknown key, tampered data, shredded case).
    case security(SecurityError)

    public var description: String {
        switch self {
        case .invalid(let error):
            "invalid record, nothing saved: \(error)"
        case .conflict(let type, let id, let expected, let actual):
            "\(type.rawValue) \"\(id)\" was changed by someone else: you sent version \(expected), the stored one is \(actual). Read it again, reapply your change and save again."
        case .notFound(let type, let id):
            "no \(type.rawValue) \"\(id)\" exists"
        case .badVersion(let type, let id, let version):
            "\(type.rawValue) \"\(id)\" does not exist yet, so it must be saved with version 1, not \(version)"
        case .store(let error):
            "store: \(error)"
        case .bus(let error):
            "change bus: \(error)"
        case .corrupted(let detail):
            "stored data could not be decoded: \(detail)"
        case .closed:
            "IOMKit is closed: open it again with IOMKit.open(_:)"
        case .cancelled:
            "the task was cancelled"
        case .bridge(let error):
            "bridge: \(error)"
        case .forbidden(let error):
            error.description
        case .security(let error):
            error.description
        }
    }
}
