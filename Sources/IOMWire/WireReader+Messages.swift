import Foundation
import SwiftProtobuf

// The schema of Protocols/iom/v1, read by hand into the generated types' fields.
//
// Each function reads the whole of `self` as one message, merging into `w` (protobuf merge
// semantics: the caller passes the value a previous occurrence left, or a new one). Wire
// types in the `case` patterns: 0 varint, 1 fixed64, 2 length-delimited. Any other pairing of
// field number and wire type is an unknown field: skipped, after checking it.

/// The fields of `iom.v1.Change`, without the generated type's storage class (one allocation
/// per change saved). ``Change/init(fields:)`` validates them.
struct ChangeFields {
    var recordType: Iom_V1_RecordType = .unspecified
    var kind: Iom_V1_ChangeKind = .unspecified
    var recordID = ""
    var version: UInt64 = 0
    var before: Iom_V1_Record?
    var after: Iom_V1_Record?

    init() {}

    /// The fields of a message SwiftProtobuf decoded.
    init(_ w: Iom_V1_Change) {
        recordType = w.recordType
        kind = w.kind
        recordID = w.recordID
        version = w.version
        before = w.hasBefore ? w.before : nil
        after = w.hasAfter ? w.after : nil
    }
}

extension WireReader {
    // MARK: Change and the record envelope

    mutating func change(_ w: inout ChangeFields) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 0): w.recordType = try enumValue()
            case (2, 0): w.kind = try enumValue()
            case (3, 2): w.recordID = try string()
            case (4, 0): w.version = try varint()
            // Read in place (a repeat is merged into what the first occurrence left).
            case (5, 2):
                var r = try message()
                if w.before == nil { w.before = Iom_V1_Record() }
                try r.record(&w.before!)
            case (6, 2):
                var r = try message()
                if w.after == nil { w.after = Iom_V1_Record() }
                try r.record(&w.after!)
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    /// `iom.v1.Record`: a member of the `oneof` that repeats is merged, another one replaces it.
    mutating func record(_ w: inout Iom_V1_Record) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            guard wireType == 2, (1...5).contains(field) else {
                try skip(field: field, wireType: wireType)
                continue
            }
            var r = try message()
            // The first occurrence (the usual case) copies nothing; a repeat of the same member
            // takes its value out of `w` first, so that merging into it does not copy its storage.
            switch field {
            case 1:
                var m = Iom_V1_Organisation()
                if case .organisation(let c)? = w.record { m = c; w.record = nil }
                try r.organisation(&m)
                w.record = .organisation(m)
            case 2:
                var m = Iom_V1_Mission()
                if case .mission(let c)? = w.record { m = c; w.record = nil }
                try r.mission(&m)
                w.record = .mission(m)
            case 3:
                var m = Iom_V1_MemberState()
                if case .memberState(let c)? = w.record { m = c; w.record = nil }
                try r.memberState(&m)
                w.record = .memberState(m)
            case 4:
                var m = Iom_V1_Event()
                if case .event(let c)? = w.record { m = c; w.record = nil }
                try r.event(&m)
                w.record = .event(m)
            default:
                var m = Iom_V1_ProtectionCase()
                if case .protectionCase(let c)? = w.record { m = c; w.record = nil }
                try r.protectionCase(&m)
                w.record = .protectionCase(m)
            }
        }
    }

    // MARK: Common

    mutating func localizedText(_ w: inout Iom_V1_LocalizedText) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): w.fr = try string()
            case (2, 2): w.en = try string()
            case (3, 2): w.ar = try string()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func date(_ w: inout Iom_V1_Date) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 0): w.year = try int32()
            case (2, 0): w.month = try int32()
            case (3, 0): w.day = try int32()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func recordMeta(_ w: inout Iom_V1_RecordMeta) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): w.id = try string()
            case (2, 0): w.version = try varint()
            case (3, 0): w.createdAtMs = try int64()
            case (4, 0): w.updatedAtMs = try int64()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    /// A new element of a repeated `LocalizedText` field.
    mutating func newLocalizedText() throws(BinaryDecodingError) -> Iom_V1_LocalizedText {
        var r = try message()
        var t = Iom_V1_LocalizedText()
        try r.localizedText(&t)
        return t
    }

    // MARK: Records

    mutating func organisation(_ w: inout Iom_V1_Organisation) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): var r = try message(); try r.recordMeta(&w.meta)
            case (2, 2): var r = try message(); try r.localizedText(&w.name)
            case (3, 2): var r = try message(); try r.localizedText(&w.shortName)
            case (4, 0): w.foundedYear = try int32()
            case (5, 0): w.partOfUnitedNations = try bool()
            case (6, 0): w.memberStateCount = try int32()
            case (7, 0): w.countriesOfPresenceAtLeast = try int32()
            case (8, 2): w.priorities.append(try newLocalizedText())
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func mission(_ w: inout Iom_V1_Mission) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): var r = try message(); try r.recordMeta(&w.meta)
            case (2, 2): w.organisationID = try string()
            case (3, 2): var r = try message(); try r.localizedText(&w.name)
            case (4, 2): w.country = try string()
            case (5, 0): w.presentSince = try int32()
            case (6, 2): w.chiefOfMission = try string()
            case (7, 2): w.thematicAxes.append(try newLocalizedText())
            case (8, 2): w.offices.append(try string())
            case (9, 0): w.status = try enumValue()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func memberState(_ w: inout Iom_V1_MemberState) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): var r = try message(); try r.recordMeta(&w.meta)
            case (2, 2): w.alpha2 = try string()
            case (3, 2): w.alpha3 = try string()
            case (4, 0): w.numeric = try uint32()
            case (5, 2): var r = try message(); try r.localizedText(&w.name)
            case (6, 0): w.status = try enumValue()
            case (7, 2): var r = try message(); try r.date(&w.admittedOn)
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func event(_ w: inout Iom_V1_Event) throws(BinaryDecodingError) {
        try enterMessage()
        // Repeated fields are built aside: appending through the generated accessors of a
        // message with a storage class copies the array every time.
        var participants = w.participants, speakers = w.speakers, outcomes = w.outcomes
        w.participants = []; w.speakers = []; w.outcomes = []
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): var r = try message(); try r.recordMeta(&w.meta)
            case (2, 0): w.kind = try enumValue()
            case (3, 2): var r = try message(); try r.localizedText(&w.title)
            case (4, 2): var r = try message(); try r.date(&w.date)
            case (5, 2): w.city = try string()
            case (6, 2): w.country = try string()
            case (7, 2): var r = try message(); try r.localizedText(&w.theme)
            case (8, 2): var r = try message(); try r.observance(&w.observance)
            case (9, 2): w.organisingMissionID = try string()
            case (10, 2):
                var r = try message()
                var p = Iom_V1_Participant()
                try r.participant(&p)
                participants.append(p)
            case (11, 2):
                var r = try message()
                var s = Iom_V1_Speaker()
                try r.speaker(&s)
                speakers.append(s)
            case (12, 2): outcomes.append(try newLocalizedText())
            default: try skip(field: field, wireType: wireType)
            }
        }
        w.participants = participants; w.speakers = speakers; w.outcomes = outcomes
    }

    mutating func participant(_ w: inout Iom_V1_Participant) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 0): w.category = try enumValue()
            case (2, 2): w.name = try string()
            case (3, 2): w.country = try string()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func speaker(_ w: inout Iom_V1_Speaker) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): w.name = try string()
            case (2, 2): var r = try message(); try r.localizedText(&w.role)
            case (3, 2): w.organisation = try string()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func observance(_ w: inout Iom_V1_Observance) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): var r = try message(); try r.localizedText(&w.name)
            case (2, 0): w.month = try int32()
            case (3, 0): w.day = try int32()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    // MARK: Protection case

    mutating func protectionCase(_ w: inout Iom_V1_ProtectionCase) throws(BinaryDecodingError) {
        try enterMessage()
        var overrides = w.consentOverrides
        w.consentOverrides = []
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): var r = try message(); try r.recordMeta(&w.meta)
            case (2, 2): w.shortID = try string()
            case (3, 0): w.status = try enumValue()
            case (4, 2): var r = try message(); try r.identifyingData(&w.identifying)
            case (5, 2): var r = try message(); try r.caseProfile(&w.profile)
            case (6, 2): var r = try message(); try r.childProtection(&w.children)
            case (7, 2): var r = try message(); try r.traffickingDetails(&w.trafficking)
            case (8, 2): var r = try message(); try r.protectionNeeds(&w.protection)
            case (9, 2): var r = try message(); try r.consent(&w.consent)
            case (10, 2):
                var r = try message()
                var o = Iom_V1_ConsentOverride()
                try r.consentOverride(&o)
                overrides.append(o)
            case (11, 2): w.transferredTo = try string()
            case (12, 2): var r = try message(); try r.date(&w.retentionUntil)
            case (13, 2): var r = try message(); try r.ownership(&w.ownership)
            case (14, 2): var r = try message(); try r.sealedFields(&w.sealed)
            default: try skip(field: field, wireType: wireType)
            }
        }
        w.consentOverrides = overrides
    }

    mutating func identityDocument(_ w: inout Iom_V1_IdentityDocument) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): w.kind = try string()
            case (2, 2): w.number = try string()
            case (3, 2): w.issuingCountry = try string()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func familyMember(_ w: inout Iom_V1_FamilyMember) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): w.name = try string()
            case (2, 2): w.relation = try string()
            case (3, 2): w.contact = try string()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func geoPoint(_ w: inout Iom_V1_GeoPoint) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 1): w.latitude = try double()
            case (2, 1): w.longitude = try double()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func identifyingData(_ w: inout Iom_V1_IdentifyingData) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): w.givenName = try string()
            case (2, 2): w.familyName = try string()
            case (3, 2): var r = try message(); try r.date(&w.dateOfBirth)
            case (4, 2):
                var r = try message()
                var d = Iom_V1_IdentityDocument()
                try r.identityDocument(&d)
                w.documents.append(d)
            case (5, 2): w.phone = try string()
            case (6, 2): w.address = try string()
            case (7, 2): var r = try message(); try r.geoPoint(&w.exactLocation)
            case (8, 2): w.photoReferences.append(try string())
            case (9, 2):
                var r = try message()
                var m = Iom_V1_FamilyMember()
                try r.familyMember(&m)
                w.familyMembers.append(m)
            case (10, 2): w.narrative = try string()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func caseProfile(_ w: inout Iom_V1_CaseProfile) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 0): w.gender = try enumValue()
            case (2, 0): w.ageBand = try enumValue()
            case (3, 0): w.isMinor = try bool()
            case (4, 2): w.citizenship.append(try string())
            case (5, 2): w.countryOfExploitation = try string()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func bestInterestsRecord(_ w: inout Iom_V1_BestInterestsRecord) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): var r = try message(); try r.date(&w.date)
            case (2, 2): w.by = try string()
            case (3, 2): w.summary = try string()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func childProtection(_ w: inout Iom_V1_ChildProtection) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 0): w.care = try enumValue()
            case (2, 2): var r = try message(); try r.bestInterestsRecord(&w.bestInterestsAssessment)
            case (3, 2): var r = try message(); try r.bestInterestsRecord(&w.bestInterestsDetermination)
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    /// `iom.v1.Exploitation`: its `oneof` as `Record`'s (the empty members merge with themselves).
    mutating func exploitation(_ w: inout Iom_V1_Exploitation) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 0): w.type = .forcedLabour(try enumValue())
            case (2, 0): w.type = .sexualExploitation(try enumValue())
            case (3, 2):
                var r = try message()
                var e = Iom_V1_Exploitation.Empty()
                if case .forcedMarriage(let c)? = w.type { e = c }
                try r.empty(&e)
                w.type = .forcedMarriage(e)
            case (4, 2):
                var r = try message()
                var e = Iom_V1_Exploitation.Empty()
                if case .begging(let c)? = w.type { e = c }
                try r.empty(&e)
                w.type = .begging(e)
            case (5, 2): w.type = .other(try string())
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func empty(_ w: inout Iom_V1_Exploitation.Empty) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() { try skip(field: field, wireType: wireType) }
    }

    mutating func traffickingDetails(_ w: inout Iom_V1_TraffickingDetails) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 0): w.status = try enumValue()
            case (2, 2): w.decidedBy = try string()
            case (3, 2):
                var r = try message()
                var e = Iom_V1_Exploitation()
                try r.exploitation(&e)
                w.exploitation.append(e)
            case (4, 0), (4, 2): try appendEnums(to: &w.meansOfControl, wireType: wireType)
            case (5, 0): w.recruiterRelation = try enumValue()
            case (6, 0): w.duration = try enumValue()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func caseService(_ w: inout Iom_V1_CaseService) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 0): w.kind = try enumValue()
            case (2, 2): w.provider = try string()
            case (3, 0): w.status = try enumValue()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func referral(_ w: inout Iom_V1_Referral) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): w.organisation = try string()
            case (2, 2): var r = try message(); try r.date(&w.referredOn)
            case (3, 2): var r = try message(); try r.date(&w.closedOn)
            case (4, 0): w.status = try enumValue()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func protectionNeeds(_ w: inout Iom_V1_ProtectionNeeds) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 0): w.risk = try enumValue()
            case (2, 0), (2, 2): try appendEnums(to: &w.concerns, wireType: wireType)
            case (3, 2):
                var r = try message()
                var s = Iom_V1_CaseService()
                try r.caseService(&s)
                w.services.append(s)
            case (4, 2):
                var r = try message()
                var x = Iom_V1_Referral()
                try r.referral(&x)
                w.referrals.append(x)
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func consent(_ w: inout Iom_V1_Consent) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 0): w.services = try bool()
            case (2, 0): w.disclosureToOtherOrganisations = try bool()
            case (3, 0): w.tracing = try bool()
            case (4, 0): w.legalBasis = try enumValue()
            case (5, 2): w.purpose = try string()
            case (6, 2): var r = try message(); try r.date(&w.recordedOn)
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func consentOverride(_ w: inout Iom_V1_ConsentOverride) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 0): w.scope = try enumValue()
            case (2, 2): w.by = try string()
            case (3, 2): w.reason = try string()
            case (4, 0): w.atMs = try int64()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func auditEntry(_ w: inout Iom_V1_AuditEntry) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 0): w.atMs = try int64()
            case (2, 2): w.actor = try string()
            case (3, 2): w.action = try string()
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func ownership(_ w: inout Iom_V1_Ownership) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): w.caseworker = try string()
            case (2, 2): w.agency = try string()
            case (3, 2):
                var r = try message()
                var a = Iom_V1_AuditEntry()
                try r.auditEntry(&a)
                w.auditTrail.append(a)
            default: try skip(field: field, wireType: wireType)
            }
        }
    }

    mutating func sealedFields(_ w: inout Iom_V1_SealedFields) throws(BinaryDecodingError) {
        try enterMessage()
        while let (field, wireType) = try next() {
            switch (field, wireType) {
            case (1, 2): w.scheme = try string()
            case (2, 2): w.ciphertext = Data(try bytes())
            default: try skip(field: field, wireType: wireType)
            }
        }
    }
}
