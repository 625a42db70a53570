import IOMDomain
import IOMStore

extension IOMDomain.ChangeKind {
    /// The domain kind of a journal entry's kind (the store's own enum, which does not know
    /// the domain). The switch is exhaustive, so a kind added to either enum fails to compile
    /// here instead of being mapped by name at run time.
    ///
    /// ```swift
    /// let kind = IOMDomain.ChangeKind(entry.kind)   // entry: JournalEntry
    /// ```
    public init(_ kind: IOMStore.ChangeKind) {
        switch kind {
        case .created: self = .created
        case .updated: self = .updated
        case .deleted: self = .deleted
        }
    }
}
