import Testing
import IOMDomain
import IOMFixtures

let t0 = Instant(millisecondsSince1970: 1_700_000_000_000)
let tEarlier = Instant(millisecondsSince1970: 1_600_000_000_000)

@Suite struct RecordValidationTests {
    @Test func organisationReportsEveryProblemAtOnce() {
        do {
            _ = try Organisation(id: .init("iom"), version: 0, createdAt: t0, updatedAt: tEarlier,
                                 name: .init(fr: "OIM"), shortName: .init(fr: "OIM"), foundedYear: 51,
                                 partOfUnitedNations: true, memberStateCount: 1000, countriesOfPresenceAtLeast: 100, priorities: [])
            Issue.record("expected an error")
        } catch let e {
            #expect(Set(e.paths) == ["organisation.version", "organisation.updatedAt", "organisation.foundedYear", "organisation.memberStateCount"])
            #expect(e.description.contains(#"organisation.foundedYear: "51" is not a year"#))
        }
    }

    @Test func missionRejectsDuplicateOfficesAndBadYear() throws {
        let rabat = try NonEmptyString("Rabat")
        do {
            _ = try Mission(id: .init("m"), version: 1, createdAt: t0, updatedAt: t0, organisation: .init("iom"),
                            name: .init(fr: "Mission"), country: .init("MA"), presentSince: 20070,
                            chiefOfMission: nil, thematicAxes: [], offices: [rabat, rabat], status: .open)
            Issue.record("expected an error")
        } catch {
            #expect(Set(error.paths) == ["mission.presentSince", "mission.offices[1]"])
        }
    }

    @Test func memberStateAdmissionCannotPrecedeFounding() throws {
        #expect(throws: ValidationError.self) {
            try MemberState(id: .init("s"), version: 1, createdAt: t0, updatedAt: t0, country: .init("FR"),
                            name: .init(fr: "France"), status: .member, admittedOn: .init(year: 1950, month: 1, day: 1))
        }
        let ok = try MemberState(id: .init("s"), version: 1, createdAt: t0, updatedAt: t0, country: .init("FR"),
                                 name: .init(fr: "France"), status: .observer, admittedOn: nil)
        #expect(ok.country.alpha3 == "FRA")
    }

    @Test func eventRejectsDuplicateParticipantsAndBadObservance() throws {
        let p = Participant(category: .government, name: try .init("Ministère"), country: nil)
        do {
            _ = try PublicEvent(id: .init("e"), version: 1, createdAt: t0, updatedAt: t0, kind: .workshop, title: .init(en: "W"),
                                date: .init(year: 2017, month: 7, day: 24), city: .init("Rabat"), country: .init("MA"),
                                theme: nil, observance: nil, organisingMission: .init("m"), participants: [p, p], speakers: [], outcomes: [])
            Issue.record("expected an error")
        } catch { #expect(error.paths == ["event.participants[1]"]) }
        #expect(throws: ValidationError.self) { try Observance(name: .init(en: "x"), month: 2, day: 30) }
    }
}

@Suite struct SeedTests {
    @Test func organisationFactsComeFromTheSeedPage() {
        let o = Seed.organisation
        #expect(o.foundedYear == 1951)
        #expect(o.memberStateCount == 174)
        #expect(o.countriesOfPresenceAtLeast == 100)
        #expect(o.partOfUnitedNations)
        #expect(o.shortName.fr == "OIM")
        #expect(o.priorities.count == 3)
    }

    @Test func moroccoMission() {
        let m = Seed.moroccoMission
        #expect(m.country.alpha2 == "MA")
        #expect(m.presentSince == 2007)
        #expect(m.chiefOfMission?.value == "Ana Fonseca")
        #expect(m.thematicAxes.count == 3)
        #expect(m.organisation == Seed.organisation.id)
    }

    @Test func rabatBreakfast() {
        let e = Seed.rabatBreakfast2017
        #expect(e.kind == .thematicBreakfast)
        #expect(e.date.description == "2017-07-24")
        #expect(e.city.value == "Rabat")
        #expect(e.theme?.fr?.contains("les mineurs, ces PETITES victimes de la traite") == true)
        #expect(e.observance?.month == 7 && e.observance?.day == 30)
        #expect(e.organisingMission == Seed.moroccoMission.id)
        let categories = Set(e.participants.map(\.category))
        #expect(categories.isSuperset(of: [.government, .euDelegation, .countryOfOrigin, .destinationCountry, .internationalOrganisation]))
        #expect(e.participants.contains { $0.name.value.contains("Amina Oufroukhi") })
        #expect(e.speakers.map(\.name.value) == ["Ana Fonseca"])
        #expect(Seed.all.count == 3)
    }

    @Test func fictionalCasesAreMarked() {
        for c in [FictionalCases.minimal, FictionalCases.complete, FictionalCases.transferred] {
            #expect(c.consent.purpose.value.hasPrefix("FICTIONAL"))
        }
        #expect(FictionalCases.complete.identifying?.givenName?.value.hasPrefix("FICTIONAL") == true)
    }
}

@Suite struct ChangeTests {
    @Test func createdUpdatedDeletedShapes() throws {
        let m = Seed.moroccoMission.anyRecord
        let c = try Change(kind: .created, before: nil, after: m)
        #expect(c.recordType == .mission && c.recordID == "mission-ma" && c.version == 1)
        let d = try Change(kind: .deleted, before: m, after: nil)
        #expect(d.version == 2 && d.after == nil)
        #expect(throws: ValidationError.self) { try Change(kind: .created, before: m, after: m) }
        #expect(throws: ValidationError.self) { try Change(kind: .updated, before: nil, after: m) }
        #expect(throws: ValidationError.self) { try Change(kind: .deleted, before: nil, after: nil) }
    }

    @Test func updateMustBeSameRecordWithHigherVersion() throws {
        let before = FictionalCases.minimal
        let after = try before.transition(to: .registered, at: t0, by: .init("cw"))
        let u = try Change(kind: .updated, before: before.anyRecord, after: after.anyRecord)
        #expect(u.version == 2)
        do {
            _ = try Change(kind: .updated, before: after.anyRecord, after: before.anyRecord)
            Issue.record("expected an error")
        } catch { #expect(error.paths == ["change.after.version"]) }
        do {
            _ = try Change(kind: .updated, before: Seed.moroccoMission.anyRecord, after: after.anyRecord)
            Issue.record("expected an error")
        } catch { #expect(error.paths.contains("change.after")) }
    }
}
