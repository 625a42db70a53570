import IOMDomain

/// A consistent copy of current state, and the journal sequence it corresponds to.
///
/// Apply journal entries from `sequence + 1` on top of it to catch up.
package struct Snapshot: Sendable, Hashable {
    /// The source of the store.
    package var source: SourceID
    /// The last journal sequence included in `records` (0 when nothing was ever written).
    package var sequence: UInt64
    /// Every current record (of the requested types), ordered by type then id.
    package var records: [StoredRecord]

    package init(source: SourceID, sequence: UInt64, records: [StoredRecord]) {
        self.source = source
        self.sequence = sequence
        self.records = records
    }
}
