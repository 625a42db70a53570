import IOMDomain

/// Who may do what to which protection case, for which purpose, field by field — the domain's
/// role table (Primero-style):
///
/// | role | purposes | actions | reads | writes |
/// |---|---|---|---|---|
/// | caseworker | caseManagement, referral | read, create, update, transition | own cases, every field | own cases, every field except `ownership.caseworker`, `ownership.agency`, `consentOverrides` |
/// | supervisor | caseManagement, referral, supervision, retention | + delete | team's cases, every field | every field (reassignment, consent overrides) |
/// | analyst | statistics | read, exportStatistics | every case, never identifying fields (redacted copy) | nothing |
/// | serviceProvider | serviceDelivery | read, update | cases referred to it, all but `ownership.auditTrail` | `protection.services[].status` only |
/// | auditor | audit | read, readAudit | every case, every field | nothing |
/// | service | replication | every action | every case, every field | every field |
///
/// Every refusal is a ``Forbidden`` naming the role, the action and, when one field is the
/// reason, the field.
///
/// ```swift
/// let policy = AccessPolicy.standard
/// try policy.authorize(.analyst("a-1"), .read, purpose: .statistics, case: c)       // allowed
/// let copy = policy.readableCopy(of: c, for: .analyst("a-1"))                      // redacted
/// try policy.authorizeWrite(.caseworker("cw-1"), .update, purpose: .caseManagement, before: old, after: new)
/// ```
package struct AccessPolicy: Sendable {
    /// The domain's role table.
    package static let standard = AccessPolicy()

    /// Creates the standard policy.
    package init() {}

    /// The purposes a role may act for.
    package func purposes(of role: Role) -> Set<Purpose> {
        switch role {
        case .caseworker: [.caseManagement, .referral]
        case .supervisor: [.caseManagement, .referral, .supervision, .retention]
        case .analyst: [.statistics]
        case .serviceProvider: [.serviceDelivery]
        case .auditor: [.audit]
        case .service: [.replication]
        }
    }

    /// The actions a role may take (on cases in its scope).
    package func actions(of role: Role) -> Set<Action> {
        switch role {
        case .caseworker: [.read, .create, .update, .transition]
        case .supervisor: [.read, .create, .update, .transition, .delete]
        case .analyst: [.read, .exportStatistics]
        case .serviceProvider: [.read, .update]
        case .auditor: [.read, .readAudit]
        case .service: Set(Action.allCases)
        }
    }

    /// Whether a role may read `field` (a ``IOMDomain/ProtectionCase/fieldClassification`` path).
    package func canRead(_ role: Role, _ field: FieldPath) -> Bool {
        switch role {
        case .caseworker, .supervisor, .auditor, .service: return true
        case .analyst: return (ProtectionCase.fieldClassification[field] ?? .identifying) != .identifying
        case .serviceProvider: return !field.rawValue.hasPrefix("protectionCase.ownership.auditTrail")
        }
    }

    /// Whether a role may write `field`.
    package func canWrite(_ role: Role, _ field: FieldPath) -> Bool {
        switch role {
        case .supervisor, .service: return true
        case .caseworker:
            return field != "protectionCase.ownership.caseworker" && field != "protectionCase.ownership.agency"
                && !field.rawValue.hasPrefix("protectionCase.consentOverrides")
        case .serviceProvider: return field == "protectionCase.protection.services[].status"
        case .analyst, .auditor: return false
        }
    }

    /// Checks role, purpose, action and record scope.
    ///
    /// - Throws: ``Forbidden`` when any of them does not allow the access.
    package func authorize(_ principal: Principal, _ action: Action, purpose: Purpose, case c: ProtectionCase? = nil) throws(Forbidden) {
        let id = c?.id.rawValue
        guard purposes(of: principal.role).contains(purpose) else {
            throw Forbidden(principal: principal, action: action, purpose: purpose, recordID: id,
                            reason: "\(Self.article(principal.role)) may act only for \(purposes(of: principal.role).map(\.rawValue).sorted().joined(separator: ", "))")
        }
        guard actions(of: principal.role).contains(action) else {
            throw Forbidden(principal: principal, action: action, purpose: purpose, recordID: id,
                            reason: "\(Self.article(principal.role)) may only \(actions(of: principal.role).map(\.rawValue).sorted().joined(separator: ", "))")
        }
        if action == .delete, purpose != .retention, purpose != .replication {
            throw Forbidden(principal: principal, action: action, purpose: purpose, recordID: id,
                            reason: "a case is deleted only for retention (after its retention date)")
        }
        if let c, !principal.scope.contains(c) {
            throw Forbidden(principal: principal, action: action, purpose: purpose, recordID: id,
                            reason: "the case is outside the principal's scope (\(principal.scope))")
        }
    }

    /// Checks a write (create, update, transition): ``authorize(_:_:purpose:case:)`` on the
    /// state before and after, then every changed field against ``canWrite(_:_:)`` (a creation
    /// may set `ownership.caseworker` and `ownership.agency`, which the scope keeps in bounds).
    ///
    /// - Returns: the changed fields (for the audit trail).
    /// - Throws: ``Forbidden`` naming the first field (in path order) the role may not write.
    @discardableResult
    package func authorizeWrite(_ principal: Principal, _ action: Action, purpose: Purpose,
                               before: ProtectionCase?, after: ProtectionCase) throws(Forbidden) -> Set<FieldPath> {
        if let before { try authorize(principal, action, purpose: purpose, case: before) }
        try authorize(principal, action, purpose: purpose, case: after)
        let changed = after.changedFields(since: before)
        // A new case names its owner and agency; the scope check above keeps them the principal's own.
        let exempt: Set<FieldPath> = before == nil ? ["protectionCase.ownership.caseworker", "protectionCase.ownership.agency"] : []
        if let field = changed.sorted().first(where: { !exempt.contains($0) && !canWrite(principal.role, $0) }) {
            throw Forbidden(principal: principal, action: action, purpose: purpose, recordID: after.id.rawValue, field: field,
                            reason: "\(Self.article(principal.role)) may not write this field")
        }
        return changed
    }

    /// The copy of `c` the principal may read (assumes ``authorize(_:_:purpose:case:)`` passed):
    /// the full case, the redacted one for an analyst, no internal audit trail for a provider.
    package func readableCopy(of c: ProtectionCase, for principal: Principal) -> ProtectionCase? {
        switch principal.role {
        case .caseworker, .supervisor, .auditor, .service: c
        case .analyst: Redactor.redact(c, for: .redacted)
        case .serviceProvider: Redactor.forProvider(c)
        }
    }

    /// "an analyst", "a caseworker": the role with its article, for refusal texts.
    static func article(_ role: Role) -> String {
        let name = "\(role)"
        return (name.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + name
    }
}

extension CaseScope: CustomStringConvertible {
    /// A readable form, for logs and messages.
    public var description: String {
        switch self {
        case .all: "all cases"
        case .caseworker(let id): "cases of caseworker \"\(id)\""
        case .team(let ids): "cases of \(ids.sorted().joined(separator: ", "))"
        case .referredTo(let org): "cases referred to \"\(org)\""
        }
    }
}
