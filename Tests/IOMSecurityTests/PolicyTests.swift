import IOMDomain
import IOMFixtures
import Testing
@testable import IOMSecurity

@Suite("Access policy: each role's allowed and forbidden paths")
struct PolicyTests {
    let policy = AccessPolicy.standard

    @Test("a caseworker manages their own cases but not another's")
    func caseworkerScope() throws {
        let mine = try makeCase(1, caseworker: "cw-1")
        let theirs = try makeCase(2, caseworker: "cw-2")
        let me = Principal.caseworker("cw-1")
        try policy.authorize(me, .read, purpose: .caseManagement, case: mine)
        let e = #expect(throws: Forbidden.self) { try policy.authorize(me, .read, purpose: .caseManagement, case: theirs) }
        #expect(e?.role == .caseworker)
        #expect(e?.description.contains("outside") == true)
    }

    @Test("a caseworker may not reassign a case, add a consent override or delete")
    func caseworkerFields() throws {
        let mine = try makeCase(1, caseworker: "cw-1")
        let me = Principal.caseworker("cw-1")
        let reassigned = try edited(mine, caseworker: "cw-1")  // unchanged owner: allowed
        try policy.authorizeWrite(me, .update, purpose: .caseManagement, before: mine, after: reassigned)
        let toOther = try edited(mine, caseworker: "cw-2")
        let e1 = #expect(throws: Forbidden.self) { try policy.authorizeWrite(me, .update, purpose: .caseManagement, before: mine, after: toOther) }
        // Out of scope after the change is caught first; a supervisor-team caseworker shows the field rule:
        #expect(e1 != nil)
        let override = try ConsentOverride(scope: .referral, by: .init("cw-1"), reason: .init("FICTIONAL reason"), at: t0)
        let withOverride = try edited(mine, overrides: [override])
        let e2 = #expect(throws: Forbidden.self) {
            try policy.authorizeWrite(me, .update, purpose: .caseManagement, before: mine, after: withOverride)
        }
        #expect(e2?.field == "protectionCase.consentOverrides[].at")
        #expect(e2?.description.contains("caseworker") == true)
        #expect(e2?.description.contains("update") == true)
        #expect(throws: Forbidden.self) { try policy.authorize(me, .delete, purpose: .caseManagement, case: mine) }
        #expect(throws: Forbidden.self) { try policy.authorize(me, .read, purpose: .statistics, case: mine) }
    }

    @Test("a supervisor may reassign within the team and approve overrides; deletes only for retention")
    func supervisor() throws {
        let c = try makeCase(1, caseworker: "cw-1")
        let lead = Principal.supervisor("sup-1", team: ["cw-1", "cw-2"])
        let changed = try policy.authorizeWrite(lead, .update, purpose: .supervision, before: c, after: try edited(c, caseworker: "cw-2"))
        #expect(changed == ["protectionCase.ownership.caseworker"])
        let override = try ConsentOverride(scope: .referral, by: .init("sup-1"), reason: .init("FICTIONAL reason"), at: t0)
        try policy.authorizeWrite(lead, .update, purpose: .supervision, before: c, after: try edited(c, overrides: [override]))
        try policy.authorize(lead, .delete, purpose: .retention, case: c)
        #expect(throws: Forbidden.self) { try policy.authorize(lead, .delete, purpose: .supervision, case: c) }
        let outsider = try makeCase(3, caseworker: "cw-9")
        #expect(throws: Forbidden.self) { try policy.authorize(lead, .read, purpose: .supervision, case: outsider) }
    }

    @Test("an analyst reads redacted copies only and writes nothing")
    func analyst() throws {
        let c = FictionalCases.complete
        let a = Principal.analyst("an-1")
        try policy.authorize(a, .read, purpose: .statistics, case: c)
        let copy = try #require(policy.readableCopy(of: c, for: a))
        #expect(copy.identifying == nil)
        #expect(Redactor.isRedacted(copy))
        for field in copy.fieldValues.keys { #expect(policy.canRead(.analyst, field), "\(field)") }
        #expect(!policy.canRead(.analyst, "protectionCase.identifying.givenName"))
        let e = #expect(throws: Forbidden.self) {
            try policy.authorizeWrite(a, .update, purpose: .statistics, before: c, after: c)
        }
        #expect(e?.action == .update)
        #expect(e?.reason.hasPrefix("an analyst may only") == true, "\(String(describing: e))")
        let wrongPurpose = #expect(throws: Forbidden.self) { try policy.authorize(a, .read, purpose: .caseManagement, case: c) }
        #expect(wrongPurpose?.reason.hasPrefix("an analyst may act only for") == true, "\(String(describing: wrongPurpose))")
    }

    @Test("a service provider sees only cases referred to it, and may only update service status")
    func provider() throws {
        let referred = try makeCase(1, referredTo: "FICTIONAL shelter")
        let other = try makeCase(2)
        let p = Principal.serviceProvider("FICTIONAL shelter")
        try policy.authorize(p, .read, purpose: .serviceDelivery, case: referred)
        #expect(throws: Forbidden.self) { try policy.authorize(p, .read, purpose: .serviceDelivery, case: other) }
        let delivered = try edited(referred, protection: ProtectionNeeds(
            risk: .medium, concerns: [.trafficking],
            services: [CaseService(kind: .emergencyShelter, provider: .init("FICTIONAL shelter"), status: .delivered)],
            referrals: referred.protection!.referrals))
        #expect(try policy.authorizeWrite(p, .update, purpose: .serviceDelivery, before: referred, after: delivered)
                == ["protectionCase.protection.services[].status"])
        let renamed = try edited(referred, identifying: .some(IdentifyingData(givenName: .init("FICTIONAL Other"))))
        let e = #expect(throws: Forbidden.self) {
            try policy.authorizeWrite(p, .update, purpose: .serviceDelivery, before: referred, after: renamed)
        }
        #expect(e?.field?.rawValue.hasPrefix("protectionCase.identifying") == true)
        #expect(policy.readableCopy(of: FictionalCases.complete, for: p)?.ownership.auditTrail.isEmpty == true)
        #expect(throws: Forbidden.self) { try policy.authorize(p, .create, purpose: .serviceDelivery, case: referred) }
    }

    @Test("an auditor reads for audit only and never writes; a service replicates everything")
    func auditorAndService() throws {
        let c = try makeCase(1)
        let au = Principal.auditor("au-1")
        try policy.authorize(au, .readAudit, purpose: .audit)
        try policy.authorize(au, .read, purpose: .audit, case: c)
        #expect(throws: Forbidden.self) { try policy.authorizeWrite(au, .update, purpose: .audit, before: c, after: c) }
        #expect(throws: Forbidden.self) { try policy.authorize(au, .read, purpose: .caseManagement, case: c) }
        let s = Principal.service("replica-1")
        try policy.authorizeWrite(s, .create, purpose: .replication, before: nil, after: c)
        try policy.authorize(s, .delete, purpose: .replication, case: c)
        #expect(throws: Forbidden.self) { try policy.authorize(s, .read, purpose: .statistics, case: c) }
    }

    @Test("the view of each role matches bridge.md §12.3")
    func views() {
        #expect(BridgeView.for(.service) == .full)
        #expect(BridgeView.for(.supervisor) == .full)
        #expect(BridgeView.for(.auditor) == .full)
        #expect(BridgeView.for(.analyst) == .redacted)
        #expect(BridgeView.for(.caseworker) == .public)
        #expect(BridgeView.for(.serviceProvider) == .public)
        #expect(BridgeView.redacted.admits(.analyst))
        #expect(!BridgeView.full.admits(.analyst))
        #expect(BridgeView.redacted.zapDomain == "iom.events.redacted")
    }

    @Test("changed fields: none for an identical case, all for a new one")
    func changedFields() throws {
        let c = FictionalCases.complete
        #expect(c.changedFields(since: c).isEmpty)
        let all = c.changedFields(since: nil)
        #expect(all.contains("protectionCase.identifying.documents[].number"))
        let classified = Set(ProtectionCase.fieldClassification.keys)
        #expect(all.isSubset(of: classified.union(["protectionCase.version", "protectionCase.updatedAt"])))
    }
}
