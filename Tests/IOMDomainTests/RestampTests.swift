import IOMDomain
import IOMFixtures
import Testing

@Suite("Restamping a record on its typed value")
struct RestampTests {
    static func restampedBackAndForth<R: DomainRecord>(_ record: R) throws {
        let later = Instant(millisecondsSince1970: record.updatedAt.millisecondsSince1970 + 60_000)
        let stamped = try record.restamped(version: record.version + 1, updatedAt: later)
        #expect(stamped.version == record.version + 1)
        #expect(stamped.updatedAt == later)
        #expect(stamped.id == record.id)
        #expect(stamped.createdAt == record.createdAt)
        #expect(stamped != record)
        // Restamping back gives the original record: nothing else changed.
        #expect(try stamped.restamped(version: record.version, updatedAt: record.updatedAt) == record)
    }

    @Test("every record type takes the new version and update time, nothing else changes")
    func restampsEveryType() throws {
        for record in Seed.all + [FictionalCases.complete.anyRecord, FictionalCases.memberState.anyRecord] {
            switch record {
            case .organisation(let r): try Self.restampedBackAndForth(r)
            case .mission(let r): try Self.restampedBackAndForth(r)
            case .memberState(let r): try Self.restampedBackAndForth(r)
            case .event(let r): try Self.restampedBackAndForth(r)
            case .protectionCase(let r): try Self.restampedBackAndForth(r)
            }
        }
    }

    @Test("an update time before the creation time is refused with the field named")
    func refusesTimeTravel() throws {
        let mission = Seed.moroccoMission
        let before = Instant(millisecondsSince1970: mission.createdAt.millisecondsSince1970 - 1)
        let error = try #require(throws: ValidationError.self) {
            try mission.restamped(version: 2, updatedAt: before)
        }
        #expect(String(describing: error).contains("mission.updatedAt"))
    }

    @Test("version 0 is refused with the field named")
    func refusesVersionZero() throws {
        let error = try #require(throws: ValidationError.self) {
            try Seed.rabatBreakfast2017.restamped(version: 0, updatedAt: Seed.rabatBreakfast2017.updatedAt)
        }
        #expect(String(describing: error).contains("event.version"))
    }
}
