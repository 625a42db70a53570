/// One accepted change to one record: the value the store journals and the bus and bridge carry.
///
/// A creation has only `after`, a deletion only `before`, an update both (same record, higher version).
///
/// ```swift
/// let change = try Change(kind: .created, before: nil, after: mission.anyRecord)
/// change.recordType // .mission
/// ```
public struct Change: Sendable, Hashable {
    /// The kind of record changed.
    public let recordType: RecordType
    /// Created, updated or deleted.
    public let kind: ChangeKind
    /// Identifier text of the record.
    public let recordID: String
    /// The record version this change produces (for a deletion: the version after the last update, plus one).
    public let version: UInt64
    /// The state before the change (updates and deletions).
    public let before: AnyRecord?
    /// The state after the change (creations and updates).
    public let after: AnyRecord?

    /// Checks that the states fit the kind, belong to one record and that versions grow.
    public init(kind: ChangeKind, before: AnyRecord?, after: AnyRecord?, version: UInt64? = nil) throws(ValidationError) {
        var v = Validator()
        switch kind {
        case .created:
            if after == nil { v.fail("change.after", "nil", "is required for a creation") }
            if before != nil { v.fail("change.before", before?.recordID ?? "", "must be empty for a creation") }
        case .updated:
            if after == nil { v.fail("change.after", "nil", "is required for an update") }
            if before == nil { v.fail("change.before", "nil", "is required for an update") }
        case .deleted:
            if before == nil { v.fail("change.before", "nil", "is required for a deletion") }
            if after != nil { v.fail("change.after", after?.recordID ?? "", "must be empty for a deletion") }
        }
        if let b = before, let a = after {
            if b.recordType != a.recordType { v.fail("change.after", a.recordType.rawValue, "is not a \(b.recordType.rawValue)") }
            if b.recordID != a.recordID { v.fail("change.after.id", a.recordID, "differs from before.id \"\(b.recordID)\"") }
            if a.version <= b.version { v.fail("change.after.version", "\(a.version)", "must be greater than before.version \(b.version)") }
        }
        let state = after ?? before
        let resolved = version ?? (after?.version ?? (before.map { $0.version + 1 } ?? 0))
        if let a = after, resolved != a.version { v.fail("change.version", "\(resolved)", "differs from after.version \(a.version)") }
        if after == nil, let b = before, resolved <= b.version { v.fail("change.version", "\(resolved)", "must be greater than before.version \(b.version)") }
        try v.finish()
        self.kind = kind
        self.before = before
        self.after = after
        self.recordType = state!.recordType
        self.recordID = state!.recordID
        self.version = resolved
    }
}
