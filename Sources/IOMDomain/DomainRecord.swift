/// The kinds of record IOMKit stores and publishes.
///
/// ```swift
/// Mission.recordType == .mission // true
/// ```
public enum RecordType: String, Sendable, Hashable, CaseIterable {
    /// One case per record type.
    case organisation, mission, memberState, event, protectionCase
}

/// What happened to a record.
///
/// ```swift
/// let kind: ChangeKind = .updated
/// ```
public enum ChangeKind: String, Sendable, Hashable, CaseIterable {
    /// A record was created, updated or deleted.
    case created, updated, deleted
}

/// What every domain record has: a typed identifier, a version and timestamps.
///
/// Records are values; they are only built through throwing initialisers, so an invalid
/// record cannot exist.
///
/// ```swift
/// func describe<R: DomainRecord>(_ r: R) -> String { "\(R.recordType) \(r.id) v\(r.version)" }
/// ```
public protocol DomainRecord: Sendable, Hashable {
    /// The record's kind.
    static var recordType: RecordType { get }
    /// The record's identifier, typed by the record.
    var id: Identifier<Self> { get }
    /// Starts at 1, grows by one on each accepted change.
    var version: UInt64 { get }
    /// When the record was first created.
    var createdAt: Instant { get }
    /// When the record was last changed (never before ``createdAt``).
    var updatedAt: Instant { get }
    /// The record in a closed enum, for carriers (bus, store, wire) that handle every type.
    var anyRecord: AnyRecord { get }
    /// The same record at `version`, last changed at `updatedAt` — what a save stamps on an
    /// update, on the typed value (nothing is encoded or decoded).
    ///
    /// ```swift
    /// let next = try mission.restamped(version: mission.version + 1, updatedAt: now)
    /// ```
    /// - Throws: ``ValidationError`` for version 0 or an update time before ``createdAt``.
    func restamped(version: UInt64, updatedAt: Instant) throws(ValidationError) -> Self
}

/// Any domain record, as one closed type.
///
/// ```swift
/// let any = mission.anyRecord
/// any.recordType // .mission
/// ```
public indirect enum AnyRecord: Sendable, Hashable {
    /// An organisation record.
    case organisation(Organisation)
    /// A mission record.
    case mission(Mission)
    /// A member-state record.
    case memberState(MemberState)
    /// A public event record.
    case event(PublicEvent)
    /// A protection case record.
    case protectionCase(ProtectionCase)

    /// The kind of the wrapped record.
    public var recordType: RecordType {
        switch self {
        case .organisation: .organisation
        case .mission: .mission
        case .memberState: .memberState
        case .event: .event
        case .protectionCase: .protectionCase
        }
    }

    /// The wrapped record, through the protocol every record conforms to.
    public var record: any DomainRecord {
        switch self {
        case .organisation(let r): r
        case .mission(let r): r
        case .memberState(let r): r
        case .event(let r): r
        case .protectionCase(let r): r
        }
    }

    /// The wrapped record if it is a `Record`, else `nil`.
    ///
    /// ```swift
    /// mission.anyRecord.typed(as: Mission.self) // the mission
    /// mission.anyRecord.typed(as: PublicEvent.self) // nil
    /// ```
    public func typed<Record: DomainRecord>(as _: Record.Type = Record.self) -> Record? {
        record as? Record
    }

    // The accessors below switch over the cases instead of going through ``record``: an
    // existential of a record larger than three words is a heap box, one allocation (and a
    // copy of the record) per call, and they run several times per decoded change.

    /// The wrapped record's identifier text.
    public var recordID: String {
        switch self {
        case .organisation(let r): r.id.rawValue
        case .mission(let r): r.id.rawValue
        case .memberState(let r): r.id.rawValue
        case .event(let r): r.id.rawValue
        case .protectionCase(let r): r.id.rawValue
        }
    }

    /// The wrapped record's version.
    public var version: UInt64 {
        switch self {
        case .organisation(let r): r.version
        case .mission(let r): r.version
        case .memberState(let r): r.version
        case .event(let r): r.version
        case .protectionCase(let r): r.version
        }
    }

    /// When the wrapped record was last changed.
    public var updatedAt: Instant {
        switch self {
        case .organisation(let r): r.updatedAt
        case .mission(let r): r.updatedAt
        case .memberState(let r): r.updatedAt
        case .event(let r): r.updatedAt
        case .protectionCase(let r): r.updatedAt
        }
    }
}

extension DomainRecord {
    /// The identifier as text, whatever the record type.
    var idText: String { id.rawValue }
}

/// Common checks on identity, version and timestamps.
func checkMetadata(_ v: inout Validator, _ prefix: String, version: UInt64, createdAt: Instant, updatedAt: Instant) {
    if version == 0 { v.fail("\(prefix).version", "0", "must be at least 1") }
    if version > UInt64(Int64.max) - 1 { v.fail("\(prefix).version", "\(version)", "is larger than \(Int64.max - 1)") }
    v.bound(instant: createdAt, "\(prefix).createdAt")
    v.bound(instant: updatedAt, "\(prefix).updatedAt")
    if updatedAt < createdAt {
        v.fail("\(prefix).updatedAt", "\(updatedAt.millisecondsSince1970)", "is before createdAt \(createdAt.millisecondsSince1970)")
    }
}
