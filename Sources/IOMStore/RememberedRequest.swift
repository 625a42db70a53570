import Foundation

/// What the store remembers of a request whose mutation carried a ``Mutation/requestKey``:
/// the journal entry it produced, enough to answer the request again without the journal
/// (which retention may have pruned).
///
/// ```swift
/// var mutation = Mutation.create(type: "mission", id: "MA", payload: bytes)
/// mutation.requestKey = "service:replica req-42"
/// try await store.apply(mutation)
/// let first = try await store.request("service:replica req-42")   // sequence, type, id, version
/// ```
package struct RememberedRequest: Sendable, Hashable {
    /// The key the mutation carried.
    package var key: String
    /// The journal sequence of the change it made.
    package var sequence: UInt64
    /// The record type and identifier of the change.
    package var recordType: String
    package var recordID: String
    /// The record's version after the change.
    package var version: UInt64
    /// When the change was committed.
    package var time: Date

    /// Creates a remembered request.
    package init(key: String, sequence: UInt64, recordType: String, recordID: String, version: UInt64, time: Date) {
        self.key = key
        self.sequence = sequence
        self.recordType = recordType
        self.recordID = recordID
        self.version = version
        self.time = time
    }
}
