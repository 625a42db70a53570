import IOMChanges

/// The store is the journal a bridge publisher reads (every requirement is implemented in
/// `RecordStore+Reading.swift` and `RecordStore+Held.swift`).
extension RecordStore: ChangeJournal {}
