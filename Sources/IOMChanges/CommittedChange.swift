import ChangeBus
import Foundation
import IOMDomain

/// A change that a store has committed: the domain ``IOMDomain/Change`` with its place in the
/// journal of its source.
///
/// This is what travels on an IOMKit bus, locally and (through the bridge) between processes.
/// On the bus of the store that committed it, the bus sequence number equals ``sequence``.
public struct CommittedChange: BusEvent, Hashable {
    /// The store that accepted the change.
    public let source: SourceID
    /// The journal sequence number in ``source`` (strictly increasing, no gaps, from 1).
    public let sequence: UInt64
    /// The change's unique id.
    public let changeID: UUID
    /// When it was committed.
    public let time: Date
    /// What changed.
    public let change: Change
    /// The change encoded as `iom.v1.Change` (protobuf binary), exactly as journaled or received.
    ///
    /// Carried along so that the bridge sends the journal's bytes without encoding them again.
    /// Empty when the creator of the value did not have them; the bridge then encodes ``change``.
    public let encoded: [UInt8]

    /// The record type, the bus's topic.
    public var topic: RecordType { change.recordType }
    /// Created, updated or deleted.
    public var kind: ChangeKind { change.kind }

    /// A committed change; `encoded` should be the `iom.v1.Change` encoding of `change` when
    /// the caller has it (the journal payload), or empty.
    public init(source: SourceID, sequence: UInt64, changeID: UUID, time: Date, change: Change, encoded: [UInt8] = []) {
        self.source = source
        self.sequence = sequence
        self.changeID = changeID
        self.time = time
        self.change = change
        self.encoded = encoded
    }
}
