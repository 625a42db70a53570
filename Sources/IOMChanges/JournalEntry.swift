import Foundation
import IOMDomain

/// One committed change, as appended to the journal in the same transaction as the new state.
///
/// Sequence numbers start at 1 and increase by exactly 1 per change of this source, with
/// no gap and no reuse, also across restarts and crashes.
package struct JournalEntry: Sendable, Hashable {
    /// The position of this change in the journal of `source`.
    package var sequence: UInt64
    /// A unique identifier of this change.
    package var changeID: UUID
    /// The store that produced the change.
    package var source: SourceID
    /// The kind of record changed.
    package var recordType: String
    /// The identifier of the record changed.
    package var recordID: String
    /// What the change did.
    package var kind: ChangeKind
    /// The record version after the change (for a deletion: the deleted version + 1).
    package var version: UInt64
    /// The commit time.
    package var time: Date
    /// The encoded record after the change (for a deletion: the payload given with the deletion, often empty).
    package var payload: [UInt8]
    /// The `attachment` of the store mutation that made this entry, in `onCommit` only
    /// (entries read back from the journal have none). Not part of equality.
    package var attachment: (any Sendable)?

    /// Creates a journal entry value.
    package init(sequence: UInt64, changeID: UUID, source: SourceID, recordType: String, recordID: String,
                kind: ChangeKind, version: UInt64, time: Date, payload: [UInt8], attachment: (any Sendable)? = nil) {
        self.sequence = sequence
        self.changeID = changeID
        self.source = source
        self.recordType = recordType
        self.recordID = recordID
        self.kind = kind
        self.version = version
        self.time = time
        self.payload = payload
        self.attachment = attachment
    }

    package static func == (lhs: JournalEntry, rhs: JournalEntry) -> Bool {
        lhs.sequence == rhs.sequence && lhs.changeID == rhs.changeID && lhs.source == rhs.source
            && lhs.recordType == rhs.recordType && lhs.recordID == rhs.recordID && lhs.kind == rhs.kind
            && lhs.version == rhs.version && lhs.time == rhs.time && lhs.payload == rhs.payload
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(sequence)
        hasher.combine(changeID)
        hasher.combine(source)
    }
}
