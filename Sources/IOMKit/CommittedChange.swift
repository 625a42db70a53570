import ChangeBus
import Foundation
import IOMDomain
import IOMStore

/// A change that the store has committed: the domain ``Change`` with its place in the journal.
///
/// This is what travels on ``IOMKit/bus``. Its bus sequence number equals ``sequence``, the
/// journal sequence of its source, because the bus is fed in commit order.
public struct CommittedChange: BusEvent, Hashable {
    /// The store that accepted the change.
    public let source: SourceID
    /// The journal sequence number (strictly increasing per source, no gaps).
    public let sequence: UInt64
    /// The change's unique id.
    public let changeID: UUID
    /// When it was committed.
    public let time: Date
    /// What changed.
    public let change: Change

    /// The record type, the bus's topic.
    public var topic: RecordType { change.recordType }
    /// Created, updated or deleted.
    public var kind: IOMDomain.ChangeKind { change.kind }

    public init(source: SourceID, sequence: UInt64, changeID: UUID, time: Date, change: Change) {
        self.source = source
        self.sequence = sequence
        self.changeID = changeID
        self.time = time
        self.change = change
    }
}

/// One change of one record type, typed: what `iom.changes(of: Mission.self)` yields.
public struct RecordChange<Record: DomainRecord>: Sendable, Hashable {
    /// The journal (and bus) sequence number.
    public let sequence: UInt64
    /// Created, updated or deleted.
    public let kind: IOMDomain.ChangeKind
    /// The record's identifier.
    public let id: Identifier<Record>
    /// The version this change produced.
    public let version: UInt64
    /// The state before (updates and deletions).
    public let before: Record?
    /// The state after (creations and updates).
    public let after: Record?
    /// When the change was committed.
    public let time: Date
    /// The change's unique id.
    public let changeID: UUID
}

extension RecordChange {
    init?(_ committed: CommittedChange) {
        let change = committed.change
        guard change.recordType == Record.recordType,
              let id = try? Identifier<Record>(change.recordID) else { return nil }
        self.init(sequence: committed.sequence, kind: change.kind, id: id, version: change.version,
                  before: change.before?.typed(), after: change.after?.typed(),
                  time: committed.time, changeID: committed.changeID)
    }
}
