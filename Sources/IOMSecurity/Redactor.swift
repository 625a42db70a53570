import IOMDomain

/// Prepares protection cases and changes for a ``BridgeView``, driven by
/// ``IOMDomain/ProtectionCase/fieldClassification``.
///
/// * `full`: unchanged.
/// * `redacted`: every **identifying** field removed (`identifying` absent — names, birth date,
///   documents, contacts, exact location, photos, family, narrative — and the best-interests
///   summaries); **quasi-identifying** fields generalised: people's names (caseworker, service
///   providers, best-interests authors, override authors and reasons, audit actors) become
///   ``withheld``, best-interests dates become the first day of their month; the profile is
///   already banded (CTDC age band, gender, citizenship) and stays.
/// * `public`: protection cases are withheld (`nil`).
///
/// Records of other types are package and pass unchanged in every view.
///
/// ```swift
/// let safe = Redactor.redact(change, for: .redacted)   // nil = withheld
/// ```
package enum Redactor {
    /// The text that replaces a generalised name.
    package static let withheld = "[withheld]"

    /// The case as `view` may carry it; `nil` when the view carries no protection case.
    package static func redact(_ c: ProtectionCase, for view: BridgeView) -> ProtectionCase? {
        switch view {
        case .full: return c
        case .public: return nil
        case .redacted: return generalised(c)
        }
    }

    /// Any record as `view` may carry it; `nil` = withheld.
    package static func redact(_ record: AnyRecord, for view: BridgeView) -> AnyRecord? {
        guard case .protectionCase(let c) = record else { return record }
        return redact(c, for: view).map(AnyRecord.protectionCase)
    }

    /// A change as `view` may carry it — both `before` and `after` redacted — or `nil` when it
    /// must be withheld (a protection-case change on the `public` view). Sequence, kind, id and
    /// version are unchanged, so a subscriber of any view sees the same positions.
    package static func redact(_ change: Change, for view: BridgeView) -> Change? {
        guard change.recordType == .protectionCase, view != .full else { return change }
        guard view == .redacted else { return nil }
        let before = change.before.flatMap { redact($0, for: view) }
        let after = change.after.flatMap { redact($0, for: view) }
        if (change.before == nil) != (before == nil) || (change.after == nil) != (after == nil) { return nil }
        return try? Change(kind: change.kind, before: before, after: after, version: change.version)
    }

    /// Whether `c` holds nothing a `redacted` view may not carry.
    package static func isRedacted(_ c: ProtectionCase) -> Bool {
        let identifying = ProtectionCase.fieldClassification.filter { $0.value == .identifying }.keys
        let values = c.fieldValues
        return identifying.allSatisfy { values[$0] == nil }
    }

    private static let withheldName = try! NonEmptyString(withheld)

    static func generalised(_ c: ProtectionCase) -> ProtectionCase? {
        let w = withheldName
        func monthOf(_ d: CalendarDate) -> CalendarDate { (try? CalendarDate(year: d.year, month: d.month, day: 1)) ?? d }
        func bi(_ r: BestInterestsRecord?) -> BestInterestsRecord? {
            r.map { BestInterestsRecord(date: monthOf($0.date), by: w, summary: nil) }
        }
        let children = c.children.map {
            ChildProtection(care: $0.care, bestInterestsAssessment: bi($0.bestInterestsAssessment),
                            bestInterestsDetermination: bi($0.bestInterestsDetermination))
        }
        let protection = c.protection.map {
            ProtectionNeeds(risk: $0.risk, concerns: $0.concerns,
                            services: $0.services.map { CaseService(kind: $0.kind, provider: w, status: $0.status) },
                            referrals: $0.referrals)
        }
        let overrides = c.consentOverrides.map { ConsentOverride(scope: $0.scope, by: w, reason: w, at: $0.at) }
        let ownership = Ownership(caseworker: w, agency: c.ownership.agency,
                                  auditTrail: c.ownership.auditTrail.map { AuditEntry(at: $0.at, actor: w, action: $0.action) })
        return try? ProtectionCase(
            id: c.id, version: c.version, createdAt: c.createdAt, updatedAt: c.updatedAt, shortID: c.shortID, status: c.status,
            identifying: nil, profile: c.profile, children: children, trafficking: c.trafficking, protection: protection,
            consent: c.consent, consentOverrides: overrides, transferredTo: c.transferredTo, retentionUntil: c.retentionUntil,
            ownership: ownership)
    }

    /// A service provider's copy: the internal audit trail of the case removed.
    static func forProvider(_ c: ProtectionCase) -> ProtectionCase? {
        try? ProtectionCase(
            id: c.id, version: c.version, createdAt: c.createdAt, updatedAt: c.updatedAt, shortID: c.shortID, status: c.status,
            identifying: c.identifying, profile: c.profile, children: c.children, trafficking: c.trafficking, protection: c.protection,
            consent: c.consent, consentOverrides: c.consentOverrides, transferredTo: c.transferredTo, retentionUntil: c.retentionUntil,
            ownership: Ownership(caseworker: c.ownership.caseworker, agency: c.ownership.agency, auditTrail: []))
    }
}
