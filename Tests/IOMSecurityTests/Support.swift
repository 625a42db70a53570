import Foundation
import IOMDomain
import IOMFixtures
@testable import IOMSecurity

/// The clear-text values an attacker must never find.
let secrets: [String] = ["FICTIONAL Given", "FICTIONAL Family", "FICTIONAL-000", "+000 FICTIONAL", "FICTIONAL address",
                         "FICTIONAL Mother", "FICTIONAL narrative", "FICTIONAL assessment", "2008-02-29"]

/// Whether `bytes` contain `text` (UTF-8) anywhere.
func contains(_ bytes: [UInt8], _ text: String) -> Bool {
    let needle = Array(text.utf8)
    guard needle.count <= bytes.count else { return false }
    for i in 0...(bytes.count - needle.count) where bytes[i] == needle[0] && Array(bytes[i..<i + needle.count]) == needle { return true }
    return false
}

let t0 = Instant(millisecondsSince1970: 1_700_000_000_000)

/// A valid case with the given profile and owner; identifying data with a FICTIONAL name.
func makeCase(_ n: Int, gender: Gender = .woman, ageBand: AgeBand = .age24to26, caseworker: String = "cw-1",
              referredTo: String? = nil, consent: Bool = true, identifying: Bool = true,
              exploitation: [Exploitation] = [.forcedLabour(.agriculture)], retention: CalendarDate? = nil) throws -> ProtectionCase {
    let minor = ageBand.isMinor
    let who: IdentifyingData? = identifying
        ? IdentifyingData(givenName: try .init("FICTIONAL Given"), familyName: try .init("FICTIONAL Family"),
                          dateOfBirth: try .init(year: 2008, month: 2, day: 29),
                          documents: [IdentityDocument(kind: try .init("passport"), number: try .init("FICTIONAL-000"), issuingCountry: nil)])
        : nil
    return try ProtectionCase(
        id: .init("case-test-\(n)"), version: 1, createdAt: t0, updatedAt: t0, shortID: .init("T-\(n)"), status: .registered,
        identifying: who,
        profile: CaseProfile(gender: gender, ageBand: ageBand, isMinor: minor, citizenship: [.init("NG")], countryOfExploitation: .init("MA")),
        children: minor ? ChildProtection(care: .unaccompanied, bestInterestsAssessment: nil, bestInterestsDetermination: nil) : nil,
        trafficking: TraffickingDetails(status: .possible, decidedBy: nil, exploitation: exploitation, meansOfControl: [.threats],
                                        recruiterRelation: nil, duration: nil),
        protection: try referredTo.map {
            ProtectionNeeds(risk: .medium, concerns: [.trafficking], services: [CaseService(kind: .emergencyShelter, provider: try .init($0), status: .planned)],
                            referrals: [Referral(organisation: try .init($0), referredOn: try .init(year: 2023, month: 11, day: 15), closedOn: nil, status: .inProgress)])
        },
        consent: Consent(services: consent, disclosureToOtherOrganisations: consent, tracing: false, legalBasis: .consent,
                         purpose: .init("FICTIONAL purpose"), recordedOn: consent ? .init(year: 2023, month: 11, day: 14) : nil),
        retentionUntil: retention ?? .init(year: 2033, month: 1, day: 1),
        ownership: Ownership(caseworker: .init(caseworker), agency: .init("FICTIONAL agency"), auditTrail: []))
}

/// Rebuilds `c` with some groups replaced (nil keeps the original).
func edited(_ c: ProtectionCase, identifying: IdentifyingData?? = nil, caseworker: String? = nil, protection: ProtectionNeeds?? = nil,
            overrides: [ConsentOverride]? = nil) throws -> ProtectionCase {
    try ProtectionCase(
        id: c.id, version: c.version, createdAt: c.createdAt, updatedAt: c.updatedAt, shortID: c.shortID, status: c.status,
        identifying: identifying ?? c.identifying, profile: c.profile, children: c.children, trafficking: c.trafficking,
        protection: protection ?? c.protection, consent: c.consent, consentOverrides: overrides ?? c.consentOverrides,
        transferredTo: c.transferredTo, retentionUntil: c.retentionUntil,
        ownership: Ownership(caseworker: .init(caseworker ?? c.ownership.caseworker.value), agency: c.ownership.agency,
                             auditTrail: c.ownership.auditTrail))
}
