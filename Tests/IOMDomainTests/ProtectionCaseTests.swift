import Testing
import IOMDomain
import IOMFixtures

func name(_ s: String) -> NonEmptyString { try! NonEmptyString(s) }
func day(_ y: Int, _ m: Int, _ d: Int) -> CalendarDate { try! CalendarDate(year: y, month: m, day: d) }

let noConsent = Consent(services: false, disclosureToOtherOrganisations: false, tracing: false, legalBasis: .vitalInterest,
                        purpose: name("FICTIONAL purpose"), recordedOn: nil)
let fullConsent = Consent(services: true, disclosureToOtherOrganisations: true, tracing: true, legalBasis: .consent,
                          purpose: name("FICTIONAL purpose"), recordedOn: day(2023, 11, 14))
let adult = CaseProfile(gender: .man, ageBand: .age30to38, isMinor: false, citizenship: [], countryOfExploitation: nil)
let minor = CaseProfile(gender: .woman, ageBand: .age9to17, isMinor: true, citizenship: [], countryOfExploitation: nil)
let owner = Ownership(caseworker: name("FICTIONAL cw"), agency: name("FICTIONAL agency"), auditTrail: [])

func makeCase(status: CaseStatus = .identified, identifying: IdentifyingData? = nil, profile: CaseProfile = adult,
              children: ChildProtection? = nil, trafficking: TraffickingDetails? = nil, protection: ProtectionNeeds? = nil,
              consent: Consent = noConsent, overrides: [ConsentOverride] = [], transferredTo: NonEmptyString? = nil,
              retention: CalendarDate = day(2033, 1, 1)) throws(ValidationError) -> ProtectionCase {
    try ProtectionCase(id: .init("case-x"), version: 1, createdAt: t0, updatedAt: t0, shortID: name("T-1"), status: status,
                       identifying: identifying, profile: profile, children: children, trafficking: trafficking,
                       protection: protection, consent: consent, consentOverrides: overrides, transferredTo: transferredTo,
                       retentionUntil: retention, ownership: owner)
}

@Suite struct ProtectionCaseValidationTests {
    @Test func validCaseBuilds() throws {
        let c = try makeCase()
        #expect(c.status == .identified && c.version == 1)
    }

    @Test func minorNeedsChildGroupAndConsistentBand() {
        #expect(throws: ValidationError.self) { try makeCase(profile: minor) }
        let wrong = CaseProfile(gender: .man, ageBand: .age18to20, isMinor: true, citizenship: [], countryOfExploitation: nil)
        do { _ = try makeCase(profile: wrong, children: nil); Issue.record("expected an error") } catch {
            #expect(Set(error.paths) == ["protectionCase.profile.isMinor", "protectionCase.children"])
        }
    }

    @Test func determinationNeedsAssessment() {
        let bir = BestInterestsRecord(date: day(2023, 11, 15), by: name("panel"), summary: nil)
        do {
            _ = try makeCase(profile: minor, children: ChildProtection(care: .separated, bestInterestsAssessment: nil, bestInterestsDetermination: bir))
            Issue.record("expected an error")
        } catch { #expect(error.paths == ["protectionCase.children.bestInterestsDetermination"]) }
    }

    @Test func reportsEveryProblemOfACaseAtOnce() throws {
        let badLocation = IdentifyingData(exactLocation: GeoPoint(latitude: 91, longitude: -181))
        let actualWithoutDecider = TraffickingDetails(status: .actual, decidedBy: nil, exploitation: [.begging], meansOfControl: [],
                                                      recruiterRelation: nil, duration: nil)
        let referral = Referral(organisation: name("FICTIONAL org"), referredOn: day(2023, 11, 15), closedOn: day(2023, 11, 1), status: .done)
        let needs = ProtectionNeeds(risk: .high, concerns: [], services: [], referrals: [referral])
        let consentNoDate = Consent(services: true, disclosureToOtherOrganisations: false, tracing: false, legalBasis: .consent,
                                    purpose: name("p"), recordedOn: nil)
        let twice = CaseProfile(gender: .man, ageBand: .age30to38, isMinor: false, citizenship: [try .init("NG"), try .init("NGA")], countryOfExploitation: nil)
        do {
            _ = try makeCase(identifying: badLocation, profile: twice, trafficking: actualWithoutDecider, protection: needs,
                             consent: consentNoDate, transferredTo: name("x"), retention: day(2020, 1, 1))
            Issue.record("expected an error")
        } catch {
            #expect(Set(error.paths) == [
                "protectionCase.identifying.exactLocation.latitude", "protectionCase.identifying.exactLocation.longitude",
                "protectionCase.profile.citizenship[1]", "protectionCase.trafficking.decidedBy",
                "protectionCase.protection.referrals[0].closedOn", "protectionCase.protection.referrals[0]",
                "protectionCase.consent.recordedOn", "protectionCase.transferredTo", "protectionCase.retentionUntil",
            ])
            #expect(error.description.contains(#"protectionCase.retentionUntil: "2020-01-01" is before the case was created"#))
        }
    }

    @Test func referralNeedsConsentOrOverride() throws {
        let referral = Referral(organisation: name("FICTIONAL org"), referredOn: day(2023, 11, 15), closedOn: nil, status: .inProgress)
        let needs = ProtectionNeeds(risk: .low, concerns: [.trafficking], services: [], referrals: [referral])
        #expect(throws: ValidationError.self) { try makeCase(protection: needs) }
        #expect(try makeCase(protection: needs, consent: fullConsent).protection?.referrals.count == 1)
        let o = ConsentOverride(scope: .referral, by: name("sup"), reason: name("risk"), at: t0)
        #expect(try makeCase(protection: needs, overrides: [o]).consentOverrides == [o])
    }
}

@Suite struct CaseWorkflowTests {
    static let expected: [CaseStatus: Set<CaseStatus>] = [
        .identified: [.registered, .transferred], .registered: [.assessment, .transferred],
        .assessment: [.casePlan, .transferred], .casePlan: [.serviceProvision, .transferred],
        .serviceProvision: [.followUp, .transferred], .followUp: [.closed, .closedReferred, .transferred],
        .closed: [.reopened], .reopened: [.assessment, .transferred], .closedReferred: [], .transferred: [],
    ]

    @Test func onlyTheDocumentedEdgesExist() {
        for from in CaseStatus.allCases {
            for to in CaseStatus.allCases {
                #expect(from.canMove(to: to) == Self.expected[from]!.contains(to), "\(from) -> \(to)")
            }
        }
    }

    @Test func illegalTransitionIsATypedError() throws {
        let c = try makeCase()
        #expect(throws: CaseTransitionError.illegal(from: .identified, to: .closed)) {
            try c.transition(to: .closed, at: t0, by: name("cw"))
        }
        let error = try #require(throws: CaseTransitionError.self) { try c.transition(to: .casePlan, at: t0, by: name("cw")) }
        #expect(error.description == #"protectionCase.status: "casePlan" cannot follow "identified""#)
    }

    @Test func happyPathBumpsVersionAndAudits() throws {
        var c = try makeCase(consent: fullConsent)
        for next: CaseStatus in [.registered, .assessment, .casePlan, .serviceProvision, .followUp, .closed, .reopened, .assessment] {
            c = try c.transition(to: next, at: Instant(millisecondsSince1970: t0.millisecondsSince1970 + 1000), by: name("cw"))
            #expect(c.status == next)
        }
        #expect(c.version == 9)
        #expect(c.ownership.auditTrail.count == 8)
        #expect(c.ownership.auditTrail.last?.action.value == "status reopened -> assessment")
        #expect(c.updatedAt > c.createdAt)
    }

    @Test func minorNeedsBestInterestsAssessmentBeforeCasePlan() throws {
        let without = try makeCase(status: .assessment, profile: minor,
                                   children: ChildProtection(care: .unaccompanied, bestInterestsAssessment: nil, bestInterestsDetermination: nil))
        #expect(throws: CaseTransitionError.bestInterestsAssessmentRequired) {
            try without.transition(to: .casePlan, at: t0, by: name("cw"))
        }
        let bia = BestInterestsRecord(date: day(2023, 11, 14), by: name("cw"), summary: nil)
        let with = try makeCase(status: .assessment, profile: minor,
                                children: ChildProtection(care: .unaccompanied, bestInterestsAssessment: bia, bestInterestsDetermination: nil))
        #expect(try with.transition(to: .casePlan, at: t0, by: name("cw")).status == .casePlan)
        // An adult does not need one.
        #expect(try makeCase(status: .assessment).transition(to: .casePlan, at: t0, by: name("cw")).status == .casePlan)
    }

    @Test func transferNeedsConsentOrAuditedOverride() throws {
        let c = try makeCase(status: .registered)
        #expect(throws: CaseTransitionError.consentRequired(.transferred)) {
            try c.transition(to: .transferred, at: t0, by: name("cw"), transferTo: name("UNICEF"))
        }
        let wrongScope = ConsentOverride(scope: .referral, by: name("sup"), reason: name("risk"), at: t0)
        #expect(throws: CaseTransitionError.overrideScopeMismatch(expected: .transfer, got: .referral)) {
            try c.transition(to: .transferred, at: t0, by: name("sup"), transferTo: name("UNICEF"), override: wrongScope)
        }
        let o = ConsentOverride(scope: .transfer, by: name("sup"), reason: name("Child at immediate risk"), at: t0)
        let moved = try c.transition(to: .transferred, at: t0, by: name("sup"), transferTo: name("UNICEF"), override: o)
        #expect(moved.status == .transferred && moved.transferredTo?.value == "UNICEF")
        #expect(moved.consentOverrides == [o])
        #expect(moved.ownership.auditTrail.last?.action.value.contains("override: Child at immediate risk") == true)
        #expect(throws: CaseTransitionError.transferDestinationRequired) {
            try makeCase(status: .registered, consent: fullConsent).transition(to: .transferred, at: t0, by: name("cw"))
        }
        #expect(try makeCase(status: .registered, consent: fullConsent)
            .transition(to: .transferred, at: t0, by: name("cw"), transferTo: name("UNICEF")).status == .transferred)
        // A closed case cannot be transferred.
        #expect(throws: CaseTransitionError.illegal(from: .closed, to: .transferred)) {
            try makeCase(status: .closed, consent: fullConsent).transition(to: .transferred, at: t0, by: name("cw"), transferTo: name("x"))
        }
    }

    @Test func closingReferredNeedsConsentOrOverride() throws {
        let c = try makeCase(status: .followUp)
        #expect(throws: CaseTransitionError.consentRequired(.closedReferred)) {
            try c.transition(to: .closedReferred, at: t0, by: name("cw"))
        }
        let o = ConsentOverride(scope: .referral, by: name("sup"), reason: name("risk"), at: t0)
        #expect(try c.transition(to: .closedReferred, at: t0, by: name("sup"), override: o).status == .closedReferred)
        #expect(try c.transition(to: .closed, at: t0, by: name("cw")).status == .closed)
    }

    @Test func concurrentTransitionsOnCopiesAreIndependent() async throws {
        let base = try makeCase(consent: fullConsent)
        let versions = await withTaskGroup(of: UInt64.self) { group in
            for _ in 0..<8 { group.addTask { (try? base.transition(to: .registered, at: t0, by: name("cw")).version) ?? 0 } }
            var out: [UInt64] = []
            for await v in group { out.append(v) }
            return out
        }
        #expect(versions == Array(repeating: 2, count: 8))
        #expect(base.status == .identified)
    }
}
