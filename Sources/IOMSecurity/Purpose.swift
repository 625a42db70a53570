/// Why a principal reads or writes a protection case (IOM Data Protection Principles:
/// specified purpose). Recorded in every audit entry; each role may act only for some purposes.
public enum Purpose: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Registering, assessing and following a case.
    case caseManagement
    /// Referring or transferring a case to another organisation.
    case referral
    /// Delivering a service the case was referred for.
    case serviceDelivery
    /// Oversight and approvals by a supervisor.
    case supervision
    /// Anonymised statistics and analysis.
    case statistics
    /// Reviewing who did what.
    case audit
    /// Replicating the data to another IOMKit service.
    case replication
    /// Deleting a case after its retention date.
    case retention

    /// A readable form, for logs and messages.
    public var description: String { rawValue }
}

/// What a principal does to a protection case.
public enum Action: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// What a principal can do to a protection case.
    case read, create, update, transition, delete
    /// Reading the audit trail.
    case readAudit
    /// Exporting statistics.
    case exportStatistics
    /// A readable form, for logs and messages.
    public var description: String { rawValue }
}
