import Foundation
import IOMDomain

/// One change of one record type, typed: what `iom.changes(of: Mission.self)` yields.
public struct RecordChange<Record: DomainRecord>: Sendable, Hashable {
    /// The journal sequence number in the change's source.
    public let sequence: UInt64
    /// Created, updated or deleted.
    public let kind: ChangeKind
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
    /// The typed view of `committed`, or `nil` when it changes a record of another type.
    public init?(_ committed: CommittedChange) {
        let change = committed.change
        guard change.recordType == Record.recordType,
              let id = try? Identifier<Record>(change.recordID) else { return nil }
        self.init(sequence: committed.sequence, kind: change.kind, id: id, version: change.version,
                  before: change.before?.typed(), after: change.after?.typed(),
                  time: committed.time, changeID: committed.changeID)
    }
}
