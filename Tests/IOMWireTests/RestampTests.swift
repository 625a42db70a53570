import IOMDomain
import IOMFixtures
import IOMWire
import Testing

@Suite("WireCodec.restamped")
struct RestampTests {
    @Test("every record type takes the new version and update time, nothing else changes")
    func restampsEveryType() throws {
        let records: [AnyRecord] = Seed.all + [FictionalCases.complete.anyRecord, FictionalCases.memberState.anyRecord]
        for record in records {
            let later = Instant(millisecondsSince1970: record.updatedAt.millisecondsSince1970 + 60_000)
            let stamped = try WireCodec.restamped(record, version: record.version + 1, updatedAt: later)
            #expect(stamped.version == record.version + 1)
            #expect(stamped.recordID == record.recordID)
            #expect(stamped.recordType == record.recordType)
            // Restamping back gives the original record.
            #expect(try WireCodec.restamped(stamped, version: record.version, updatedAt: record.updatedAt) == record)
        }
    }

    @Test("an update time before the creation time is refused with the field named")
    func refusesTimeTravel() throws {
        let mission = Seed.moroccoMission
        let before = Instant(millisecondsSince1970: mission.createdAt.millisecondsSince1970 - 1)
        let error = try #require(throws: ValidationError.self) {
            try WireCodec.restamped(mission.anyRecord, version: 2, updatedAt: before)
        }
        #expect(String(describing: error).contains("updatedAt"))
    }
}
