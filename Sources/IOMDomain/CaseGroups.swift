// The groups of a protection case (CTDC, HTCDS 2.0, Primero, IOM Data Protection Principles).

/// An identity document of a victim. Identifying.
public struct IdentityDocument: Sendable, Hashable {
    /// Document kind, e.g. passport.
    public let kind: NonEmptyString
    /// Document number.
    public let number: NonEmptyString
    /// Issuing country, if known.
    public let issuingCountry: CountryCode?
    /// Creates a document.
    public init(kind: NonEmptyString, number: NonEmptyString, issuingCountry: CountryCode?) {
        self.kind = kind; self.number = number; self.issuingCountry = issuingCountry
    }
}

/// A family member of a victim. Identifying.
public struct FamilyMember: Sendable, Hashable {
    /// Name.
    public let name: NonEmptyString
    /// Relation to the victim, e.g. mother.
    public let relation: NonEmptyString
    /// How to reach them, if known.
    public let contact: String?
    /// Creates a family member.
    public init(name: NonEmptyString, relation: NonEmptyString, contact: String?) {
        self.name = name; self.relation = relation; self.contact = contact
    }
}

/// A position on Earth (WGS 84 degrees); validated by ``ProtectionCase``.
public struct GeoPoint: Sendable, Hashable {
    /// Latitude, -90...90.
    public let latitude: Double
    /// Longitude, -180...180.
    public let longitude: Double
    /// Creates a point; range checks happen when the case is built.
    public init(latitude: Double, longitude: Double) { self.latitude = latitude; self.longitude = longitude }
}

/// Everything that identifies a person. Encrypted at rest, never on the wire to unauthorised roles.
///
/// ```swift
/// let who = IdentifyingData(givenName: try .init("Fictional"), familyName: nil, dateOfBirth: nil)
/// ```
public struct IdentifyingData: Sendable, Hashable {
    /// The person's given name.
    public let givenName: NonEmptyString?
    /// The person's family name.
    public let familyName: NonEmptyString?
    /// The date of birth.
    public let dateOfBirth: CalendarDate?
    /// Identity documents held or known.
    public let documents: [IdentityDocument]
    /// A phone number.
    public let phone: String?
    /// A postal or residential address.
    public let address: String?
    /// An exact position (banded to a region outside the full view).
    public let exactLocation: GeoPoint?
    /// References (e.g. storage keys) of photos, never the pictures themselves.
    public let photoReferences: [String]
    /// Relatives, by name and relation.
    public let familyMembers: [FamilyMember]
    /// The person's account, in free text (identifying by nature).
    public let narrative: String?

    /// Creates the group; every field is optional.
    public init(givenName: NonEmptyString? = nil, familyName: NonEmptyString? = nil, dateOfBirth: CalendarDate? = nil,
                documents: [IdentityDocument] = [], phone: String? = nil, address: String? = nil,
                exactLocation: GeoPoint? = nil, photoReferences: [String] = [], familyMembers: [FamilyMember] = [],
                narrative: String? = nil) {
        self.givenName = givenName; self.familyName = familyName; self.dateOfBirth = dateOfBirth
        self.documents = documents; self.phone = phone; self.address = address; self.exactLocation = exactLocation
        self.photoReferences = photoReferences; self.familyMembers = familyMembers; self.narrative = narrative
    }
}

/// Gender as recorded by CTDC.
public enum Gender: String, Sendable, Hashable, CaseIterable { case man, woman, transOrNonConforming, unknown }

/// CTDC age bands.
public enum AgeBand: String, Sendable, Hashable, CaseIterable {
    /// The CTDC age bands, in years: 0–8, 9–17, 18–20, 21–23, 24–26, 27–29, 30–38, 39–47, 48 and over.
    case age0to8, age9to17, age18to20, age21to23, age24to26, age27to29, age30to38, age39to47, age48plus
    /// Whether the band is under 18.
    public var isMinor: Bool { self == .age0to8 || self == .age9to17 }
    /// The band holding an age in whole years.
    public static func containing(age: Int) -> AgeBand {
        switch age {
        case ..<9: .age0to8
        case 9...17: .age9to17
        case 18...20: .age18to20
        case 21...23: .age21to23
        case 24...26: .age24to26
        case 27...29: .age27to29
        case 30...38: .age30to38
        case 39...47: .age39to47
        default: .age48plus
        }
    }
}

/// The banded profile: quasi-identifying, generalised on the wire.
///
/// ```swift
/// let p = CaseProfile(gender: .woman, ageBand: .age9to17, isMinor: true, citizenship: [try .init("NG")], countryOfExploitation: nil)
/// ```
public struct CaseProfile: Sendable, Hashable {
    /// Gender, as CTDC records it.
    public let gender: Gender
    /// The CTDC age band.
    public let ageBand: AgeBand
    /// Must agree with ``ageBand``.
    public let isMinor: Bool
    /// Citizenships (ISO 3166-1, alpha-3 on the wire), no duplicates.
    public let citizenship: [CountryCode]
    /// Where the exploitation took place, when known.
    public let countryOfExploitation: CountryCode?
    /// Creates the profile; consistency is checked by ``ProtectionCase``.
    public init(gender: Gender, ageBand: AgeBand, isMinor: Bool, citizenship: [CountryCode], countryOfExploitation: CountryCode?) {
        self.gender = gender; self.ageBand = ageBand; self.isMinor = isMinor
        self.citizenship = citizenship; self.countryOfExploitation = countryOfExploitation
    }
}

/// Whether a child travels with carers.
public enum CareArrangement: String, Sendable, Hashable, CaseIterable { case unaccompanied, separated, accompanied }

/// A best-interests assessment or determination.
public struct BestInterestsRecord: Sendable, Hashable {
    /// When it was carried out.
    public let date: CalendarDate
    /// Who carried it out (a caseworker or panel).
    public let by: NonEmptyString
    /// What it concluded, in free text.
    public let summary: String?
    /// Creates the record.
    public init(date: CalendarDate, by: NonEmptyString, summary: String?) { self.date = date; self.by = by; self.summary = summary }
}

/// Child-protection data; required for minors.
///
/// ```swift
/// let c = ChildProtection(care: .unaccompanied, bestInterestsAssessment: nil, bestInterestsDetermination: nil)
/// ```
public struct ChildProtection: Sendable, Hashable {
    /// Whether the child travels with carers.
    public let care: CareArrangement
    /// The best-interests assessment, required before a minor's case plan.
    public let bestInterestsAssessment: BestInterestsRecord?
    /// Requires an assessment first.
    public let bestInterestsDetermination: BestInterestsRecord?
    /// Creates the group.
    public init(care: CareArrangement, bestInterestsAssessment: BestInterestsRecord?, bestInterestsDetermination: BestInterestsRecord?) {
        self.care = care; self.bestInterestsAssessment = bestInterestsAssessment; self.bestInterestsDetermination = bestInterestsDetermination
    }
}

/// Whether a person is a victim of trafficking.
public enum TraffickingStatus: String, Sendable, Hashable, CaseIterable { case possible, actual, notAVictim }

/// Economic sector of forced labour (CTDC).
public enum LabourSector: String, Sendable, Hashable, CaseIterable {
    /// The CTDC sectors.
    case agriculture, construction, domesticWork, fishing, hospitality, manufacturing, mining, begging, other, unknown
}

/// Type of sexual exploitation (CTDC).
public enum SexualExploitationType: String, Sendable, Hashable, CaseIterable { case prostitution, pornography, privateSexualServices, other, unknown }

/// One type of exploitation.
public enum Exploitation: Sendable, Hashable {
    /// Forced labour, in a sector.
    case forcedLabour(LabourSector)
    /// Sexual exploitation, of a type.
    case sexualExploitation(SexualExploitationType)
    /// Forced marriage.
    case forcedMarriage
    /// Forced begging.
    case begging
    /// Another type, described.
    case other(NonEmptyString)
}

/// CTDC's means-of-control groups.
public enum MeansOfControl: String, Sendable, Hashable, CaseIterable {
    /// The CTDC means-of-control groups.
    case debtBondage, takesEarnings, threats, abuse, falsePromises, psychoactiveSubstances, restrictsMovement, withholdsDocumentsOrNecessities
}

/// The victim's relation to the recruiter (CTDC).
public enum RecruiterRelation: String, Sendable, Hashable, CaseIterable { case intimatePartner, friend, family, other, unknown }

/// How long the exploitation lasted, banded.
public enum DurationBand: String, Sendable, Hashable, CaseIterable { case underOneMonth, oneToSixMonths, sixToTwelveMonths, overOneYear, unknown }

/// Trafficking data: non-identifying.
///
/// ```swift
/// let t = TraffickingDetails(status: .possible, decidedBy: nil, exploitation: [.forcedLabour(.domesticWork)],
///                            meansOfControl: [.withholdsDocumentsOrNecessities], recruiterRelation: .unknown, duration: .unknown)
/// ```
public struct TraffickingDetails: Sendable, Hashable {
    /// Where it stands.
    public let status: TraffickingStatus
    /// The organisation that decided the status; required for `actual` and `notAVictim`.
    public let decidedBy: NonEmptyString?
    /// The types of exploitation (CTDC).
    public let exploitation: [Exploitation]
    /// The means of control used (CTDC groups).
    public let meansOfControl: Set<MeansOfControl>
    /// The victim's relation to the recruiter, when known.
    public let recruiterRelation: RecruiterRelation?
    /// How long the exploitation lasted, banded.
    public let duration: DurationBand?
    /// Creates the group.
    public init(status: TraffickingStatus, decidedBy: NonEmptyString?, exploitation: [Exploitation], meansOfControl: Set<MeansOfControl>,
                recruiterRelation: RecruiterRelation?, duration: DurationBand?) {
        self.status = status; self.decidedBy = decidedBy; self.exploitation = exploitation
        self.meansOfControl = meansOfControl; self.recruiterRelation = recruiterRelation; self.duration = duration
    }
}

/// Risk level of a case.
public enum RiskLevel: String, Sendable, Hashable, CaseIterable { case low, medium, high }

/// Protection concerns.
public enum ProtectionConcern: String, Sendable, Hashable, CaseIterable {
    /// The protection concerns.
    case trafficking, unaccompaniedChild, separatedChild, violence, detention, healthCondition, disability, statelessness, other
}

/// Services a case can receive.
public enum ServiceKind: String, Sendable, Hashable, CaseIterable {
    /// The kinds of service.
    case emergencyShelter, health, psychosocial, legal, familyTracing, returnAndReintegration, education, livelihood, other
}

/// Where a service stands.
public enum ServiceStatus: String, Sendable, Hashable, CaseIterable { case planned, inProgress, delivered, cancelled }

/// A service with its provider.
public struct CaseService: Sendable, Hashable {
    /// The kind of service.
    public let kind: ServiceKind
    /// Who provides it.
    public let provider: NonEmptyString
    /// Where it stands.
    public let status: ServiceStatus
    /// Creates a service.
    public init(kind: ServiceKind, provider: NonEmptyString, status: ServiceStatus) { self.kind = kind; self.provider = provider; self.status = status }
}

/// Where a referral stands.
public enum ReferralStatus: String, Sendable, Hashable, CaseIterable { case inProgress, accepted, rejected, done, revoked }

/// A referral to another organisation; needs consent to disclosure or an audited override.
public struct Referral: Sendable, Hashable {
    /// The receiving organisation.
    public let organisation: NonEmptyString
    /// When the referral was made.
    public let referredOn: CalendarDate
    /// Not before ``referredOn``.
    public let closedOn: CalendarDate?
    /// Where it stands.
    public let status: ReferralStatus
    /// Creates a referral.
    public init(organisation: NonEmptyString, referredOn: CalendarDate, closedOn: CalendarDate?, status: ReferralStatus) {
        self.organisation = organisation; self.referredOn = referredOn; self.closedOn = closedOn; self.status = status
    }
}

/// Protection data: non-identifying except people's names (providers).
public struct ProtectionNeeds: Sendable, Hashable {
    /// The case's risk level.
    public let risk: RiskLevel
    /// The protection concerns identified.
    public let concerns: Set<ProtectionConcern>
    /// Services planned, in progress or delivered.
    public let services: [CaseService]
    /// Referrals to other organisations.
    public let referrals: [Referral]
    /// Creates the group.
    public init(risk: RiskLevel, concerns: Set<ProtectionConcern>, services: [CaseService], referrals: [Referral]) {
        self.risk = risk; self.concerns = concerns; self.services = services; self.referrals = referrals
    }
}

/// Legitimate basis for processing (IOM Data Protection Principles).
public enum LegalBasis: String, Sendable, Hashable, CaseIterable { case consent, vitalInterest, bestInterestsOfChild, publicInterest, legalObligation }

/// Consent and purpose: governs every transfer.
///
/// ```swift
/// let c = try Consent(services: true, disclosureToOtherOrganisations: false, tracing: false, legalBasis: .consent,
///                     purpose: .init("Protection and assistance"), recordedOn: .init(year: 2017, month: 8, day: 1))
/// ```
public struct Consent: Sendable, Hashable {
    /// Services planned, in progress or delivered.
    public let services: Bool
    /// Consent to disclose the case to other organisations (referral, transfer).
    public let disclosureToOtherOrganisations: Bool
    /// Consent to family tracing.
    public let tracing: Bool
    /// The legitimate basis for processing.
    public let legalBasis: LegalBasis
    /// The specified purpose of collection.
    public let purpose: NonEmptyString
    /// When consent was recorded; required when any consent is given.
    public let recordedOn: CalendarDate?
    /// Creates the group; the case checks that given consent has a date.
    public init(services: Bool, disclosureToOtherOrganisations: Bool, tracing: Bool, legalBasis: LegalBasis,
                purpose: NonEmptyString, recordedOn: CalendarDate?) {
        self.services = services; self.disclosureToOtherOrganisations = disclosureToOtherOrganisations; self.tracing = tracing
        self.legalBasis = legalBasis; self.purpose = purpose; self.recordedOn = recordedOn
    }
    /// Whether disclosure to another organisation (referral, transfer) is consented and recorded.
    public var allowsDisclosure: Bool { disclosureToOtherOrganisations && recordedOn != nil }
}

/// One entry of a case's audit trail.
public struct AuditEntry: Sendable, Hashable {
    /// When it happened.
    public let at: Instant
    /// Who acted.
    public let actor: NonEmptyString
    /// What was done.
    public let action: NonEmptyString
    /// Creates an entry.
    public init(at: Instant, actor: NonEmptyString, action: NonEmptyString) { self.at = at; self.actor = actor; self.action = action }
}

/// Who owns a case. Internal.
public struct Ownership: Sendable, Hashable {
    /// The caseworker in charge.
    public let caseworker: NonEmptyString
    /// The agency the caseworker belongs to.
    public let agency: NonEmptyString
    /// Every status change and override, oldest first.
    public let auditTrail: [AuditEntry]
    /// Creates the group.
    public init(caseworker: NonEmptyString, agency: NonEmptyString, auditTrail: [AuditEntry]) {
        self.caseworker = caseworker; self.agency = agency; self.auditTrail = auditTrail
    }
}

/// What an override of missing consent allows.
public enum OverrideScope: String, Sendable, Hashable, CaseIterable { case referral, transfer }

/// An explicit decision to refer or transfer without recorded consent. Carries who and why, for audit.
///
/// ```swift
/// let o = ConsentOverride(scope: .transfer, by: try .init("supervisor-1"), reason: try .init("Child at immediate risk"), at: now)
/// ```
public struct ConsentOverride: Sendable, Hashable {
    /// The step the override covers (a referral or a transfer).
    public let scope: OverrideScope
    /// Who made it (a supervisor).
    public let by: NonEmptyString
    /// Why.
    public let reason: NonEmptyString
    /// When it happened.
    public let at: Instant
    /// Creates an override.
    public init(scope: OverrideScope, by: NonEmptyString, reason: NonEmptyString, at: Instant) {
        self.scope = scope; self.by = by; self.reason = reason; self.at = at
    }
}
