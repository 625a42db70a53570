/// Errors of the store. Each explains what happened and what to do.
package enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The record is not at the version the caller read; nothing was changed.
    /// `actual` is `nil` when the record does not exist.
    case conflict(recordType: String, id: String, expected: UInt64, actual: UInt64?)
    /// A create named a record that already exists; nothing was changed.
    case alreadyExists(recordType: String, id: String, version: UInt64)
    /// The requested journal range was removed by retention.
    case journalPruned(requested: UInt64, oldestAvailable: UInt64)
    /// An argument is invalid; nothing was changed.
    case invalidArgument(String)
    /// A mutation carried a ``Mutation/requestKey`` the store already remembers (see
    /// ``RecordStore/request(_:)``): the request was applied before; nothing was changed.
    case duplicateRequest(key: String)
    /// The store was closed.
    case closed
    /// The file is not an IOMStore file, or was written by a newer version of this library.
    case incompatibleFile(String)
    /// SQLite or the file system failed; nothing of the failing transaction was committed.
    case storage(String)

    package var description: String {
        switch self {
        case let .conflict(type, id, expected, actual):
            let now = actual.map { "is at version \($0)" } ?? "does not exist"
            return "conflict: \(type) \"\(id)\" was expected at version \(expected) but \(now); nothing was changed. Read it again and reapply your change."
        case let .alreadyExists(type, id, version):
            return "\(type) \"\(id)\" already exists (version \(version)); nothing was changed. Use an update with that version instead."
        case let .journalPruned(requested, oldest):
            return "journal entries from sequence \(requested) were pruned by retention; the oldest available is \(oldest). Take a snapshot (it carries its sequence) and read the journal from there."
        case let .invalidArgument(message):
            return "invalid argument: \(message); nothing was changed."
        case let .duplicateRequest(key):
            return "the request \"\(key)\" was applied before; nothing was changed. Its first result is remembered: read it with request(_:)."
        case .closed:
            return "the store is closed; open it again."
        case let .incompatibleFile(message):
            return "incompatible store file: \(message)"
        case let .storage(message):
            return "storage failure: \(message); the change was not committed."
        }
    }
}
