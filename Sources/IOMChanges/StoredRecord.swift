import Foundation

/// The current state of one record, as the store keeps it.
///
/// The store is record-agnostic: `payload` holds the record encoded by the caller
/// (for example protobuf binary), and `recordType` / `id` name it.
package struct StoredRecord: Sendable, Hashable {
    /// The kind of record, for example `"mission"`.
    package var recordType: String
    /// The record identifier, unique within `recordType`.
    package var id: String
    /// The version of this state; 1 after creation, +1 for every update.
    package var version: UInt64
    /// The encoded record.
    package var payload: [UInt8]
    /// The commit time of this version.
    package var updatedAt: Date
    /// The indexed fields the caller supplied with this version (name → value).
    package var indexFields: [String: String]

    /// Creates a stored record value.
    package init(recordType: String, id: String, version: UInt64, payload: [UInt8], updatedAt: Date, indexFields: [String: String] = [:]) {
        self.recordType = recordType
        self.id = id
        self.version = version
        self.payload = payload
        self.updatedAt = updatedAt
        self.indexFields = indexFields
    }
}
