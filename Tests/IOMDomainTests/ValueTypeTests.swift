import Testing
@testable import IOMDomain

@Suite struct CountryCodeTests {
    @Test func acceptsAlpha2Alpha3AndNumeric() throws {
        let a = try CountryCode("MA")
        #expect(a.alpha3 == "MAR")
        #expect(a.numeric == 504)
        #expect(a.name == "Morocco")
        #expect(try CountryCode("mar") == a)
        #expect(try CountryCode("504") == a)
    }

    @Test func rejectsUnknownCodeNamingFieldAndValue() {
        #expect(throws: ValidationError.self) { try CountryCode("XX", path: "mission.country") }
        do {
            _ = try CountryCode("XX", path: "mission.country")
        } catch {
            #expect(error.description == #"mission.country: "XX" is not ISO 3166-1"#)
        }
        for bad in ["", "M", "MAROC", "999", "ZZZ"] {
            #expect(throws: ValidationError.self) { try CountryCode(bad) }
        }
    }

    @Test func tableHasEveryIsoCodesEntry() {
        #expect(CountryCode.all.count == 249)
        #expect(Set(CountryCode.all.map(\.alpha3)).count == 249)
    }

    @Test func concurrentLookupsAgree() async {
        let results = await withTaskGroup(of: String?.self) { group in
            for code in ["MA", "FR", "NG", "MX", "XX"] { group.addTask { try? CountryCode(code).alpha3 } }
            var out: [String?] = []
            for await r in group { out.append(r) }
            return out
        }
        #expect(results.compactMap { $0 }.sorted() == ["FRA", "MAR", "MEX", "NGA"])
    }
}

@Suite struct CalendarDateTests {
    @Test func validatesLeapYearsAndMonthLengths() throws {
        #expect(try CalendarDate(year: 2008, month: 2, day: 29).description == "2008-02-29")
        #expect(throws: ValidationError.self) { try CalendarDate(year: 2017, month: 2, day: 29) }
        #expect(throws: ValidationError.self) { try CalendarDate(year: 1900, month: 2, day: 29) }
        #expect(try CalendarDate(year: 2000, month: 2, day: 29).day == 29)
        #expect(throws: ValidationError.self) { try CalendarDate(year: 2017, month: 4, day: 31) }
        #expect(throws: ValidationError.self) { try CalendarDate(year: 2017, month: 13, day: 1) }
    }

    @Test func errorNamesPathAndValue() throws {
        let error = try #require(throws: ValidationError.self) { try CalendarDate(year: 2017, month: 2, day: 30, path: "event.date") }
        #expect(error.description == #"event.date: "2017-02-30" is not a calendar date"#)
    }

    @Test func parsesIso8601AndOrders() throws {
        let d = try CalendarDate(iso8601: "2017-07-24")
        #expect(d == (try CalendarDate(year: 2017, month: 7, day: 24)))
        #expect(d < (try CalendarDate(iso8601: "2017-07-30")))
        #expect(throws: ValidationError.self) { try CalendarDate(iso8601: "24/07/2017") }
    }

    @Test func instantConvertsToUtcDay() throws {
        #expect(Instant(millisecondsSince1970: 1_500_854_400_000).utcDate == (try CalendarDate(year: 2017, month: 7, day: 24)))
        #expect(Instant(millisecondsSince1970: 0).utcDate.description == "1970-01-01")
        #expect(Instant(millisecondsSince1970: -1).utcDate.description == "1969-12-31")
        #expect(Instant(millisecondsSince1970: 951_782_400_000).utcDate.description == "2000-02-29")
    }
}

@Suite struct TextTests {
    @Test func nonEmptyStringTrimsAndRejectsBlank() throws {
        #expect(try NonEmptyString("  Rabat ").value == "Rabat")
        let error = try #require(throws: ValidationError.self) { try NonEmptyString(" \n", path: "event.city") }
        #expect(error.issues.first?.path == "event.city")
    }

    @Test func localizedTextNeedsOneLanguage() throws {
        let t = try LocalizedText(fr: "OIM", en: " ", ar: nil)
        #expect(t.fr == "OIM" && t.en == nil)
        #expect(throws: ValidationError.self) { try LocalizedText(fr: "", en: nil, ar: "  ") }
    }

    @Test func identifierRejectsBlankAndSpaces() throws {
        #expect(try Identifier<Mission>("mission-ma").rawValue == "mission-ma")
        #expect(throws: ValidationError.self) { try Identifier<Mission>("") }
        #expect(throws: ValidationError.self) { try Identifier<Mission>("a b") }
        #expect(throws: ValidationError.self) { try Identifier<Mission>(String(repeating: "x", count: 129)) }
    }
}
