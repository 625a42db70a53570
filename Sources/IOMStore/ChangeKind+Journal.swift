import IOMDomain

/// The code of each kind in the journal's `kind` column.
extension ChangeKind {
    /// The kind's code in the journal's `kind` column (1 created, 2 updated, 3 deleted).
    var journalCode: UInt8 {
        switch self {
        case .created: 1
        case .updated: 2
        case .deleted: 3
        }
    }

    /// The kind a journal `kind` column holds, or `nil` for a code no version wrote.
    init?(journalCode: UInt8) {
        switch journalCode {
        case 1: self = .created
        case 2: self = .updated
        case 3: self = .deleted
        default: return nil
        }
    }
}
