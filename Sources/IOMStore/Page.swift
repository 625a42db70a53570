/// One page of a ``RecordStore/list(type:where:after:limit:)`` listing, ordered by id.
public struct Page: Sendable, Hashable {
    /// The records of this page.
    public var records: [StoredRecord]
    /// Pass as `after:` to read the next page; `nil` when this is the last page.
    public var nextCursor: String?
}

/// A consistent copy of current state, and the journal sequence it corresponds to.
///
/// Apply journal entries from `sequence + 1` on top of it to catch up.
public struct Snapshot: Sendable, Hashable {
    /// The source of the store.
    public var source: SourceID
    /// The last journal sequence included in `records` (0 when nothing was ever written).
    public var sequence: UInt64
    /// Every current record (of the requested types), ordered by type then id.
    public var records: [StoredRecord]
}
