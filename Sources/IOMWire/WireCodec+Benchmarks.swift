import SwiftProtobuf

/// The generated `iom.v1.Change` message, decoded by SwiftProtobuf alone (no mapping to domain
/// types, no validation), for the `Bridge/tcp-256B/handwritten` benchmark: what a Swift
/// developer without IOMKit gets from running `protoc` on `Protocols/`. Not for applications.
///
/// ```swift
/// import IOMWire
///
/// let message = try GeneratedChange(serializedBytes: dataFrame)
/// print(message.recordID)
/// ```
package struct GeneratedChange: Sendable {
    let message: Iom_V1_Change

    /// Decodes an `iom.v1.Change` data frame with SwiftProtobuf, as generated code would.
    package init(serializedBytes bytes: [UInt8]) throws {
        message = try Iom_V1_Change(serializedBytes: bytes)
    }

    /// The changed record's identifier (`record_id`).
    package var recordID: String { message.recordID }

    /// The changed record's version after the change (`version`).
    package var version: UInt64 { message.version }
}
