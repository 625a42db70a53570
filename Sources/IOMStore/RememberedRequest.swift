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
public struct RememberedRequest: Sendable, Hashable {
    /// The key the mutation carried.
    public var key: String
    /// The journal sequence of the change it made.
    public var sequence: UInt64
    /// The record type and identifier of the change.
    public var recordType: String
    public var recordID: String
    /// The record's version after the change.
    public var version: UInt64
    /// When the change was committed.
    public var time: Date

    /// Creates a remembered request.
    public init(key: String, sequence: UInt64, recordType: String, recordID: String, version: UInt64, time: Date) {
        self.key = key
        self.sequence = sequence
        self.recordType = recordType
        self.recordID = recordID
        self.version = version
        self.time = time
    }
}
