import IOMChanges

/// The store is the journal a bridge publisher reads (`source` is the store's own; the
/// methods are in `RecordStore+Reading.swift` and `RecordStore+Held.swift`).
extension RecordStore: ChangeJournal {}
