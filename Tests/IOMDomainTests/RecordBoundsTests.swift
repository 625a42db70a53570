import Foundation
import IOMDomain
import IOMFixtures
import Testing

@Suite("Bounds on every value a record holds")
struct RecordBoundsTests {
    /// The complete fictional case with its identifying group replaced.
    func complete(identifying: IdentifyingData, createdAt: Instant? = nil) throws -> ProtectionCase {
        let c = FictionalCases.complete
        return try ProtectionCase(id: c.id, version: c.version, createdAt: createdAt ?? c.createdAt, updatedAt: c.updatedAt,
                                  shortID: c.shortID, status: c.status, identifying: identifying, profile: c.profile,
                                  children: c.children, trafficking: c.trafficking, protection: c.protection,
                                  consent: c.consent, consentOverrides: c.consentOverrides, transferredTo: c.transferredTo,
                                  retentionUntil: c.retentionUntil, ownership: c.ownership)
    }

    @Test("a 900 KB narrative is refused, naming the field and the size (not the text)")
    func longNarrative() throws {
        let narrative = String(repeating: "x", count: 921_600)
        let error = try #require(throws: ValidationError.self) { try complete(identifying: IdentifyingData(narrative: narrative)) }
        #expect(error.description == #"protectionCase.identifying.narrative: "921600 bytes" is longer than 65536 bytes"#)
        // At the bound it is accepted.
        _ = try complete(identifying: IdentifyingData(narrative: String(repeating: "x", count: RecordBounds.maximumTextBytes)))
    }

    @Test("2,000 documents are refused, naming the list and the count")
    func manyDocuments() throws {
        let document = IdentityDocument(kind: try NonEmptyString("passport"), number: try NonEmptyString("FICTIONAL-000"), issuingCountry: nil)
        let error = try #require(throws: ValidationError.self) {
            try complete(identifying: IdentifyingData(documents: Array(repeating: document, count: 2_000)))
        }
        #expect(error.description == #"protectionCase.identifying.documents: "2000 entries" has more than 1000 entries"#)
        _ = try complete(identifying: IdentifyingData(documents: Array(repeating: document, count: RecordBounds.maximumListCount)))
    }

    @Test("createdAt = Int64.min (and any instant outside 1970…9999) is refused", arguments: [Int64.min, -1, RecordBounds.latestInstant + 1, Int64.max])
    func instants(_ ms: Int64) throws {
        let m = Seed.moroccoMission
        let error = try #require(throws: ValidationError.self) {
            try Mission(id: m.id, version: 1, createdAt: Instant(millisecondsSince1970: ms), updatedAt: Instant(millisecondsSince1970: max(ms, 0)),
                        organisation: m.organisation, name: m.name, country: m.country, presentSince: m.presentSince,
                        chiefOfMission: m.chiefOfMission, thematicAxes: m.thematicAxes, offices: m.offices, status: m.status)
        }
        #expect(error.paths.contains("mission.createdAt"))
        #expect(error.issues.first { $0.path == "mission.createdAt" }?.value == "\(ms)")
    }

    @Test("text bounds apply to each language of a localized text and to list entries")
    func localizedAndLists() throws {
        let m = Seed.moroccoMission
        let long = try LocalizedText(en: String(repeating: "é", count: 40_000))  // 80,000 bytes
        let error = try #require(throws: ValidationError.self) {
            try Mission(id: m.id, version: 1, createdAt: m.createdAt, updatedAt: m.updatedAt, organisation: m.organisation,
                        name: long, country: m.country, presentSince: m.presentSince, chiefOfMission: m.chiefOfMission,
                        thematicAxes: [m.name, long], offices: m.offices, status: m.status)
        }
        #expect(error.paths == ["mission.name.en", "mission.thematicAxes[1].en"])
    }
}
