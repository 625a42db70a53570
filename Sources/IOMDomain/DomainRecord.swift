/// The kinds of record IOMKit stores and publishes.
///
/// ```swift
/// Mission.recordType == .mission // true
/// ```
public enum RecordType: String, Sendable, Hashable, CaseIterable {
    case organisation, mission, memberState, event, protectionCase
}

/// What happened to a record.
///
/// ```swift
/// let kind: ChangeKind = .updated
/// ```
public enum ChangeKind: String, Sendable, Hashable, CaseIterable {
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
}

/// Any domain record, as one closed type.
///
/// ```swift
/// let any = mission.anyRecord
/// any.recordType // .mission
/// ```
public enum AnyRecord: Sendable, Hashable {
    case organisation(Organisation)
    case mission(Mission)
    case memberState(MemberState)
    case event(PublicEvent)
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
}

/// Common checks on identity, version and timestamps.
func checkMetadata(_ v: inout Validator, _ prefix: String, version: UInt64, createdAt: Instant, updatedAt: Instant) {
    if version == 0 { v.fail("\(prefix).version", "0", "must be at least 1") }
    if updatedAt < createdAt {
        v.fail("\(prefix).updatedAt", "\(updatedAt.millisecondsSince1970)", "is before createdAt \(createdAt.millisecondsSince1970)")
    }
}
