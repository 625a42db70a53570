#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The identity of the store that produced a change.
///
/// A source identifier is created once, when a store file is first opened, and kept in the file.
/// It never changes afterwards, so `(source, sequence)` names one change for ever.
public struct SourceID: Hashable, Sendable, CustomStringConvertible {
    /// The underlying UUID.
    public let uuid: UUID

    /// Wraps an existing UUID.
    public init(_ uuid: UUID) { self.uuid = uuid }

    /// A readable form, for logs and messages.
    public var description: String { uuid.uuidString.lowercased() }
}
