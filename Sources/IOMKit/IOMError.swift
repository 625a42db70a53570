import ChangeBus
import IOMBridge
import IOMDomain
import IOMSecurity
import IOMStore

/// Why an IOMKit call failed, with what to do about it.
///
/// Every failure of the facade is an `IOMError`: saves use typed throws, so a plain `catch`
/// already has one. Its ``code`` says what happened; the properties that apply to that code
/// carry the details (the record, the versions, the invalid fields, the refused principal).
/// New codes may come in any release, so a `switch` over codes ends with `default:` — adding
/// one never breaks your build (the same design as GRDB's `DatabaseError` and swift-nio's errors).
///
/// ```swift
/// do {
///     try await iom.missions.create(Seed.moroccoMission)
/// } catch {
///     switch error.code {
///     case .alreadyExists: print("\(error.recordID!) is already at version \(error.storedVersion!)")
///     case .invalid: print(error.validation!)            // every field named, e.g. mission.country
///     default: print(error)
///     }
/// }
/// ```
public struct IOMError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Compare with `==` or `switch` over the static members; a `switch`
    /// needs a `default:` (codes may be added).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The record is not valid; nothing was saved. ``IOMError/validation`` lists every problem with its field path.
        public static let invalid = Code("invalid")
        /// Someone else changed the record since you read it: ``IOMError/version`` is the version
        /// you sent, ``IOMError/storedVersion`` the stored one. Read it again and reapply your change.
        public static let conflict = Code("conflict")
        /// There is no such record.
        public static let notFound = Code("notFound")
        /// A new record must start at version 1 (``IOMError/version`` is the one sent).
        public static let badVersion = Code("badVersion")
        /// A create named a record that already exists (at ``IOMError/storedVersion``); nothing
        /// was changed. A create is never turned into an update: a client retrying a create whose
        /// reply it lost gets this, not a second version.
        public static let alreadyExists = Code("alreadyExists")
        /// Records of this type leave IOMKit only through a guarded entry point with an acting
        /// principal and a purpose (protection cases: ``IOM/protectionCases(as:purpose:)`` and
        /// ``IOM/protectionCaseChanges(as:purpose:capacity:from:)``).
        public static let needsPrincipal = Code("needsPrincipal")
        /// The acting principal may not do this (role, purpose, scope or field); the attempt was
        /// audited. ``IOMError/principal``, ``IOMError/action``, ``IOMError/purpose`` and
        /// ``IOMError/field`` say who, what and which field.
        public static let forbidden = Code("forbidden")
        /// An argument is out of range (a subscription capacity, a statistics threshold); nothing was changed.
        public static let invalidArgument = Code("invalidArgument")
        /// A subscription asked to start from a sequence that is no longer (or not yet) held.
        public static let replayUnavailable = Code("replayUnavailable")
        /// A subscription fell `capacity` changes behind and was cut off; subscribe again from
        /// the last sequence it delivered.
        public static let subscriberTooSlow = Code("subscriberTooSlow")
        /// The store refused or failed: SQLite or the file system, a file that is not an IOMKit
        /// store or was written by a newer version. Nothing of the failing save was committed.
        public static let store = Code("store")
        /// The save carried a request key the store already remembers: the request it names was
        /// applied before, so nothing was changed (idempotent node-save requests,
        /// `Protocols/node-save.md`). ``IOMError/message`` names the key.
        public static let duplicateRequest = Code("duplicateRequest")
        /// The stored data could not be decoded (a corrupted or foreign file).
        public static let corrupted = Code("corrupted")
        /// ``IOM/close()`` was called: the instance takes no more saves or subscriptions.
        public static let closed = Code("closed")
        /// The calling task was cancelled before the operation finished; nothing more was done.
        public static let cancelled = Code("cancelled")
        /// The ZeroMQ bridge could not start or failed (bad endpoint, address in use, bad keys);
        /// ``IOMError/underlying`` is the `BridgeError` naming the endpoint or setting.
        public static let bridge = Code("bridge")
        /// Encryption keys or the security database failed (no key ring, unknown key, tampered
        /// data, shredded case); ``IOMError/underlying`` is the `SecurityError`.
        public static let security = Code("security")

        /// The code's name, as in `IOMError.Code.conflict`.
        public var description: String { name }
    }

    /// What went wrong.
    public let code: Code
    /// The type of the record concerned, when one is.
    public let recordType: RecordType?
    /// The id of the record concerned, when one is.
    public let recordID: String?
    /// The version the call sent (``Code/conflict``, ``Code/badVersion``).
    public let version: UInt64?
    /// The version stored (``Code/conflict``, ``Code/alreadyExists``).
    public let storedVersion: UInt64?
    /// Every invalid field, named by its path (``Code/invalid``).
    public let validation: ValidationError?
    /// The principal refused (``Code/forbidden``).
    public let principal: Principal?
    /// What it tried (``Code/forbidden``).
    public let action: Action?
    /// For what purpose (``Code/forbidden``).
    public let purpose: Purpose?
    /// The field that may not be read or written, when one field is the problem (``Code/forbidden``),
    /// as a path such as `protectionCase.identifying.givenName`.
    public let field: String?
    /// The failure underneath, for logs and for ``Code/bridge`` (a `BridgeError`) and
    /// ``Code/security`` (a `SecurityError`).
    public let underlying: (any Error & Sendable)?
    /// What happened and what to do, in words.
    public let message: String

    package init(_ code: Code, recordType: RecordType? = nil, recordID: String? = nil, version: UInt64? = nil,
                 storedVersion: UInt64? = nil, validation: ValidationError? = nil, principal: Principal? = nil,
                 action: Action? = nil, purpose: Purpose? = nil, field: String? = nil,
                 underlying: (any Error & Sendable)? = nil, message: String) {
        self.code = code
        self.recordType = recordType
        self.recordID = recordID
        self.version = version
        self.storedVersion = storedVersion
        self.validation = validation
        self.principal = principal
        self.action = action
        self.purpose = purpose
        self.field = field
        self.underlying = underlying
        self.message = message
    }

    /// The message: what happened and what to do.
    public var description: String { message }
}

// The facade's own constructors, named after the codes.
extension IOMError {
    package static func invalid(_ error: ValidationError) -> IOMError {
        IOMError(.invalid, validation: error, message: "invalid record, nothing saved: \(error)")
    }

    package static func conflict(recordType type: RecordType, id: String, expected: UInt64, actual: UInt64) -> IOMError {
        IOMError(.conflict, recordType: type, recordID: id, version: expected, storedVersion: actual,
                 message: "\(type.rawValue) \"\(id)\" was changed by someone else: you sent version \(expected), the stored one is \(actual). Read it again, reapply your change and save again.")
    }

    package static func notFound(recordType type: RecordType, id: String) -> IOMError {
        IOMError(.notFound, recordType: type, recordID: id, message: "no \(type.rawValue) \"\(id)\" exists")
    }

    package static func badVersion(recordType type: RecordType, id: String, version: UInt64) -> IOMError {
        IOMError(.badVersion, recordType: type, recordID: id, version: version,
                 message: "\(type.rawValue) \"\(id)\" does not exist yet, so it must be saved with version 1, not \(version)")
    }

    package static func alreadyExists(recordType type: RecordType, id: String, version: UInt64) -> IOMError {
        IOMError(.alreadyExists, recordType: type, recordID: id, storedVersion: version,
                 message: "\(type.rawValue) \"\(id)\" already exists (version \(version)); nothing was changed. A create never updates: read it and update that version instead.")
    }

    package static func needsPrincipal(recordType type: RecordType) -> IOMError {
        IOMError(.needsPrincipal, recordType: type,
                 message: "\(type.rawValue) records are reached only with an acting principal and a purpose: use protectionCases(as:purpose:) or protectionCaseChanges(as:purpose:)")
    }

    package static func forbidden(_ error: Forbidden) -> IOMError {
        IOMError(.forbidden, recordType: error.recordID == nil ? nil : .protectionCase, recordID: error.recordID,
                 principal: error.principal, action: error.action, purpose: error.purpose, field: error.field?.description,
                 message: error.description)
    }

    package static func corrupted(_ detail: String) -> IOMError {
        IOMError(.corrupted, message: "stored data could not be decoded: \(detail)")
    }

    package static var cancelled: IOMError { IOMError(.cancelled, message: "the task was cancelled") }

    package static func bridge(_ error: BridgeError) -> IOMError {
        IOMError(.bridge, underlying: error, message: "bridge: \(error)")
    }

    package static func security(_ error: SecurityError) -> IOMError {
        IOMError(.security, underlying: error, message: error.description)
    }

    package static func invalidArgument(_ message: String, underlying: (any Error & Sendable)? = nil) -> IOMError {
        IOMError(.invalidArgument, underlying: underlying, message: message)
    }

    package static func store(_ error: StoreError) -> IOMError {
        switch error {
        case let .conflict(type, id, expected, actual):
            if let type = RecordType(rawValue: type), let actual {
                return .conflict(recordType: type, id: id, expected: expected, actual: actual)
            }
            return IOMError(.conflict, recordType: RecordType(rawValue: type), recordID: id, version: expected,
                            storedVersion: actual, underlying: error, message: error.description)
        case let .alreadyExists(type, id, version):
            if let type = RecordType(rawValue: type) { return .alreadyExists(recordType: type, id: id, version: version) }
            return IOMError(.alreadyExists, recordID: id, storedVersion: version, underlying: error, message: error.description)
        case .journalPruned:
            return IOMError(.replayUnavailable, underlying: error, message: "store: \(error)")
        case .invalidArgument:
            return IOMError(.invalidArgument, underlying: error, message: "store: \(error)")
        case .duplicateRequest:
            return IOMError(.duplicateRequest, underlying: error, message: "store: \(error)")
        case .closed:
            return IOMError(.closed, underlying: error, message: "IOMKit is closed: open it again with IOM.open(_:)")
        case .incompatibleFile, .storage:
            return IOMError(.store, underlying: error, message: "store: \(error)")
        }
    }

    package static func bus(_ error: ChangeBusError) -> IOMError {
        let code: Code = switch error {
        case .invalidCapacity, .capacityTooLarge, .invalidConfiguration: .invalidArgument
        case .sequenceNoLongerHeld, .sequenceNotYetPublished: .replayUnavailable
        case .disconnectedSlowSubscriber: .subscriberTooSlow
        case .shutDown, .producerFailed: .closed
        case .publishTimedOut, .subscriberFullUseAsyncPublish: .store
        }
        return IOMError(code, underlying: error, message: "change bus: \(error)")
    }
}
