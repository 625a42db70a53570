// The schema of Protocols/iom/v1 in protobuf JSON, read by hand into the generated types.
//
// Each function reads one JSON object into `w` (a new message: every key appears at most once,
// so nothing merges). A key's index in the message's `JSONNames` table is the `case` that
// reads its value; keys the table does not hold (unknown, or `ProtectionCase.sealed`, which is
// at rest only) decline the whole input, as do the forms `JSONRecordReader` documents.

/// The JSON and proto names of every message's fields, in the order of the reading switches.
enum JSONNames {
    static let localizedText = FieldNames([("fr", "fr"), ("en", "en"), ("ar", "ar")])
    static let date = FieldNames([("year", "year"), ("month", "month"), ("day", "day")])
    static let recordMeta = FieldNames([("id", "id"), ("version", "version"), ("createdAtMs", "created_at_ms"),
                                        ("updatedAtMs", "updated_at_ms")])
    static let organisation = FieldNames([
        ("meta", "meta"), ("name", "name"), ("shortName", "short_name"), ("foundedYear", "founded_year"),
        ("partOfUnitedNations", "part_of_united_nations"), ("memberStateCount", "member_state_count"),
        ("countriesOfPresenceAtLeast", "countries_of_presence_at_least"), ("priorities", "priorities"),
    ])
    static let mission = FieldNames([
        ("meta", "meta"), ("organisationId", "organisation_id"), ("name", "name"), ("country", "country"),
        ("presentSince", "present_since"), ("chiefOfMission", "chief_of_mission"), ("thematicAxes", "thematic_axes"),
        ("offices", "offices"), ("status", "status"),
    ])
    static let memberState = FieldNames([
        ("meta", "meta"), ("alpha2", "alpha2"), ("alpha3", "alpha3"), ("numeric", "numeric"), ("name", "name"),
        ("status", "status"), ("admittedOn", "admitted_on"),
    ])
    static let event = FieldNames([
        ("meta", "meta"), ("kind", "kind"), ("title", "title"), ("date", "date"), ("city", "city"), ("country", "country"),
        ("theme", "theme"), ("observance", "observance"), ("organisingMissionId", "organising_mission_id"),
        ("participants", "participants"), ("speakers", "speakers"), ("outcomes", "outcomes"),
    ])
    static let participant = FieldNames([("category", "category"), ("name", "name"), ("country", "country")])
    static let speaker = FieldNames([("name", "name"), ("role", "role"), ("organisation", "organisation")])
    static let observance = FieldNames([("name", "name"), ("month", "month"), ("day", "day")])
    static let protectionCase = FieldNames([
        ("meta", "meta"), ("shortId", "short_id"), ("status", "status"), ("identifying", "identifying"),
        ("profile", "profile"), ("children", "children"), ("trafficking", "trafficking"), ("protection", "protection"),
        ("consent", "consent"), ("consentOverrides", "consent_overrides"), ("transferredTo", "transferred_to"),
        ("retentionUntil", "retention_until"), ("ownership", "ownership"),
    ])
    static let identityDocument = FieldNames([("kind", "kind"), ("number", "number"), ("issuingCountry", "issuing_country")])
    static let familyMember = FieldNames([("name", "name"), ("relation", "relation"), ("contact", "contact")])
    static let geoPoint = FieldNames([("latitude", "latitude"), ("longitude", "longitude")])
    static let identifyingData = FieldNames([
        ("givenName", "given_name"), ("familyName", "family_name"), ("dateOfBirth", "date_of_birth"),
        ("documents", "documents"), ("phone", "phone"), ("address", "address"), ("exactLocation", "exact_location"),
        ("photoReferences", "photo_references"), ("familyMembers", "family_members"), ("narrative", "narrative"),
    ])
    static let caseProfile = FieldNames([
        ("gender", "gender"), ("ageBand", "age_band"), ("isMinor", "is_minor"), ("citizenship", "citizenship"),
        ("countryOfExploitation", "country_of_exploitation"),
    ])
    static let bestInterestsRecord = FieldNames([("date", "date"), ("by", "by"), ("summary", "summary")])
    static let childProtection = FieldNames([
        ("care", "care"), ("bestInterestsAssessment", "best_interests_assessment"),
        ("bestInterestsDetermination", "best_interests_determination"),
    ])
    static let exploitation = FieldNames([
        ("forcedLabour", "forced_labour"), ("sexualExploitation", "sexual_exploitation"),
        ("forcedMarriage", "forced_marriage"), ("begging", "begging"), ("other", "other"),
    ])
    static let empty = FieldNames([])
    static let traffickingDetails = FieldNames([
        ("status", "status"), ("decidedBy", "decided_by"), ("exploitation", "exploitation"),
        ("meansOfControl", "means_of_control"), ("recruiterRelation", "recruiter_relation"), ("duration", "duration"),
    ])
    static let caseService = FieldNames([("kind", "kind"), ("provider", "provider"), ("status", "status")])
    static let referral = FieldNames([("organisation", "organisation"), ("referredOn", "referred_on"),
                                      ("closedOn", "closed_on"), ("status", "status")])
    static let protectionNeeds = FieldNames([("risk", "risk"), ("concerns", "concerns"), ("services", "services"),
                                             ("referrals", "referrals")])
    static let consent = FieldNames([
        ("services", "services"), ("disclosureToOtherOrganisations", "disclosure_to_other_organisations"),
        ("tracing", "tracing"), ("legalBasis", "legal_basis"), ("purpose", "purpose"), ("recordedOn", "recorded_on"),
    ])
    static let consentOverride = FieldNames([("scope", "scope"), ("by", "by"), ("reason", "reason"), ("atMs", "at_ms")])
    static let auditEntry = FieldNames([("atMs", "at_ms"), ("actor", "actor"), ("action", "action")])
    static let ownership = FieldNames([("caseworker", "caseworker"), ("agency", "agency"), ("auditTrail", "audit_trail")])
}

extension JSONRecordReader {
    // MARK: Entry points

    /// An `iom.v1.Organisation`, or nil: decode with SwiftProtobuf instead.
    static func organisation(_ bytes: UnsafeRawBufferPointer) -> Iom_V1_Organisation? {
        read(bytes) { (r, m) throws(Decline) in try r.organisation(&m) }
    }

    /// An `iom.v1.Mission`, or nil: decode with SwiftProtobuf instead.
    static func mission(_ bytes: UnsafeRawBufferPointer) -> Iom_V1_Mission? {
        read(bytes) { (r, m) throws(Decline) in try r.mission(&m) }
    }

    /// An `iom.v1.MemberState`, or nil: decode with SwiftProtobuf instead.
    static func memberState(_ bytes: UnsafeRawBufferPointer) -> Iom_V1_MemberState? {
        read(bytes) { (r, m) throws(Decline) in try r.memberState(&m) }
    }

    /// An `iom.v1.Event`, or nil: decode with SwiftProtobuf instead.
    static func event(_ bytes: UnsafeRawBufferPointer) -> Iom_V1_Event? {
        read(bytes) { (r, m) throws(Decline) in try r.event(&m) }
    }

    /// An `iom.v1.ProtectionCase`, or nil: decode with SwiftProtobuf instead.
    static func protectionCase(_ bytes: UnsafeRawBufferPointer) -> Iom_V1_ProtectionCase? {
        read(bytes) { (r, m) throws(Decline) in try r.protectionCase(&m) }
    }

    // MARK: Common

    /// `iom.v1.LocalizedText`.
    mutating func localizedText(_ w: inout Iom_V1_LocalizedText) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.localizedText, seen: &seen, first: &first) {
            switch field {
            case 0: w.fr = try string()
            case 1: w.en = try string()
            default: w.ar = try string()
            }
        }
    }

    /// A new element of a repeated `LocalizedText` field.
    mutating func newLocalizedText() throws(Decline) -> Iom_V1_LocalizedText {
        var t = Iom_V1_LocalizedText()
        try localizedText(&t)
        return t
    }

    /// A repeated `LocalizedText` field.
    mutating func localizedTexts() throws(Decline) -> [Iom_V1_LocalizedText] {
        var values: [Iom_V1_LocalizedText] = []
        try beginArray()
        var first = true
        while try nextElement(first: &first) { values.append(try newLocalizedText()) }
        return values
    }

    /// `iom.v1.Date`.
    mutating func date(_ w: inout Iom_V1_Date) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.date, seen: &seen, first: &first) {
            switch field {
            case 0: w.year = try int32()
            case 1: w.month = try int32()
            default: w.day = try int32()
            }
        }
    }

    /// `iom.v1.RecordMeta`.
    mutating func recordMeta(_ w: inout Iom_V1_RecordMeta) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.recordMeta, seen: &seen, first: &first) {
            switch field {
            case 0: w.id = try string()
            case 1: w.version = try uint64()
            case 2: w.createdAtMs = try int64()
            default: w.updatedAtMs = try int64()
            }
        }
    }

    // MARK: Records

    /// `iom.v1.Organisation`.
    mutating func organisation(_ w: inout Iom_V1_Organisation) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.organisation, seen: &seen, first: &first) {
            switch field {
            case 0: try recordMeta(&w.meta)
            case 1: try localizedText(&w.name)
            case 2: try localizedText(&w.shortName)
            case 3: w.foundedYear = try int32()
            case 4: w.partOfUnitedNations = try bool()
            case 5: w.memberStateCount = try int32()
            case 6: w.countriesOfPresenceAtLeast = try int32()
            default: w.priorities = try localizedTexts()
            }
        }
    }

    /// `iom.v1.Mission`.
    mutating func mission(_ w: inout Iom_V1_Mission) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.mission, seen: &seen, first: &first) {
            switch field {
            case 0: try recordMeta(&w.meta)
            case 1: w.organisationID = try string()
            case 2: try localizedText(&w.name)
            case 3: w.country = try string()
            case 4: w.presentSince = try int32()
            case 5: w.chiefOfMission = try string()
            case 6: w.thematicAxes = try localizedTexts()
            case 7: w.offices = try strings()
            default: w.status = try enumValue()
            }
        }
    }

    /// `iom.v1.MemberState`.
    mutating func memberState(_ w: inout Iom_V1_MemberState) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.memberState, seen: &seen, first: &first) {
            switch field {
            case 0: try recordMeta(&w.meta)
            case 1: w.alpha2 = try string()
            case 2: w.alpha3 = try string()
            case 3: w.numeric = try uint32()
            case 4: try localizedText(&w.name)
            case 5: w.status = try enumValue()
            default: try date(&w.admittedOn)
            }
        }
    }

    /// `iom.v1.Event`.
    mutating func event(_ w: inout Iom_V1_Event) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.event, seen: &seen, first: &first) {
            switch field {
            case 0: try recordMeta(&w.meta)
            case 1: w.kind = try enumValue()
            case 2: try localizedText(&w.title)
            case 3: try date(&w.date)
            case 4: w.city = try string()
            case 5: w.country = try string()
            case 6: try localizedText(&w.theme)
            case 7: try observance(&w.observance)
            case 8: w.organisingMissionID = try string()
            case 9:
                // Repeated fields are built aside and assigned once (appending through the
                // accessors of a message with a storage class copies the array every time).
                var participants: [Iom_V1_Participant] = []
                try beginArray()
                var more = true
                while try nextElement(first: &more) {
                    var p = Iom_V1_Participant()
                    try participant(&p)
                    participants.append(p)
                }
                w.participants = participants
            case 10:
                var speakers: [Iom_V1_Speaker] = []
                try beginArray()
                var more = true
                while try nextElement(first: &more) {
                    var s = Iom_V1_Speaker()
                    try speaker(&s)
                    speakers.append(s)
                }
                w.speakers = speakers
            default: w.outcomes = try localizedTexts()
            }
        }
    }

    /// `iom.v1.Participant`.
    mutating func participant(_ w: inout Iom_V1_Participant) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.participant, seen: &seen, first: &first) {
            switch field {
            case 0: w.category = try enumValue()
            case 1: w.name = try string()
            default: w.country = try string()
            }
        }
    }

    /// `iom.v1.Speaker`.
    mutating func speaker(_ w: inout Iom_V1_Speaker) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.speaker, seen: &seen, first: &first) {
            switch field {
            case 0: w.name = try string()
            case 1: try localizedText(&w.role)
            default: w.organisation = try string()
            }
        }
    }

    /// `iom.v1.Observance`.
    mutating func observance(_ w: inout Iom_V1_Observance) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.observance, seen: &seen, first: &first) {
            switch field {
            case 0: try localizedText(&w.name)
            case 1: w.month = try int32()
            default: w.day = try int32()
            }
        }
    }

    // MARK: Protection case

    /// `iom.v1.ProtectionCase` (without `sealed`: a key the table does not hold).
    mutating func protectionCase(_ w: inout Iom_V1_ProtectionCase) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.protectionCase, seen: &seen, first: &first) {
            switch field {
            case 0: try recordMeta(&w.meta)
            case 1: w.shortID = try string()
            case 2: w.status = try enumValue()
            case 3: try identifyingData(&w.identifying)
            case 4: try caseProfile(&w.profile)
            case 5: try childProtection(&w.children)
            case 6: try traffickingDetails(&w.trafficking)
            case 7: try protectionNeeds(&w.protection)
            case 8: try consent(&w.consent)
            case 9:
                var overrides: [Iom_V1_ConsentOverride] = []
                try beginArray()
                var more = true
                while try nextElement(first: &more) {
                    var o = Iom_V1_ConsentOverride()
                    try consentOverride(&o)
                    overrides.append(o)
                }
                w.consentOverrides = overrides
            case 10: w.transferredTo = try string()
            case 11: try date(&w.retentionUntil)
            default: try ownership(&w.ownership)
            }
        }
    }

    /// `iom.v1.IdentityDocument`.
    mutating func identityDocument(_ w: inout Iom_V1_IdentityDocument) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.identityDocument, seen: &seen, first: &first) {
            switch field {
            case 0: w.kind = try string()
            case 1: w.number = try string()
            default: w.issuingCountry = try string()
            }
        }
    }

    /// `iom.v1.FamilyMember`.
    mutating func familyMember(_ w: inout Iom_V1_FamilyMember) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.familyMember, seen: &seen, first: &first) {
            switch field {
            case 0: w.name = try string()
            case 1: w.relation = try string()
            default: w.contact = try string()
            }
        }
    }

    /// `iom.v1.GeoPoint`.
    mutating func geoPoint(_ w: inout Iom_V1_GeoPoint) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.geoPoint, seen: &seen, first: &first) {
            switch field {
            case 0: w.latitude = try double()
            default: w.longitude = try double()
            }
        }
    }

    /// `iom.v1.IdentifyingData`.
    mutating func identifyingData(_ w: inout Iom_V1_IdentifyingData) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.identifyingData, seen: &seen, first: &first) {
            switch field {
            case 0: w.givenName = try string()
            case 1: w.familyName = try string()
            case 2: try date(&w.dateOfBirth)
            case 3:
                var documents: [Iom_V1_IdentityDocument] = []
                try beginArray()
                var more = true
                while try nextElement(first: &more) {
                    var d = Iom_V1_IdentityDocument()
                    try identityDocument(&d)
                    documents.append(d)
                }
                w.documents = documents
            case 4: w.phone = try string()
            case 5: w.address = try string()
            case 6: try geoPoint(&w.exactLocation)
            case 7: w.photoReferences = try strings()
            case 8:
                var members: [Iom_V1_FamilyMember] = []
                try beginArray()
                var more = true
                while try nextElement(first: &more) {
                    var m = Iom_V1_FamilyMember()
                    try familyMember(&m)
                    members.append(m)
                }
                w.familyMembers = members
            default: w.narrative = try string()
            }
        }
    }

    /// `iom.v1.CaseProfile`.
    mutating func caseProfile(_ w: inout Iom_V1_CaseProfile) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.caseProfile, seen: &seen, first: &first) {
            switch field {
            case 0: w.gender = try enumValue()
            case 1: w.ageBand = try enumValue()
            case 2: w.isMinor = try bool()
            case 3: w.citizenship = try strings()
            default: w.countryOfExploitation = try string()
            }
        }
    }

    /// `iom.v1.BestInterestsRecord`.
    mutating func bestInterestsRecord(_ w: inout Iom_V1_BestInterestsRecord) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.bestInterestsRecord, seen: &seen, first: &first) {
            switch field {
            case 0: try date(&w.date)
            case 1: w.by = try string()
            default: w.summary = try string()
            }
        }
    }

    /// `iom.v1.ChildProtection`.
    mutating func childProtection(_ w: inout Iom_V1_ChildProtection) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.childProtection, seen: &seen, first: &first) {
            switch field {
            case 0: w.care = try enumValue()
            case 1: try bestInterestsRecord(&w.bestInterestsAssessment)
            default: try bestInterestsRecord(&w.bestInterestsDetermination)
            }
        }
    }

    /// `iom.v1.Exploitation`: a second member of its `oneof` declines (SwiftProtobuf refuses it).
    mutating func exploitation(_ w: inout Iom_V1_Exploitation) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.exploitation, seen: &seen, first: &first) {
            guard w.type == nil else { throw Decline() }
            switch field {
            case 0: w.type = .forcedLabour(try enumValue())
            case 1: w.type = .sexualExploitation(try enumValue())
            case 2:
                var e = Iom_V1_Exploitation.Empty()
                try empty(&e)
                w.type = .forcedMarriage(e)
            case 3:
                var e = Iom_V1_Exploitation.Empty()
                try empty(&e)
                w.type = .begging(e)
            default: w.type = .other(try string())
            }
        }
    }

    /// `iom.v1.Exploitation.Empty`: `{}`.
    mutating func empty(_ w: inout Iom_V1_Exploitation.Empty) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while try nextField(JSONNames.empty, seen: &seen, first: &first) != nil { throw Decline() }
    }

    /// `iom.v1.TraffickingDetails`.
    mutating func traffickingDetails(_ w: inout Iom_V1_TraffickingDetails) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.traffickingDetails, seen: &seen, first: &first) {
            switch field {
            case 0: w.status = try enumValue()
            case 1: w.decidedBy = try string()
            case 2:
                var exploitation: [Iom_V1_Exploitation] = []
                try beginArray()
                var more = true
                while try nextElement(first: &more) {
                    var e = Iom_V1_Exploitation()
                    try self.exploitation(&e)
                    exploitation.append(e)
                }
                w.exploitation = exploitation
            case 3: w.meansOfControl = try enumValues()
            case 4: w.recruiterRelation = try enumValue()
            default: w.duration = try enumValue()
            }
        }
    }

    /// `iom.v1.CaseService`.
    mutating func caseService(_ w: inout Iom_V1_CaseService) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.caseService, seen: &seen, first: &first) {
            switch field {
            case 0: w.kind = try enumValue()
            case 1: w.provider = try string()
            default: w.status = try enumValue()
            }
        }
    }

    /// `iom.v1.Referral`.
    mutating func referral(_ w: inout Iom_V1_Referral) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.referral, seen: &seen, first: &first) {
            switch field {
            case 0: w.organisation = try string()
            case 1: try date(&w.referredOn)
            case 2: try date(&w.closedOn)
            default: w.status = try enumValue()
            }
        }
    }

    /// `iom.v1.ProtectionNeeds`.
    mutating func protectionNeeds(_ w: inout Iom_V1_ProtectionNeeds) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.protectionNeeds, seen: &seen, first: &first) {
            switch field {
            case 0: w.risk = try enumValue()
            case 1: w.concerns = try enumValues()
            case 2:
                var services: [Iom_V1_CaseService] = []
                try beginArray()
                var more = true
                while try nextElement(first: &more) {
                    var s = Iom_V1_CaseService()
                    try caseService(&s)
                    services.append(s)
                }
                w.services = services
            default:
                var referrals: [Iom_V1_Referral] = []
                try beginArray()
                var more = true
                while try nextElement(first: &more) {
                    var x = Iom_V1_Referral()
                    try referral(&x)
                    referrals.append(x)
                }
                w.referrals = referrals
            }
        }
    }

    /// `iom.v1.Consent`.
    mutating func consent(_ w: inout Iom_V1_Consent) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.consent, seen: &seen, first: &first) {
            switch field {
            case 0: w.services = try bool()
            case 1: w.disclosureToOtherOrganisations = try bool()
            case 2: w.tracing = try bool()
            case 3: w.legalBasis = try enumValue()
            case 4: w.purpose = try string()
            default: try date(&w.recordedOn)
            }
        }
    }

    /// `iom.v1.ConsentOverride`.
    mutating func consentOverride(_ w: inout Iom_V1_ConsentOverride) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.consentOverride, seen: &seen, first: &first) {
            switch field {
            case 0: w.scope = try enumValue()
            case 1: w.by = try string()
            case 2: w.reason = try string()
            default: w.atMs = try int64()
            }
        }
    }

    /// `iom.v1.AuditEntry`.
    mutating func auditEntry(_ w: inout Iom_V1_AuditEntry) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.auditEntry, seen: &seen, first: &first) {
            switch field {
            case 0: w.atMs = try int64()
            case 1: w.actor = try string()
            default: w.action = try string()
            }
        }
    }

    /// `iom.v1.Ownership`.
    mutating func ownership(_ w: inout Iom_V1_Ownership) throws(Decline) {
        try beginObject()
        var seen: UInt32 = 0, first = true
        while let field = try nextField(JSONNames.ownership, seen: &seen, first: &first) {
            switch field {
            case 0: w.caseworker = try string()
            case 1: w.agency = try string()
            default:
                var trail: [Iom_V1_AuditEntry] = []
                try beginArray()
                var more = true
                while try nextElement(first: &more) {
                    var a = Iom_V1_AuditEntry()
                    try auditEntry(&a)
                    trail.append(a)
                }
                w.auditTrail = trail
            }
        }
    }
}

// MARK: Enum names

// Generated from Protocols/iom/v1/*.proto (every enum is dense from 0); a misspelt name would
// take the fast path where SwiftProtobuf refuses, which `JSONRecordReaderTests` checks per name.

extension Iom_V1_EventKind: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "EVENT_KIND_UNSPECIFIED",
        "EVENT_KIND_THEMATIC_BREAKFAST",
        "EVENT_KIND_WORKSHOP",
        "EVENT_KIND_CONFERENCE",
        "EVENT_KIND_CAMPAIGN",
        "EVENT_KIND_TRAINING",
        "EVENT_KIND_OTHER",
    ]
}

extension Iom_V1_ParticipantCategory: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "PARTICIPANT_CATEGORY_UNSPECIFIED",
        "PARTICIPANT_CATEGORY_GOVERNMENT",
        "PARTICIPANT_CATEGORY_EU_DELEGATION",
        "PARTICIPANT_CATEGORY_COUNTRY_OF_ORIGIN",
        "PARTICIPANT_CATEGORY_DESTINATION_COUNTRY",
        "PARTICIPANT_CATEGORY_INTERNATIONAL_ORGANISATION",
        "PARTICIPANT_CATEGORY_CIVIL_SOCIETY",
        "PARTICIPANT_CATEGORY_OTHER",
    ]
}

extension Iom_V1_MembershipStatus: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "MEMBERSHIP_STATUS_UNSPECIFIED",
        "MEMBERSHIP_STATUS_MEMBER",
        "MEMBERSHIP_STATUS_OBSERVER",
    ]
}

extension Iom_V1_MissionStatus: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "MISSION_STATUS_UNSPECIFIED",
        "MISSION_STATUS_OPEN",
        "MISSION_STATUS_SUSPENDED",
        "MISSION_STATUS_CLOSED",
    ]
}

extension Iom_V1_CaseStatus: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "CASE_STATUS_UNSPECIFIED",
        "CASE_STATUS_IDENTIFIED",
        "CASE_STATUS_REGISTERED",
        "CASE_STATUS_ASSESSMENT",
        "CASE_STATUS_CASE_PLAN",
        "CASE_STATUS_SERVICE_PROVISION",
        "CASE_STATUS_FOLLOW_UP",
        "CASE_STATUS_CLOSED",
        "CASE_STATUS_CLOSED_REFERRED",
        "CASE_STATUS_REOPENED",
        "CASE_STATUS_TRANSFERRED",
    ]
}

extension Iom_V1_Gender: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "GENDER_UNSPECIFIED",
        "GENDER_MAN",
        "GENDER_WOMAN",
        "GENDER_TRANS_OR_NON_CONFORMING",
        "GENDER_UNKNOWN",
    ]
}

extension Iom_V1_AgeBand: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "AGE_BAND_UNSPECIFIED",
        "AGE_BAND_0_8",
        "AGE_BAND_9_17",
        "AGE_BAND_18_20",
        "AGE_BAND_21_23",
        "AGE_BAND_24_26",
        "AGE_BAND_27_29",
        "AGE_BAND_30_38",
        "AGE_BAND_39_47",
        "AGE_BAND_48_PLUS",
    ]
}

extension Iom_V1_CareArrangement: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "CARE_ARRANGEMENT_UNSPECIFIED",
        "CARE_ARRANGEMENT_UNACCOMPANIED",
        "CARE_ARRANGEMENT_SEPARATED",
        "CARE_ARRANGEMENT_ACCOMPANIED",
    ]
}

extension Iom_V1_TraffickingStatus: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "TRAFFICKING_STATUS_UNSPECIFIED",
        "TRAFFICKING_STATUS_POSSIBLE",
        "TRAFFICKING_STATUS_ACTUAL",
        "TRAFFICKING_STATUS_NOT_A_VICTIM",
    ]
}

extension Iom_V1_LabourSector: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "LABOUR_SECTOR_UNSPECIFIED",
        "LABOUR_SECTOR_AGRICULTURE",
        "LABOUR_SECTOR_CONSTRUCTION",
        "LABOUR_SECTOR_DOMESTIC_WORK",
        "LABOUR_SECTOR_FISHING",
        "LABOUR_SECTOR_HOSPITALITY",
        "LABOUR_SECTOR_MANUFACTURING",
        "LABOUR_SECTOR_MINING",
        "LABOUR_SECTOR_BEGGING",
        "LABOUR_SECTOR_OTHER",
        "LABOUR_SECTOR_UNKNOWN",
    ]
}

extension Iom_V1_SexualExploitationType: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "SEXUAL_EXPLOITATION_TYPE_UNSPECIFIED",
        "SEXUAL_EXPLOITATION_TYPE_PROSTITUTION",
        "SEXUAL_EXPLOITATION_TYPE_PORNOGRAPHY",
        "SEXUAL_EXPLOITATION_TYPE_PRIVATE_SEXUAL_SERVICES",
        "SEXUAL_EXPLOITATION_TYPE_OTHER",
        "SEXUAL_EXPLOITATION_TYPE_UNKNOWN",
    ]
}

extension Iom_V1_MeansOfControl: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "MEANS_OF_CONTROL_UNSPECIFIED",
        "MEANS_OF_CONTROL_DEBT_BONDAGE",
        "MEANS_OF_CONTROL_TAKES_EARNINGS",
        "MEANS_OF_CONTROL_THREATS",
        "MEANS_OF_CONTROL_ABUSE",
        "MEANS_OF_CONTROL_FALSE_PROMISES",
        "MEANS_OF_CONTROL_PSYCHOACTIVE_SUBSTANCES",
        "MEANS_OF_CONTROL_RESTRICTS_MOVEMENT",
        "MEANS_OF_CONTROL_WITHHOLDS_DOCUMENTS_OR_NECESSITIES",
    ]
}

extension Iom_V1_RecruiterRelation: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "RECRUITER_RELATION_UNSPECIFIED",
        "RECRUITER_RELATION_INTIMATE_PARTNER",
        "RECRUITER_RELATION_FRIEND",
        "RECRUITER_RELATION_FAMILY",
        "RECRUITER_RELATION_OTHER",
        "RECRUITER_RELATION_UNKNOWN",
    ]
}

extension Iom_V1_DurationBand: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "DURATION_BAND_UNSPECIFIED",
        "DURATION_BAND_UNDER_ONE_MONTH",
        "DURATION_BAND_ONE_TO_SIX_MONTHS",
        "DURATION_BAND_SIX_TO_TWELVE_MONTHS",
        "DURATION_BAND_OVER_ONE_YEAR",
        "DURATION_BAND_UNKNOWN",
    ]
}

extension Iom_V1_RiskLevel: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "RISK_LEVEL_UNSPECIFIED",
        "RISK_LEVEL_LOW",
        "RISK_LEVEL_MEDIUM",
        "RISK_LEVEL_HIGH",
    ]
}

extension Iom_V1_ProtectionConcern: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "PROTECTION_CONCERN_UNSPECIFIED",
        "PROTECTION_CONCERN_TRAFFICKING",
        "PROTECTION_CONCERN_UNACCOMPANIED_CHILD",
        "PROTECTION_CONCERN_SEPARATED_CHILD",
        "PROTECTION_CONCERN_VIOLENCE",
        "PROTECTION_CONCERN_DETENTION",
        "PROTECTION_CONCERN_HEALTH_CONDITION",
        "PROTECTION_CONCERN_DISABILITY",
        "PROTECTION_CONCERN_STATELESSNESS",
        "PROTECTION_CONCERN_OTHER",
    ]
}

extension Iom_V1_ServiceKind: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "SERVICE_KIND_UNSPECIFIED",
        "SERVICE_KIND_EMERGENCY_SHELTER",
        "SERVICE_KIND_HEALTH",
        "SERVICE_KIND_PSYCHOSOCIAL",
        "SERVICE_KIND_LEGAL",
        "SERVICE_KIND_FAMILY_TRACING",
        "SERVICE_KIND_RETURN_AND_REINTEGRATION",
        "SERVICE_KIND_EDUCATION",
        "SERVICE_KIND_LIVELIHOOD",
        "SERVICE_KIND_OTHER",
    ]
}

extension Iom_V1_ServiceStatus: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "SERVICE_STATUS_UNSPECIFIED",
        "SERVICE_STATUS_PLANNED",
        "SERVICE_STATUS_IN_PROGRESS",
        "SERVICE_STATUS_DELIVERED",
        "SERVICE_STATUS_CANCELLED",
    ]
}

extension Iom_V1_ReferralStatus: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "REFERRAL_STATUS_UNSPECIFIED",
        "REFERRAL_STATUS_IN_PROGRESS",
        "REFERRAL_STATUS_ACCEPTED",
        "REFERRAL_STATUS_REJECTED",
        "REFERRAL_STATUS_DONE",
        "REFERRAL_STATUS_REVOKED",
    ]
}

extension Iom_V1_LegalBasis: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "LEGAL_BASIS_UNSPECIFIED",
        "LEGAL_BASIS_CONSENT",
        "LEGAL_BASIS_VITAL_INTEREST",
        "LEGAL_BASIS_BEST_INTERESTS_OF_CHILD",
        "LEGAL_BASIS_PUBLIC_INTEREST",
        "LEGAL_BASIS_LEGAL_OBLIGATION",
    ]
}

extension Iom_V1_OverrideScope: JSONEnumNames {
    static let jsonNames: [StaticString] = [
        "OVERRIDE_SCOPE_UNSPECIFIED",
        "OVERRIDE_SCOPE_REFERRAL",
        "OVERRIDE_SCOPE_TRANSFER",
    ]
}

