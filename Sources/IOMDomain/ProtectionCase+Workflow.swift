extension ProtectionCase {
    /// Moves the case along the workflow, returning the next version.
    ///
    /// Rules: only edges of ``CaseStatus/successors``; a minor reaches `casePlan` only with a
    /// best-interests assessment; `closedReferred` and `transferred` need recorded consent to
    /// disclosure or an explicit ``ConsentOverride`` of the matching scope (kept on the case for audit).
    /// Every transition appends an audit entry and bumps the version.
    ///
    /// ```swift
    /// let registered = try identified.transition(to: .registered, at: now, by: .init("caseworker-7"))
    /// let moved = try open.transition(to: .transferred, at: now, by: who, transferTo: .init("UNICEF"),
    ///     override: ConsentOverride(scope: .transfer, by: who, reason: .init("Child at risk"), at: now))
    /// ```
    public func transition(to next: CaseStatus, at: Instant, by actor: NonEmptyString,
                           transferTo: NonEmptyString? = nil,
                           override: ConsentOverride? = nil) throws(CaseTransitionError) -> ProtectionCase {
        guard status.canMove(to: next) else { throw .illegal(from: status, to: next) }
        if next == .casePlan, profile.isMinor, children?.bestInterestsAssessment == nil {
            throw .bestInterestsAssessmentRequired
        }
        var overrides = consentOverrides
        if next == .closedReferred || next == .transferred {
            let scope: OverrideScope = next == .transferred ? .transfer : .referral
            if let o = override {
                guard o.scope == scope else { throw .overrideScopeMismatch(expected: scope, got: o.scope) }
                overrides.append(o)
            } else if !consent.allowsDisclosure {
                throw .consentRequired(next)
            }
        }
        if next == .transferred, transferTo == nil { throw .transferDestinationRequired }
        var trail = ownership.auditTrail
        let action = (try? NonEmptyString("status \(status.rawValue) -> \(next.rawValue)" + (override.map { " (override: \($0.reason))" } ?? "")))!
        trail.append(AuditEntry(at: at, actor: actor, action: action))
        do {
            return try ProtectionCase(
                id: id, version: version + 1, createdAt: createdAt, updatedAt: max(at, updatedAt),
                shortID: shortID, status: next, identifying: identifying, profile: profile, children: children,
                trafficking: trafficking, protection: protection, consent: consent, consentOverrides: overrides,
                transferredTo: next == .transferred ? transferTo : nil, retentionUntil: retentionUntil,
                ownership: Ownership(caseworker: ownership.caseworker, agency: ownership.agency, auditTrail: trail))
        } catch {
            throw .invalid(error)
        }
    }
}
