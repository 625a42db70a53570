/// One change to one record, checked against the version the caller read.
///
/// ```swift
/// let created = try await store.apply(.create(type: "mission", id: "MA", payload: bytes,
///                                             index: ["country": "MA", "status": "open"]))
/// let updated = try await store.apply(.update(type: "mission", id: "MA", expectedVersion: created.version,
///                                             payload: newBytes, index: ["country": "MA", "status": "suspended"]))
/// ```
public struct Mutation: Sendable, Hashable {
    /// What the mutation does.
    public enum Operation: Sendable, Hashable {
        /// Create a record that must not exist yet.
        case create
        /// Replace a record that must currently be at `expectedVersion`.
        case update(expectedVersion: UInt64)
        /// Delete a record that must currently be at `expectedVersion`.
        case delete(expectedVersion: UInt64)
    }

    /// The kind of record, for example `"mission"`. Not empty, at most 128 bytes of UTF-8.
    public var recordType: String
    /// The record identifier. Not empty, at most 512 bytes of UTF-8.
    public var id: String
    /// The operation and its expected version.
    public var operation: Operation
    /// The encoded record after the change.
    public var payload: [UInt8]
    /// Fields `list(type:where:)` can filter on (name → value). Replaced as a whole on update.
    public var indexFields: [String: String]

    /// Creates a mutation.
    public init(recordType: String, id: String, operation: Operation, payload: [UInt8], indexFields: [String: String] = [:]) {
        self.recordType = recordType
        self.id = id
        self.operation = operation
        self.payload = payload
        self.indexFields = indexFields
    }

    /// Creates a record that must not exist yet; it gets version 1.
    public static func create(type: String, id: String, payload: [UInt8], index: [String: String] = [:]) -> Mutation {
        Mutation(recordType: type, id: id, operation: .create, payload: payload, indexFields: index)
    }

    /// Replaces the record at `expectedVersion`; it gets `expectedVersion + 1`.
    public static func update(type: String, id: String, expectedVersion: UInt64, payload: [UInt8], index: [String: String] = [:]) -> Mutation {
        Mutation(recordType: type, id: id, operation: .update(expectedVersion: expectedVersion), payload: payload, indexFields: index)
    }

    /// Deletes the record at `expectedVersion`. The journal entry carries `payload` (often empty).
    public static func delete(type: String, id: String, expectedVersion: UInt64, payload: [UInt8] = []) -> Mutation {
        Mutation(recordType: type, id: id, operation: .delete(expectedVersion: expectedVersion), payload: payload)
    }
}
