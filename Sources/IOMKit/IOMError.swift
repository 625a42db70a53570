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
    /// A create named a record that already exists (at `version`); nothing was changed. A
    /// create is never turned into an update: a client retrying a create whose reply it lost
    /// gets this, not a second version.
    case alreadyExists(recordType: RecordType, id: String, version: UInt64)
    /// Records of this type leave IOMKit only through a guarded entry point with an acting
    /// principal and a purpose (protection cases: ``IOMKit/protectionCases(as:purpose:)`` and
    /// ``IOMKit/protectionCaseChanges(as:purpose:capacity:from:)``).
    case needsPrincipal(recordType: RecordType)
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
    /// the `BridgeError` says which endpoint or setting.
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
        case .alreadyExists(let type, let id, let version):
            "\(type.rawValue) \"\(id)\" already exists (version \(version)); nothing was changed. A create never updates: read it and update that version instead."
        case .needsPrincipal(let type):
            "\(type.rawValue) records are reached only with an acting principal and a purpose: use protectionCases(as:purpose:) or protectionCaseChanges(as:purpose:)"
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
