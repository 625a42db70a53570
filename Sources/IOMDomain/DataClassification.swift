/// How much a field tells about a person.
///
/// ```swift
/// ProtectionCase.fieldClassification["protectionCase.identifying.givenName"] // .identifying
/// ```
package enum Sensitivity: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Public or statistical; no person can be picked out.
    case nonIdentifying
    /// Identifies in combination (age band, gender, citizenship…): generalised on the wire.
    case quasiIdentifying
    /// Identifies a person on its own: encrypted at rest, never on the wire to unauthorised roles.
    case identifying

    package static func < (lhs: Self, rhs: Self) -> Bool {
        let order: [Sensitivity] = [.nonIdentifying, .quasiIdentifying, .identifying]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

/// A dotted field path such as `protectionCase.profile.ageBand`; `[]` marks the elements of a list.
///
/// ```swift
/// let path: FieldPath = "protectionCase.identifying.documents[].number"
/// path.group // "identifying"
/// ```
package struct FieldPath: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The dotted path.
    package let rawValue: String
    /// Creates a path.
    package init(_ rawValue: String) { self.rawValue = rawValue }
    package init(stringLiteral value: String) { self.rawValue = value }
    /// The first component after the record name (the group of a protection case).
    package var group: String {
        let parts = rawValue.split(separator: ".")
        return parts.count > 1 ? String(parts[1]) : rawValue
    }
    package var description: String { rawValue }
    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The one place that says how sensitive every field of every record is.
/// Encryption at rest and redaction on the wire are driven from here.
///
/// ```swift
/// let secret = DataClassification.fields(of: .protectionCase).filter { $0.value == .identifying }.keys
/// DataClassification.sensitivity(of: "mission.country") // .nonIdentifying
/// ```
package enum DataClassification {
    /// Every field of a record type with its sensitivity.
    package static func fields(of type: RecordType) -> [FieldPath: Sensitivity] {
        switch type {
        case .organisation: Organisation.fieldClassification
        case .mission: Mission.fieldClassification
        case .memberState: MemberState.fieldClassification
        case .event: PublicEvent.fieldClassification
        case .protectionCase: ProtectionCase.fieldClassification
        }
    }

    /// The sensitivity of one field, or nil when the path is unknown.
    package static func sensitivity(of path: FieldPath) -> Sensitivity? {
        for type in RecordType.allCases { if let s = fields(of: type)[path] { return s } }
        return nil
    }

    static func publicFields(_ record: String, _ names: [String]) -> [FieldPath: Sensitivity] {
        Dictionary(uniqueKeysWithValues: (["id", "version", "createdAt", "updatedAt"] + names).map { (FieldPath("\(record).\($0)"), .nonIdentifying) })
    }
}

extension Organisation {
    /// Every field with its sensitivity (all package).
    package static let fieldClassification = DataClassification.publicFields("organisation", [
        "name", "shortName", "foundedYear", "partOfUnitedNations", "memberStateCount", "countriesOfPresenceAtLeast", "priorities[]",
    ])
}

extension Mission {
    /// Every field with its sensitivity (all package).
    package static let fieldClassification = DataClassification.publicFields("mission", [
        "organisation", "name", "country", "presentSince", "chiefOfMission", "thematicAxes[]", "offices[]", "status",
    ])
}

extension MemberState {
    /// Every field with its sensitivity (all package).
    package static let fieldClassification = DataClassification.publicFields("memberState", [
        "country", "name", "status", "admittedOn",
    ])
}

extension PublicEvent {
    /// Every field with its sensitivity (an event is package data).
    package static let fieldClassification = DataClassification.publicFields("event", [
        "kind", "title", "date", "city", "country", "theme", "observance.name", "observance.month", "observance.day",
        "organisingMission", "participants[].category", "participants[].name", "participants[].country",
        "speakers[].name", "speakers[].role", "speakers[].organisation", "outcomes[]",
    ])
}

extension ProtectionCase {
    /// Every field of a protection case with its sensitivity.
    package static let fieldClassification: [FieldPath: Sensitivity] = {
        var m: [FieldPath: Sensitivity] = [:]
        func put(_ s: Sensitivity, _ names: [String]) { for n in names { m[FieldPath("protectionCase.\(n)")] = s } }
        put(.nonIdentifying, ["id", "version", "createdAt", "updatedAt", "shortID", "status"])
        put(.identifying, [
            "identifying.givenName", "identifying.familyName", "identifying.dateOfBirth",
            "identifying.documents[].kind", "identifying.documents[].number", "identifying.documents[].issuingCountry",
            "identifying.phone", "identifying.address", "identifying.exactLocation.latitude", "identifying.exactLocation.longitude",
            "identifying.photoReferences[]", "identifying.familyMembers[].name", "identifying.familyMembers[].relation",
            "identifying.familyMembers[].contact", "identifying.narrative",
        ])
        put(.quasiIdentifying, [
            "profile.gender", "profile.ageBand", "profile.isMinor", "profile.citizenship[]", "profile.countryOfExploitation",
            "children.care",
        ])
        // Best-interests records: the date and author could point at a child; summaries are narrative.
        put(.quasiIdentifying, [
            "children.bestInterestsAssessment.date", "children.bestInterestsAssessment.by",
            "children.bestInterestsDetermination.date", "children.bestInterestsDetermination.by",
        ])
        put(.identifying, ["children.bestInterestsAssessment.summary", "children.bestInterestsDetermination.summary"])
        put(.nonIdentifying, [
            "trafficking.status", "trafficking.decidedBy", "trafficking.exploitation[]", "trafficking.meansOfControl[]",
            "trafficking.recruiterRelation", "trafficking.duration",
            "protection.risk", "protection.concerns[]", "protection.services[].kind", "protection.services[].status",
            "protection.referrals[].organisation", "protection.referrals[].referredOn", "protection.referrals[].closedOn",
            "protection.referrals[].status",
            "consent.services", "consent.disclosureToOtherOrganisations", "consent.tracing", "consent.legalBasis",
            "consent.purpose", "consent.recordedOn", "retentionUntil", "transferredTo",
            "consentOverrides[].scope", "consentOverrides[].at",
            "ownership.agency", "ownership.auditTrail[].at", "ownership.auditTrail[].action",
        ])
        // People's names (providers may be individuals, staff are named): not for analysts.
        put(.quasiIdentifying, [
            "protection.services[].provider", "consentOverrides[].by", "consentOverrides[].reason",
            "ownership.caseworker", "ownership.auditTrail[].actor",
        ])
        return m
    }()
}
