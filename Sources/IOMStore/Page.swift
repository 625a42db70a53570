/// One page of a ``RecordStore/list(type:where:after:limit:)`` listing, ordered by id.
package struct Page: Sendable, Hashable {
    /// The records of this page.
    package var records: [StoredRecord]
    /// Pass as `after:` to read the next page; `nil` when this is the last page.
    package var nextCursor: String?
}
