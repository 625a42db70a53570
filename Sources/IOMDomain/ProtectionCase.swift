/// A victim-protection case: the sensitive record.
///
/// Built only through the throwing initialiser, which checks every group and reports all
/// problems at once. Its status changes only through ``transition(to:at:by:override:)``.
/// Which fields identify a person is declared in ``fieldClassification``.
///
/// ```swift
/// let c = try ProtectionCase(id: .init("case-0001"), version: 1, createdAt: t, updatedAt: t,
///     shortID: .init("MA-0001"), status: .identified, identifying: nil, profile: profile,
///     children: nil, trafficking: nil, protection: nil, consent: consent,
///     retentionUntil: .init(year: 2030, month: 1, day: 1), ownership: owner)
/// let next = try c.transition(to: .registered, at: later, by: .init("caseworker-7"))
/// ```
public struct ProtectionCase: DomainRecord {
    /// The record type of this record.
    public static let recordType = RecordType.protectionCase
    /// Pseudonymous case identifier.
    public let id: Identifier<ProtectionCase>
    /// The record's version: 1 when created, one more at each update.
    public internal(set) var version: UInt64
    /// When version 1 was saved.
    public let createdAt: Instant
    /// When this version was saved.
    public internal(set) var updatedAt: Instant
    /// Short human-readable case number (no personal data).
    public let shortID: NonEmptyString
    /// Workflow state.
    public let status: CaseStatus
    /// Identifying data; absent when redacted or not collected.
    public let identifying: IdentifyingData?
    /// Banded profile (CTDC).
    public let profile: CaseProfile
    /// Child protection; required for a minor.
    public let children: ChildProtection?
    /// Trafficking details.
    public let trafficking: TraffickingDetails?
    /// Risk, concerns, services and referrals.
    public let protection: ProtectionNeeds?
    /// Consent and purpose.
    public let consent: Consent
    /// Overrides of missing consent, kept for audit.
    public let consentOverrides: [ConsentOverride]
    /// The organisation a transferred case went to.
    public let transferredTo: NonEmptyString?
    /// The data must be deleted or anonymised after this day.
    public let retentionUntil: CalendarDate
    /// Caseworker, agency and audit trail.
    public let ownership: Ownership

    /// Validates every group and reports all problems at once.
    public init(id: Identifier<ProtectionCase>, version: UInt64, createdAt: Instant, updatedAt: Instant,
                shortID: NonEmptyString, status: CaseStatus, identifying: IdentifyingData?, profile: CaseProfile,
                children: ChildProtection?, trafficking: TraffickingDetails?, protection: ProtectionNeeds?,
                consent: Consent, consentOverrides: [ConsentOverride] = [], transferredTo: NonEmptyString? = nil,
                retentionUntil: CalendarDate, ownership: Ownership) throws(ValidationError) {
        var v = Validator()
        let p = "protectionCase"
        checkMetadata(&v, p, version: version, createdAt: createdAt, updatedAt: updatedAt)
        checkBounds(&v, p, identifying: identifying, profile: profile, children: children, trafficking: trafficking,
                    protection: protection, consent: consent, consentOverrides: consentOverrides,
                    transferredTo: transferredTo, ownership: ownership)
        if shortID.value.count > 32 { v.fail("\(p).shortID", shortID.value, "is longer than 32 characters") }
        if let loc = identifying?.exactLocation {
            if !(-90...90).contains(loc.latitude) { v.fail("\(p).identifying.exactLocation.latitude", "\(loc.latitude)", "is not in -90...90") }
            if !(-180...180).contains(loc.longitude) { v.fail("\(p).identifying.exactLocation.longitude", "\(loc.longitude)", "is not in -180...180") }
        }
        if profile.isMinor != profile.ageBand.isMinor {
            v.fail("\(p).profile.isMinor", "\(profile.isMinor)", "contradicts ageBand \(profile.ageBand.rawValue)")
        }
        var seen = Set<CountryCode>()
        for (i, c) in profile.citizenship.enumerated() where !seen.insert(c).inserted {
            v.fail("\(p).profile.citizenship[\(i)]", c.alpha3, "is listed twice")
        }
        if profile.isMinor, children == nil {
            v.fail("\(p).children", "nil", "is required for a minor")
        }
        if let ch = children, ch.bestInterestsDetermination != nil, ch.bestInterestsAssessment == nil {
            v.fail("\(p).children.bestInterestsDetermination", ch.bestInterestsDetermination!.date.description, "needs a best-interests assessment first")
        }
        if let t = trafficking, t.status != .possible, t.decidedBy == nil {
            v.fail("\(p).trafficking.decidedBy", "nil", "is required when status is \(t.status.rawValue)")
        }
        if let refs = protection?.referrals {
            let overridden = consentOverrides.contains { $0.scope == .referral }
            for (i, r) in refs.enumerated() {
                if let closed = r.closedOn, closed < r.referredOn {
                    v.fail("\(p).protection.referrals[\(i)].closedOn", closed.description, "is before referredOn \(r.referredOn)")
                }
                if !consent.allowsDisclosure, !overridden {
                    v.fail("\(p).protection.referrals[\(i)]", r.organisation.value, "needs recorded consent to disclosure or an override")
                }
            }
        }
        if (consent.services || consent.disclosureToOtherOrganisations || consent.tracing), consent.recordedOn == nil {
            v.fail("\(p).consent.recordedOn", "nil", "is required when consent is given")
        }
        if status == .transferred {
            if transferredTo == nil { v.fail("\(p).transferredTo", "nil", "is required for a transferred case") }
            if !consent.allowsDisclosure, !consentOverrides.contains(where: { $0.scope == .transfer }) {
                v.fail("\(p).status", status.rawValue, "needs recorded consent to disclosure or a transfer override")
            }
        } else if let to = transferredTo {
            v.fail("\(p).transferredTo", to.value, "is only allowed for a transferred case")
        }
        if retentionUntil < createdAt.utcDate {
            v.fail("\(p).retentionUntil", retentionUntil.description, "is before the case was created (\(createdAt.utcDate))")
        }
        try v.finish()
        self.id = id; self.version = version; self.createdAt = createdAt; self.updatedAt = updatedAt
        self.shortID = shortID; self.status = status; self.identifying = identifying; self.profile = profile
        self.children = children; self.trafficking = trafficking; self.protection = protection; self.consent = consent
        self.consentOverrides = consentOverrides; self.transferredTo = transferredTo
        self.retentionUntil = retentionUntil; self.ownership = ownership
    }

    /// This record, wrapped as an ``AnyRecord``.
    public var anyRecord: AnyRecord { .protectionCase(self) }
}

/// The bounds of every text, list and instant of a case (``RecordBounds``).
private func checkBounds(_ v: inout Validator, _ p: String, identifying: IdentifyingData?, profile: CaseProfile,
                         children: ChildProtection?, trafficking: TraffickingDetails?, protection: ProtectionNeeds?,
                         consent: Consent, consentOverrides: [ConsentOverride], transferredTo: NonEmptyString?,
                         ownership: Ownership) {
    if let id = identifying {
        let q = "\(p).identifying"
        v.bound(text: id.givenName, "\(q).givenName")
        v.bound(text: id.familyName, "\(q).familyName")
        if v.bound(count: id.documents, "\(q).documents") {
            for (i, d) in id.documents.enumerated() {
                v.bound(text: d.kind, "\(q).documents[\(i)].kind")
                v.bound(text: d.number, "\(q).documents[\(i)].number")
            }
        }
        v.bound(text: id.phone, "\(q).phone")
        v.bound(text: id.address, "\(q).address")
        if v.bound(count: id.photoReferences, "\(q).photoReferences") {
            for (i, r) in id.photoReferences.enumerated() { v.bound(text: r, "\(q).photoReferences[\(i)]") }
        }
        if v.bound(count: id.familyMembers, "\(q).familyMembers") {
            for (i, m) in id.familyMembers.enumerated() {
                v.bound(text: m.name, "\(q).familyMembers[\(i)].name")
                v.bound(text: m.relation, "\(q).familyMembers[\(i)].relation")
                v.bound(text: m.contact, "\(q).familyMembers[\(i)].contact")
            }
        }
        v.bound(text: id.narrative, "\(q).narrative")
    }
    v.bound(count: profile.citizenship, "\(p).profile.citizenship")
    if let ch = children {
        for (name, record) in [("bestInterestsAssessment", ch.bestInterestsAssessment), ("bestInterestsDetermination", ch.bestInterestsDetermination)] {
            guard let record else { continue }
            v.bound(text: record.by, "\(p).children.\(name).by")
            v.bound(text: record.summary, "\(p).children.\(name).summary")
        }
    }
    if let t = trafficking {
        v.bound(text: t.decidedBy, "\(p).trafficking.decidedBy")
        v.bound(count: t.exploitation, "\(p).trafficking.exploitation")
    }
    if let n = protection {
        if v.bound(count: n.services, "\(p).protection.services") {
            for (i, s) in n.services.enumerated() { v.bound(text: s.provider, "\(p).protection.services[\(i)].provider") }
        }
        if v.bound(count: n.referrals, "\(p).protection.referrals") {
            for (i, r) in n.referrals.enumerated() { v.bound(text: r.organisation, "\(p).protection.referrals[\(i)].organisation") }
        }
    }
    v.bound(text: consent.purpose, "\(p).consent.purpose")
    if v.bound(count: consentOverrides, "\(p).consentOverrides") {
        for (i, o) in consentOverrides.enumerated() {
            v.bound(text: o.by, "\(p).consentOverrides[\(i)].by")
            v.bound(text: o.reason, "\(p).consentOverrides[\(i)].reason")
            v.bound(instant: o.at, "\(p).consentOverrides[\(i)].at")
        }
    }
    v.bound(text: transferredTo, "\(p).transferredTo")
    v.bound(text: ownership.caseworker, "\(p).ownership.caseworker")
    v.bound(text: ownership.agency, "\(p).ownership.agency")
    if v.bound(count: ownership.auditTrail, "\(p).ownership.auditTrail") {
        for (i, e) in ownership.auditTrail.enumerated() {
            v.bound(text: e.actor, "\(p).ownership.auditTrail[\(i)].actor")
            v.bound(text: e.action, "\(p).ownership.auditTrail[\(i)].action")
            v.bound(instant: e.at, "\(p).ownership.auditTrail[\(i)].at")
        }
    }
}

extension Instant {
    /// The UTC calendar day of this instant.
    public var utcDate: CalendarDate {
        var days = millisecondsSince1970 / 86_400_000
        if millisecondsSince1970 % 86_400_000 < 0 { days -= 1 }
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = Int(doy - (153 * mp + 2) / 5 + 1)
        let m = Int(mp < 10 ? mp + 3 : mp - 9)
        let y = Int(yoe + era * 400) + (m <= 2 ? 1 : 0)
        return (try? CalendarDate(year: min(max(y, 1), 9999), month: m, day: d)) ?? (try! CalendarDate(year: 1970, month: 1, day: 1))
    }
}
