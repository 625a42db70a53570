/// What a principal does in the organisation (Primero-style roles, plus `service` for a
/// replicating IOMKit service). The ``AccessPolicy`` says what each may do.
///
/// ```swift
/// Role(rawValue: "analyst") // .analyst
/// ```
public enum Role: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Manages their own cases: reads and writes every field of them; cannot reassign them or
    /// override missing consent.
    case caseworker
    /// Oversees a team's cases: everything a caseworker does on them, plus reassignment,
    /// consent overrides (approvals) and deletion after the retention date.
    case supervisor
    /// Anonymised, banded data only: reads redacted cases and statistics, never identifying fields.
    case analyst
    /// An organisation cases are referred to: reads only those cases (not their internal audit
    /// data) and may only update the status of services.
    case serviceProvider
    /// Reads the audit trail (and, read-only, the cases it refers to).
    case auditor
    /// A replicating IOMKit service (bridge replica): reads and writes everything.
    case service

    /// A readable form, for logs and messages.
    public var description: String { rawValue }
}
