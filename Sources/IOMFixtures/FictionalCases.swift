import IOMDomain

/// FICTIONAL protection cases and an illustrative member state, for tests and test vectors only.
/// No real person: every name is marked "FICTIONAL".
///
/// ```swift
/// let c = FictionalCases.complete   // a minor with every optional group filled
/// ```
public enum FictionalCases {
    static let t0 = Instant(millisecondsSince1970: 1_700_000_000_000) // 2023-11-14
    static let t1 = Instant(millisecondsSince1970: 1_700_086_400_000)

    /// An adult case just identified, with only the required groups.
    public static let minimal: ProtectionCase = build {
        try ProtectionCase(
            id: .init("case-fictional-0001"), version: 1, createdAt: t0, updatedAt: t0,
            shortID: .init("TEST-0001"), status: .identified, identifying: nil,
            profile: CaseProfile(gender: .unknown, ageBand: .age24to26, isMinor: false, citizenship: [], countryOfExploitation: nil),
            children: nil, trafficking: nil, protection: nil,
            consent: Consent(services: false, disclosureToOtherOrganisations: false, tracing: false, legalBasis: .vitalInterest,
                             purpose: .init("FICTIONAL test purpose: protection and assistance"), recordedOn: nil),
            retentionUntil: .init(year: 2033, month: 11, day: 14),
            ownership: Ownership(caseworker: .init("FICTIONAL caseworker A"), agency: .init("FICTIONAL agency"), auditTrail: []))
    }

    /// An unaccompanied minor at the case-plan stage with every optional group filled.
    public static let complete: ProtectionCase = build {
        try ProtectionCase(
            id: .init("case-fictional-0002"), version: 4, createdAt: t0, updatedAt: t1,
            shortID: .init("TEST-0002"), status: .casePlan,
            identifying: IdentifyingData(
                givenName: .init("FICTIONAL Given"), familyName: .init("FICTIONAL Family"),
                dateOfBirth: .init(year: 2008, month: 2, day: 29),
                documents: [IdentityDocument(kind: .init("passport"), number: .init("FICTIONAL-000"), issuingCountry: .init("NG"))],
                phone: "+000 FICTIONAL", address: "FICTIONAL address",
                exactLocation: GeoPoint(latitude: 34.0, longitude: -6.8),
                photoReferences: ["photo://fictional/1"],
                familyMembers: [FamilyMember(name: .init("FICTIONAL Mother"), relation: .init("mother"), contact: "FICTIONAL contact")],
                narrative: "FICTIONAL narrative for tests."),
            profile: CaseProfile(gender: .woman, ageBand: .age9to17, isMinor: true,
                                 citizenship: [.init("NG"), .init("CM")], countryOfExploitation: .init("MA")),
            children: ChildProtection(
                care: .unaccompanied,
                bestInterestsAssessment: BestInterestsRecord(date: .init(year: 2023, month: 11, day: 14), by: .init("FICTIONAL caseworker B"), summary: "FICTIONAL assessment"),
                bestInterestsDetermination: BestInterestsRecord(date: .init(year: 2023, month: 11, day: 15), by: .init("FICTIONAL panel"), summary: nil)),
            trafficking: TraffickingDetails(
                status: .actual, decidedBy: .init("FICTIONAL deciding organisation"),
                exploitation: [.forcedLabour(.domesticWork), .sexualExploitation(.prostitution), .forcedMarriage, .begging, .other(.init("FICTIONAL other"))],
                meansOfControl: [.debtBondage, .withholdsDocumentsOrNecessities, .threats],
                recruiterRelation: .family, duration: .oneToSixMonths),
            protection: ProtectionNeeds(
                risk: .high, concerns: [.trafficking, .unaccompaniedChild],
                services: [CaseService(kind: .emergencyShelter, provider: .init("FICTIONAL shelter"), status: .inProgress),
                           CaseService(kind: .psychosocial, provider: .init("FICTIONAL provider"), status: .planned)],
                referrals: [Referral(organisation: .init("FICTIONAL child-protection service"), referredOn: .init(year: 2023, month: 11, day: 15),
                                     closedOn: .init(year: 2023, month: 11, day: 20), status: .accepted)]),
            consent: Consent(services: true, disclosureToOtherOrganisations: true, tracing: true, legalBasis: .bestInterestsOfChild,
                             purpose: .init("FICTIONAL test purpose: protection and assistance"), recordedOn: .init(year: 2023, month: 11, day: 14)),
            consentOverrides: [ConsentOverride(scope: .referral, by: .init("FICTIONAL supervisor"), reason: .init("FICTIONAL: child at immediate risk"), at: t1)],
            retentionUntil: .init(year: 2033, month: 11, day: 14),
            ownership: Ownership(caseworker: .init("FICTIONAL caseworker B"), agency: .init("FICTIONAL agency"),
                                 auditTrail: [AuditEntry(at: t0, actor: .init("FICTIONAL caseworker B"), action: .init("created"))]))
    }

    /// A transferred adult case (carries `transferredTo`).
    public static let transferred: ProtectionCase = build {
        try minimal.transition(to: .transferred, at: t1, by: .init("FICTIONAL supervisor"), transferTo: .init("FICTIONAL receiving agency"),
                               override: ConsentOverride(scope: .transfer, by: .init("FICTIONAL supervisor"), reason: .init("FICTIONAL: relocation"), at: t1))
    }

    /// An illustrative member-state record (Morocco, codes from ISO 3166-1; no admission date, none is given in the seed).
    public static let memberState: MemberState = build {
        try MemberState(id: .init("state-ma"), version: 1, createdAt: t0, updatedAt: t0,
                        country: .init("MA"), name: .init(fr: "Maroc", en: "Morocco", ar: "المغرب"), status: .member, admittedOn: nil)
    }

    /// An illustrative observer-state record with an admission date, to exercise every field (FICTIONAL date).
    public static let observerState: MemberState = build {
        try MemberState(id: .init("state-fictional-observer"), version: 2, createdAt: t0, updatedAt: t1,
                        country: .init("VA"), name: .init(en: "FICTIONAL observer example"), status: .observer,
                        admittedOn: .init(year: 2001, month: 1, day: 2))
    }
}
