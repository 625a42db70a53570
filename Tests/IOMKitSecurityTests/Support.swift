import Foundation
import IOMDomain
import IOMFixtures
@testable import IOMKit

/// The clear-text values an attacker must never find in the files.
let secrets: [String] = ["FICTIONAL Given", "FICTIONAL Family", "FICTIONAL-000", "FICTIONAL-111", "+000 FICTIONAL",
                         "FICTIONAL address", "FICTIONAL Mother", "FICTIONAL narrative", "FICTIONAL assessment", "2008-02-29"]

func contains(_ bytes: [UInt8], _ text: String) -> Bool {
    let needle = Array(text.utf8)
    guard !needle.isEmpty, needle.count <= bytes.count else { return false }
    var i = 0
    let last = bytes.count - needle.count
    while i <= last {
        if bytes[i] == needle[0], bytes[i..<i + needle.count].elementsEqual(needle) { return true }
        i += 1
    }
    return false
}

/// Bytes of `path` and of its `-wal`, `-shm` and `-journal` companions (missing ones are empty).
func fileBytes(_ path: String) -> [(String, [UInt8])] {
    ["", "-wal", "-shm", "-journal"].map { suffix in
        (path + suffix, (FileManager.default.contents(atPath: path + suffix)).map { [UInt8]($0) } ?? [])
    }
}

func temporaryPath() -> String { NSTemporaryDirectory() + "iomkit-sec-\(UUID().uuidString).sqlite" }

func removeFiles(_ path: String) {
    for p in [path, path + ".security.sqlite"] {
        for s in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: p + s) }
    }
}

let t0 = Instant(millisecondsSince1970: 1_700_000_000_000)  // 2023-11-14

/// A case owned by `caseworker`, with FICTIONAL identifying data.
func makeCase(_ n: Int, caseworker: String = "cw-1", consent: Bool = true, referredTo: String? = nil,
              document: String = "FICTIONAL-111", retention: CalendarDate? = nil, gender: Gender = .woman) throws -> ProtectionCase {
    try ProtectionCase(
        id: .init("case-sec-\(n)"), version: 1, createdAt: t0, updatedAt: t0, shortID: .init("S-\(n)"), status: .registered,
        identifying: IdentifyingData(givenName: try .init("FICTIONAL Given"), familyName: try .init("FICTIONAL Family"),
                                     dateOfBirth: try .init(year: 2008, month: 2, day: 29),
                                     documents: [IdentityDocument(kind: try .init("passport"), number: try .init(document), issuingCountry: nil)],
                                     phone: "+000 FICTIONAL", address: "FICTIONAL address", narrative: "FICTIONAL narrative"),
        profile: CaseProfile(gender: gender, ageBand: .age24to26, isMinor: false, citizenship: [try .init("NG")], countryOfExploitation: try .init("MA")),
        children: nil,
        trafficking: TraffickingDetails(status: .possible, decidedBy: nil, exploitation: [.forcedLabour(.agriculture)], meansOfControl: [.threats],
                                        recruiterRelation: nil, duration: nil),
        protection: try referredTo.map {
            ProtectionNeeds(risk: .medium, concerns: [.trafficking],
                            services: [CaseService(kind: .emergencyShelter, provider: try .init($0), status: .planned)],
                            referrals: [Referral(organisation: try .init($0), referredOn: try .init(year: 2023, month: 11, day: 15), closedOn: nil, status: .inProgress)])
        },
        consent: Consent(services: consent, disclosureToOtherOrganisations: consent, tracing: false, legalBasis: .consent,
                         purpose: try .init("FICTIONAL purpose"), recordedOn: consent ? try .init(year: 2023, month: 11, day: 14) : nil),
        retentionUntil: retention ?? (try .init(year: 2033, month: 1, day: 1)),
        ownership: Ownership(caseworker: try .init(caseworker), agency: try .init("FICTIONAL agency"), auditTrail: []))
}

/// A file-backed IOMKit with a host key ring.
func openFileKit(_ path: String, ring: KeyRing) async throws -> IOM {
    var configuration = IOMConfiguration(store: .init(location: .file(path: path)))
    configuration.security.keyRing = ring
    return try await IOM.open(configuration)
}

/// What a `forbidden` error says, read from its public properties.
struct Refusal {
    let role: Role?
    let action: Action?
    let reason: String
    let field: String?
}

extension IOMError {
    var forbidden: Refusal? {
        code == .forbidden ? Refusal(role: principal?.role, action: action, reason: message, field: field) : nil
    }
}

/// The protobuf bytes of `Date{2008, 2, 29}` (the FICTIONAL birth date), as they would appear in clear.
let birthDateBytes: [UInt8] = [0x08, 0xD8, 0x0F, 0x10, 0x02, 0x18, 0x1D]

func containsBytes(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= bytes.count else { return false }
    var i = 0
    while i <= bytes.count - needle.count {
        if bytes[i] == needle[0], bytes[i..<i + needle.count].elementsEqual(needle) { return true }
        i += 1
    }
    return false
}

/// The FICTIONAL complete case as a new record (version 1), so it can be created.
func completeAtVersionOne() throws -> ProtectionCase {
    let c = FictionalCases.complete
    return try ProtectionCase(
        id: c.id, version: 1, createdAt: c.createdAt, updatedAt: c.updatedAt, shortID: c.shortID, status: c.status,
        identifying: c.identifying, profile: c.profile, children: c.children, trafficking: c.trafficking, protection: c.protection,
        consent: c.consent, consentOverrides: c.consentOverrides, transferredTo: c.transferredTo, retentionUntil: c.retentionUntil,
        ownership: c.ownership)
}
