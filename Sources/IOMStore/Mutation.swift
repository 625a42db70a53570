/// One change to one record, checked against the version the caller read.
///
/// ```swift
/// let created = try await store.apply(.create(type: "mission", id: "MA", payload: bytes,
///                                             index: ["country": "MA", "status": "open"]))
/// let updated = try await store.apply(.update(type: "mission", id: "MA", expectedVersion: created.version,
///                                             payload: newBytes, index: ["country": "MA", "status": "suspended"]))
/// ```
package struct Mutation: Sendable, Hashable {
    /// What the mutation does.
    package enum Operation: Sendable, Hashable {
        /// Create a record that must not exist yet.
        case create
        /// Replace a record that must currently be at `expectedVersion`.
        case update(expectedVersion: UInt64)
        /// Delete a record that must currently be at `expectedVersion`.
        case delete(expectedVersion: UInt64)
    }

    /// The kind of record, for example `"mission"`. Not empty, at most 128 bytes of UTF-8.
    package var recordType: String
    /// The record identifier. Not empty, at most 512 bytes of UTF-8.
    package var id: String
    /// The operation and its expected version.
    package var operation: Operation
    /// The encoded record after the change.
    package var payload: [UInt8]
    /// Fields `list(type:where:)` can filter on (name → value). Replaced as a whole on update.
    package var indexFields: [String: String]
    /// What the caller already holds of this change in another form (for example the typed
    /// change and its clear encoding), handed back unchanged as the committed entry's
    /// ``JournalEntry/attachment`` to `onCommit`, so that nothing decodes what it was just
    /// handed. Never stored; not part of equality.
    package var attachment: (any Sendable)?
    /// A key naming the request this mutation answers (for example a client's principal and
    /// request id). The store remembers it with the committed entry, in the same transaction
    /// (``RecordStore/request(_:)``), and refuses a later mutation with the same key with
    /// ``StoreError/duplicateRequest(key:)``: a repeated request makes no new change. At most
    /// 512 bytes of UTF-8; `nil` (the default) remembers nothing. Not part of equality.
    package var requestKey: String?
    /// Called once the mutation is queued for the writer, before it is committed: mutations
    /// queued one after another get increasing sequences. Lets a caller start the next save of
    /// an ordered stream without waiting for this one's commit. Never stored; not part of equality.
    package var onQueued: (@Sendable () -> Void)?

    /// Creates a mutation.
    package init(recordType: String, id: String, operation: Operation, payload: [UInt8], indexFields: [String: String] = [:]) {
        self.recordType = recordType
        self.id = id
        self.operation = operation
        self.payload = payload
        self.indexFields = indexFields
        self.attachment = nil
        self.requestKey = nil
        self.onQueued = nil
    }

    package static func == (lhs: Mutation, rhs: Mutation) -> Bool {
        lhs.recordType == rhs.recordType && lhs.id == rhs.id && lhs.operation == rhs.operation
            && lhs.payload == rhs.payload && lhs.indexFields == rhs.indexFields
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(recordType)
        hasher.combine(id)
        hasher.combine(operation)
        hasher.combine(payload)
        hasher.combine(indexFields)
    }

    /// The same mutation carrying `attachment` (see ``attachment``).
    package func attaching(_ attachment: any Sendable) -> Mutation {
        var copy = self
        copy.attachment = attachment
        return copy
    }

    /// Creates a record that must not exist yet; it gets version 1.
    package static func create(type: String, id: String, payload: [UInt8], index: [String: String] = [:]) -> Mutation {
        Mutation(recordType: type, id: id, operation: .create, payload: payload, indexFields: index)
    }

    /// Replaces the record at `expectedVersion`; it gets `expectedVersion + 1`.
    package static func update(type: String, id: String, expectedVersion: UInt64, payload: [UInt8], index: [String: String] = [:]) -> Mutation {
        Mutation(recordType: type, id: id, operation: .update(expectedVersion: expectedVersion), payload: payload, indexFields: index)
    }

    /// Deletes the record at `expectedVersion`. The journal entry carries `payload` (often empty).
    package static func delete(type: String, id: String, expectedVersion: UInt64, payload: [UInt8] = []) -> Mutation {
        Mutation(recordType: type, id: id, operation: .delete(expectedVersion: expectedVersion), payload: payload)
    }
}
