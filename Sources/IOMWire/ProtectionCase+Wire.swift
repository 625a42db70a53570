import IOMDomain

extension ProtectionCase {
    var wire: Iom_V1_ProtectionCase {
        var w = Iom_V1_ProtectionCase()
        w.meta = wireMeta(self)
        w.shortID = shortID.value
        w.status = wireEnum(status)
        if let i = identifying { w.identifying = i.wire }
        w.profile = profile.wire
        if let c = children {
            var wc = Iom_V1_ChildProtection()
            wc.care = wireEnum(c.care)
            if let a = c.bestInterestsAssessment { wc.bestInterestsAssessment = a.wire }
            if let d = c.bestInterestsDetermination { wc.bestInterestsDetermination = d.wire }
            w.children = wc
        }
        if let t = trafficking { w.trafficking = t.wire }
        if let pr = protection { w.protection = pr.wire }
        var wc = Iom_V1_Consent()
        wc.services = consent.services
        wc.disclosureToOtherOrganisations = consent.disclosureToOtherOrganisations
        wc.tracing = consent.tracing
        wc.legalBasis = wireEnum(consent.legalBasis)
        wc.purpose = consent.purpose.value
        if let d = consent.recordedOn { wc.recordedOn = d.wire }
        w.consent = wc
        w.consentOverrides = consentOverrides.map { o in
            var wo = Iom_V1_ConsentOverride()
            wo.scope = wireEnum(o.scope); wo.by = o.by.value; wo.reason = o.reason.value; wo.atMs = o.at.millisecondsSince1970
            return wo
        }
        if let t = transferredTo { w.transferredTo = t.value }
        w.retentionUntil = retentionUntil.wire
        var wo = Iom_V1_Ownership()
        wo.caseworker = ownership.caseworker.value
        wo.agency = ownership.agency.value
        wo.auditTrail = ownership.auditTrail.map { a in
            var wa = Iom_V1_AuditEntry()
            wa.atMs = a.at.millisecondsSince1970; wa.actor = a.actor.value; wa.action = a.action.value
            return wa
        }
        w.ownership = wo
        return w
    }

    init(wire w: Iom_V1_ProtectionCase) throws(ValidationError) {
        let p = "protectionCase"
        var v = Validator()
        let meta: (Identifier<ProtectionCase>, UInt64, Instant, Instant)? = v.meta(w.meta, has: w.hasMeta, p)
        let shortID = v.name(w.shortID, "\(p).shortID")
        let status: CaseStatus? = v.enumValue(w.status, "\(p).status")
        let identifying: IdentifyingData?? = w.hasIdentifying ? IdentifyingData(wire: w.identifying, &v, "\(p).identifying").map { .some($0) } : .some(nil)
        var profile: CaseProfile?
        if w.hasProfile { profile = CaseProfile(wire: w.profile, &v, "\(p).profile") } else { v.fail("\(p).profile", "", "is required") }
        var children: ChildProtection?? = .some(nil)
        if w.hasChildren {
            let c = w.children
            let care: CareArrangement? = v.enumValue(c.care, "\(p).children.care")
            let a: BestInterestsRecord?? = c.hasBestInterestsAssessment ? BestInterestsRecord(wire: c.bestInterestsAssessment, &v, "\(p).children.bestInterestsAssessment").map { .some($0) } : .some(nil)
            let d: BestInterestsRecord?? = c.hasBestInterestsDetermination ? BestInterestsRecord(wire: c.bestInterestsDetermination, &v, "\(p).children.bestInterestsDetermination").map { .some($0) } : .some(nil)
            if let care, let a, let d { children = .some(ChildProtection(care: care, bestInterestsAssessment: a, bestInterestsDetermination: d)) } else { children = nil }
        }
        let trafficking: TraffickingDetails?? = w.hasTrafficking ? TraffickingDetails(wire: w.trafficking, &v, "\(p).trafficking").map { .some($0) } : .some(nil)
        let protection: ProtectionNeeds?? = w.hasProtection ? ProtectionNeeds(wire: w.protection, &v, "\(p).protection").map { .some($0) } : .some(nil)
        var consent: Consent?
        if w.hasConsent {
            let c = w.consent
            let basis: LegalBasis? = v.enumValue(c.legalBasis, "\(p).consent.legalBasis")
            let purpose = v.name(c.purpose, "\(p).consent.purpose")
            let recorded = v.optDate(c.recordedOn, has: c.hasRecordedOn, "\(p).consent.recordedOn")
            if let basis, let purpose, let recorded {
                consent = Consent(services: c.services, disclosureToOtherOrganisations: c.disclosureToOtherOrganisations, tracing: c.tracing,
                                  legalBasis: basis, purpose: purpose, recordedOn: recorded)
            }
        } else { v.fail("\(p).consent", "", "is required") }
        let overrides = v.all(w.consentOverrides) { v, o, i -> ConsentOverride? in
            let scope: OverrideScope? = v.enumValue(o.scope, "\(p).consentOverrides[\(i)].scope")
            let by = v.name(o.by, "\(p).consentOverrides[\(i)].by")
            let reason = v.name(o.reason, "\(p).consentOverrides[\(i)].reason")
            guard let scope, let by, let reason else { return nil }
            return ConsentOverride(scope: scope, by: by, reason: reason, at: Instant(millisecondsSince1970: o.atMs))
        }
        let transferredTo = v.optName(w.transferredTo, has: w.hasTransferredTo, "\(p).transferredTo")
        var retention: CalendarDate?
        if w.hasRetentionUntil { retention = v.date(w.retentionUntil, "\(p).retentionUntil") } else { v.fail("\(p).retentionUntil", "", "is required") }
        var ownership: Ownership?
        if w.hasOwnership {
            let o = w.ownership
            let cw = v.name(o.caseworker, "\(p).ownership.caseworker")
            let ag = v.name(o.agency, "\(p).ownership.agency")
            let trail = v.all(o.auditTrail) { v, a, i -> AuditEntry? in
                let actor = v.name(a.actor, "\(p).ownership.auditTrail[\(i)].actor")
                let action = v.name(a.action, "\(p).ownership.auditTrail[\(i)].action")
                guard let actor, let action else { return nil }
                return AuditEntry(at: Instant(millisecondsSince1970: a.atMs), actor: actor, action: action)
            }
            if let cw, let ag, let trail { ownership = Ownership(caseworker: cw, agency: ag, auditTrail: trail) }
        } else { v.fail("\(p).ownership", "", "is required") }
        try v.finish()
        guard let meta, let shortID, let status, let identifying, let profile, let children, let trafficking, let protection,
              let consent, let overrides, let transferredTo, let retention, let ownership else { throw undecodable(p) }
        try self.init(id: meta.0, version: meta.1, createdAt: meta.2, updatedAt: meta.3, shortID: shortID, status: status,
                      identifying: identifying, profile: profile, children: children, trafficking: trafficking,
                      protection: protection, consent: consent, consentOverrides: overrides, transferredTo: transferredTo,
                      retentionUntil: retention, ownership: ownership)
    }
}

func undecodable(_ path: String) -> ValidationError {
    ValidationError([ValidationIssue(path: path, value: "", reason: "could not be decoded")])
}

extension IdentifyingData {
    var wire: Iom_V1_IdentifyingData {
        var w = Iom_V1_IdentifyingData()
        if let g = givenName { w.givenName = g.value }
        if let f = familyName { w.familyName = f.value }
        if let d = dateOfBirth { w.dateOfBirth = d.wire }
        w.documents = documents.map { d in
            var wd = Iom_V1_IdentityDocument()
            wd.kind = d.kind.value; wd.number = d.number.value
            if let c = d.issuingCountry { wd.issuingCountry = c.alpha2 }
            return wd
        }
        if let ph = phone { w.phone = ph }
        if let a = address { w.address = a }
        if let l = exactLocation {
            var g = Iom_V1_GeoPoint(); g.latitude = l.latitude; g.longitude = l.longitude
            w.exactLocation = g
        }
        w.photoReferences = photoReferences
        w.familyMembers = familyMembers.map { m in
            var wm = Iom_V1_FamilyMember()
            wm.name = m.name.value; wm.relation = m.relation.value
            if let c = m.contact { wm.contact = c }
            return wm
        }
        if let n = narrative { w.narrative = n }
        return w
    }

    init?(wire w: Iom_V1_IdentifyingData, _ v: inout Validator, _ p: String) {
        let given = v.optName(w.givenName, has: w.hasGivenName, "\(p).givenName")
        let family = v.optName(w.familyName, has: w.hasFamilyName, "\(p).familyName")
        let dob = v.optDate(w.dateOfBirth, has: w.hasDateOfBirth, "\(p).dateOfBirth")
        let docs = v.all(w.documents) { v, d, i -> IdentityDocument? in
            let kind = v.name(d.kind, "\(p).documents[\(i)].kind")
            let number = v.name(d.number, "\(p).documents[\(i)].number")
            let country = v.optCountry(d.issuingCountry, has: d.hasIssuingCountry, "\(p).documents[\(i)].issuingCountry")
            guard let kind, let number, let country else { return nil }
            return IdentityDocument(kind: kind, number: number, issuingCountry: country)
        }
        let members = v.all(w.familyMembers) { v, m, i -> FamilyMember? in
            let name = v.name(m.name, "\(p).familyMembers[\(i)].name")
            let relation = v.name(m.relation, "\(p).familyMembers[\(i)].relation")
            guard let name, let relation else { return nil }
            return FamilyMember(name: name, relation: relation, contact: m.hasContact ? m.contact : nil)
        }
        guard let given, let family, let dob, let docs, let members else { return nil }
        self.init(givenName: given, familyName: family, dateOfBirth: dob, documents: docs,
                  phone: w.hasPhone ? w.phone : nil, address: w.hasAddress ? w.address : nil,
                  exactLocation: w.hasExactLocation ? GeoPoint(latitude: w.exactLocation.latitude, longitude: w.exactLocation.longitude) : nil,
                  photoReferences: w.photoReferences, familyMembers: members, narrative: w.hasNarrative ? w.narrative : nil)
    }
}

extension CaseProfile {
    var wire: Iom_V1_CaseProfile {
        var w = Iom_V1_CaseProfile()
        w.gender = wireEnum(gender)
        w.ageBand = wireEnum(ageBand)
        w.isMinor = isMinor
        w.citizenship = citizenship.map(\.alpha3)
        if let c = countryOfExploitation { w.countryOfExploitation = c.alpha2 }
        return w
    }

    init?(wire w: Iom_V1_CaseProfile, _ v: inout Validator, _ p: String) {
        let gender: Gender? = v.enumValue(w.gender, "\(p).gender")
        let band: AgeBand? = v.enumValue(w.ageBand, "\(p).ageBand")
        let citizenship = v.all(w.citizenship) { v, c, i in v.country(c, "\(p).citizenship[\(i)]") }
        let exploitation = v.optCountry(w.countryOfExploitation, has: w.hasCountryOfExploitation, "\(p).countryOfExploitation")
        guard let gender, let band, let citizenship, let exploitation else { return nil }
        self.init(gender: gender, ageBand: band, isMinor: w.isMinor, citizenship: citizenship, countryOfExploitation: exploitation)
    }
}

extension BestInterestsRecord {
    var wire: Iom_V1_BestInterestsRecord {
        var w = Iom_V1_BestInterestsRecord()
        w.date = date.wire; w.by = by.value
        if let s = summary { w.summary = s }
        return w
    }

    init?(wire w: Iom_V1_BestInterestsRecord, _ v: inout Validator, _ p: String) {
        let date = v.date(w.date, "\(p).date")
        let by = v.name(w.by, "\(p).by")
        guard let date, let by else { return nil }
        self.init(date: date, by: by, summary: w.hasSummary ? w.summary : nil)
    }
}

extension TraffickingDetails {
    var wire: Iom_V1_TraffickingDetails {
        var w = Iom_V1_TraffickingDetails()
        w.status = wireEnum(status)
        if let d = decidedBy { w.decidedBy = d.value }
        w.exploitation = exploitation.map { e in
            var we = Iom_V1_Exploitation()
            switch e {
            case .forcedLabour(let s): we.forcedLabour = wireEnum(s)
            case .sexualExploitation(let t): we.sexualExploitation = wireEnum(t)
            case .forcedMarriage: we.forcedMarriage = .init()
            case .begging: we.begging = .init()
            case .other(let text): we.other = text.value
            }
            return we
        }
        w.meansOfControl = MeansOfControl.allCases.filter(meansOfControl.contains).map { wireEnum($0) }
        if let r = recruiterRelation { w.recruiterRelation = wireEnum(r) }
        if let d = duration { w.duration = wireEnum(d) }
        return w
    }

    init?(wire w: Iom_V1_TraffickingDetails, _ v: inout Validator, _ p: String) {
        let status: TraffickingStatus? = v.enumValue(w.status, "\(p).status")
        let decided = v.optName(w.decidedBy, has: w.hasDecidedBy, "\(p).decidedBy")
        let exploitation = v.all(w.exploitation) { v, e, i -> Exploitation? in
            let path = "\(p).exploitation[\(i)]"
            switch e.type {
            case .forcedLabour(let s): return (v.enumValue(s, "\(path).forcedLabour") as LabourSector?).map { .forcedLabour($0) }
            case .sexualExploitation(let t): return (v.enumValue(t, "\(path).sexualExploitation") as SexualExploitationType?).map { .sexualExploitation($0) }
            case .forcedMarriage: return .forcedMarriage
            case .begging: return .begging
            case .other(let text): return v.name(text, "\(path).other").map { .other($0) }
            case nil: v.fail(path, "", "has no exploitation type"); return nil
            }
        }
        let means = v.all(w.meansOfControl) { v, m, i -> MeansOfControl? in v.enumValue(m, "\(p).meansOfControl[\(i)]") }
        let relation: RecruiterRelation?? = w.recruiterRelation == .unspecified ? .some(nil) : (v.enumValue(w.recruiterRelation, "\(p).recruiterRelation") as RecruiterRelation?).map { .some($0) }
        let duration: DurationBand?? = w.duration == .unspecified ? .some(nil) : (v.enumValue(w.duration, "\(p).duration") as DurationBand?).map { .some($0) }
        guard let status, let decided, let exploitation, let means, let relation, let duration else { return nil }
        self.init(status: status, decidedBy: decided, exploitation: exploitation, meansOfControl: Set(means),
                  recruiterRelation: relation, duration: duration)
    }
}

extension ProtectionNeeds {
    var wire: Iom_V1_ProtectionNeeds {
        var w = Iom_V1_ProtectionNeeds()
        w.risk = wireEnum(risk)
        w.concerns = ProtectionConcern.allCases.filter(concerns.contains).map { wireEnum($0) }
        w.services = services.map { s in
            var ws = Iom_V1_CaseService()
            ws.kind = wireEnum(s.kind); ws.provider = s.provider.value; ws.status = wireEnum(s.status)
            return ws
        }
        w.referrals = referrals.map { r in
            var wr = Iom_V1_Referral()
            wr.organisation = r.organisation.value
            wr.referredOn = r.referredOn.wire
            if let c = r.closedOn { wr.closedOn = c.wire }
            wr.status = wireEnum(r.status)
            return wr
        }
        return w
    }

    init?(wire w: Iom_V1_ProtectionNeeds, _ v: inout Validator, _ p: String) {
        let risk: RiskLevel? = v.enumValue(w.risk, "\(p).risk")
        let concerns = v.all(w.concerns) { v, c, i -> ProtectionConcern? in v.enumValue(c, "\(p).concerns[\(i)]") }
        let services = v.all(w.services) { v, s, i -> CaseService? in
            let kind: ServiceKind? = v.enumValue(s.kind, "\(p).services[\(i)].kind")
            let provider = v.name(s.provider, "\(p).services[\(i)].provider")
            let status: ServiceStatus? = v.enumValue(s.status, "\(p).services[\(i)].status")
            guard let kind, let provider, let status else { return nil }
            return CaseService(kind: kind, provider: provider, status: status)
        }
        let referrals = v.all(w.referrals) { v, r, i -> Referral? in
            let org = v.name(r.organisation, "\(p).referrals[\(i)].organisation")
            let on = v.date(r.referredOn, "\(p).referrals[\(i)].referredOn")
            let closed = v.optDate(r.closedOn, has: r.hasClosedOn, "\(p).referrals[\(i)].closedOn")
            let status: ReferralStatus? = v.enumValue(r.status, "\(p).referrals[\(i)].status")
            guard let org, let on, let closed, let status else { return nil }
            return Referral(organisation: org, referredOn: on, closedOn: closed, status: status)
        }
        guard let risk, let concerns, let services, let referrals else { return nil }
        self.init(risk: risk, concerns: Set(concerns), services: services, referrals: referrals)
    }
}
