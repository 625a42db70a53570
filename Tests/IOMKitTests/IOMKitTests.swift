import Foundation
import IOMDomain
import IOMFixtures
@testable import IOMKit
import IOMStore
import Testing

/// A copy of `mission` with another status and version, the way an editing service builds one.
func edited(_ mission: Mission, status: MissionStatus, version: UInt64) throws -> Mission {
    try Mission(id: mission.id, version: version, createdAt: mission.createdAt, updatedAt: mission.updatedAt,
                organisation: mission.organisation, name: mission.name, country: mission.country,
                presentSince: mission.presentSince, chiefOfMission: mission.chiefOfMission,
                thematicAxes: mission.thematicAxes, offices: mission.offices, status: status)
}

/// A fresh mission with its own id (same facts as the seed mission).
func mission(_ suffix: String) throws -> Mission {
    let seed = Seed.moroccoMission
    return try Mission(id: .init("mission-test-\(suffix)"), version: 1, createdAt: seed.createdAt, updatedAt: seed.updatedAt,
                       organisation: seed.organisation, name: seed.name, country: seed.country,
                       presentSince: seed.presentSince, chiefOfMission: seed.chiefOfMission,
                       thematicAxes: seed.thematicAxes, offices: seed.offices, status: seed.status)
}

func temporaryStorePath() -> String {
    NSTemporaryDirectory() + "iomkit-test-\(UUID().uuidString).sqlite"
}

@Suite("IOMKit facade")
struct IOMKitTests {
    @Test("save creates at version 1, updates to the next version, and get reads it back")
    func saveAndGet() async throws {
        let iom = try await IOM.open(.inMemory)
        let created = try await iom.missions.save(Seed.moroccoMission)
        #expect(created.record == Seed.moroccoMission)
        #expect(created.sequence == 1)
        let closed = try edited(Seed.moroccoMission, status: .suspended, version: 1)
        let updated = try await iom.missions.update(closed)
        #expect(updated.record.version == 2)
        #expect(updated.record.status == .suspended)
        #expect(updated.sequence == 2)
        #expect(try await iom.missions.get(Seed.moroccoMission.id) == updated.record)
        #expect(try await iom.events.get(Seed.rabatBreakfast2017.id) == nil)
        try await iom.close()
    }

    @Test("a retried create is alreadyExists, never version 2: no change journaled or published")
    func retriedCreate() async throws {
        let iom = try await IOM.open(.inMemory)
        let missions = try iom.changes(of: Mission.self)
        let first = try await iom.missions.create(Seed.moroccoMission)
        #expect(first.record.version == 1)
        let retried = await #expect(throws: IOMError.self) { try await iom.missions.create(Seed.moroccoMission) }
        #expect(retried?.code == .alreadyExists && retried?.recordType == .mission && retried?.recordID == "mission-ma" && retried?.storedVersion == 1)
        #expect(retried?.description.contains("already exists (version 1)") == true)
        // `save` of a record at version 1 is a create too.
        let saved = await #expect(throws: IOMError.self) { try await iom.missions.save(Seed.moroccoMission) }
        #expect(saved?.code == .alreadyExists)
        #expect(try await iom.store.lastSequence() == 1)
        #expect(try await iom.missions.get(Seed.moroccoMission.id)?.version == 1)
        try await iom.events.create(Seed.rabatBreakfast2017)
        try await iom.missions.update(edited(Seed.moroccoMission, status: .suspended, version: 1))
        var iterator = missions.makeAsyncIterator()
        #expect(try await iterator.next()?.kind == .created)
        let next = try await iterator.next()
        #expect(next?.kind == .updated && next?.sequence == 3, "the only update is the explicit one")
        // An update of a record that does not exist; a create at a version other than 1.
        let missing = await #expect(throws: IOMError.self) { try await iom.missions.update(try mission("ghost")) }
        #expect(missing?.code == .notFound)
        let early = await #expect(throws: IOMError.self) { try await iom.missions.create(try edited(Seed.moroccoMission, status: .open, version: 2)) }
        #expect(early?.code == .badVersion)
        try await iom.close()
    }

    @Test("a stale version is a conflict that names both versions and changes nothing")
    func conflict() async throws {
        let iom = try await IOM.open(.inMemory)
        try await iom.missions.save(Seed.moroccoMission)
        try await iom.missions.update(edited(Seed.moroccoMission, status: .suspended, version: 1))
        let stale = try edited(Seed.moroccoMission, status: .closed, version: 1)
        let error = await #expect(throws: IOMError.self) { try await iom.missions.update(stale) }
        #expect(error?.code == .conflict)
        #expect(error?.version == 1 && error?.storedVersion == 2)
        #expect(error?.description.contains("Read it again") == true)
        #expect(try await iom.missions.get(Seed.moroccoMission.id)?.status == .suspended)
        #expect(try await iom.store.lastSequence() == 2)
    }

    @Test("a new record must start at version 1; deleting a missing one is notFound")
    func badInput() async throws {
        let iom = try await IOM.open(.inMemory)
        let wrong = try edited(Seed.moroccoMission, status: .open, version: 3)
        await #expect(throws: IOMError.self) { try await iom.missions.save(wrong) }
        await #expect(throws: IOMError.self) { try await iom.missions.delete(Seed.moroccoMission) }
        #expect(try await iom.store.lastSequence() == 0)
    }

    @Test("typed subscribers see exactly the committed changes of their type, in journal order")
    func typedChanges() async throws {
        let iom = try await IOM.open(.inMemory)
        let missions = try iom.changes(of: Mission.self)
        let deletions = try iom.changes(of: Mission.self, kinds: [.deleted])
        let events = try iom.changes(of: PublicEvent.self)
        try await iom.organisations.save(Seed.organisation)
        let first = try await iom.missions.save(Seed.moroccoMission)
        try await iom.events.save(Seed.rabatBreakfast2017)
        let second = try await iom.missions.update(edited(Seed.moroccoMission, status: .suspended, version: 1))
        _ = try? await iom.missions.update(edited(Seed.moroccoMission, status: .closed, version: 1))  // conflict: not published
        let gone = try await iom.missions.delete(second.record)

        var iterator = missions.makeAsyncIterator()
        let a = try #require(try await iterator.next())
        let b = try #require(try await iterator.next())
        let c = try #require(try await iterator.next())
        #expect(a.kind == .created && a.sequence == first.sequence && a.after == Seed.moroccoMission)
        #expect(b.kind == .updated && b.before == Seed.moroccoMission && b.after == second.record)
        #expect(c.kind == .deleted && c.sequence == gone && c.before == second.record && c.after == nil)
        var deleted = deletions.makeAsyncIterator()
        #expect(try await deleted.next()?.sequence == gone)
        var eventIterator = events.makeAsyncIterator()
        #expect(try await eventIterator.next()?.after == Seed.rabatBreakfast2017)
        // The journal holds the same sequence.
        let journal = try await iom.store.journal(from: 1)
        #expect(journal.map(\.sequence) == [1, 2, 3, 4, 5])
        try await iom.close()
        #expect(try await iterator.next() == nil)
    }

    @Test("concurrent savers: every change published once, bus order == journal order")
    func concurrentSaves() async throws {
        let iom = try await IOM.open(.inMemory)
        let all = try iom.changes()
        let count = 64
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<count { group.addTask { try await iom.missions.save(mission("\(i)")) } }
            try await group.waitForAll()
        }
        var seen: [UInt64] = []
        var ids = Set<String>()
        for try await change in all {
            seen.append(change.sequence)
            ids.insert(change.change.recordID)
            if seen.count == count { break }
        }
        #expect(seen == Array(1...UInt64(count)))
        #expect(ids.count == count)
        let journal = try await iom.store.journal(from: 1, limit: 1000)
        #expect(journal.map(\.recordID) .count == count)
    }

    @Test("a host's .wait subscription smaller than a group commit still gets every change, in order")
    func smallWaitSubscriber() async throws {
        let iom = try await IOM.open(.inMemory)
        let subscription = try iom.bus.subscribe(.all, capacity: 2, whenFull: .wait(timeout: .seconds(30)))
        let consumer = Task {
            var seen: [UInt64] = []
            for try await element in subscription {
                guard let change = element.event else { continue }
                seen.append(change.sequence)
                try await Task.sleep(for: .milliseconds(1))
                if seen.count == 40 { break }
            }
            return seen
        }
        // 40 concurrent saves commit in groups larger than the subscription's 2 slots.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<40 { group.addTask { try await iom.missions.save(mission("wait-\(i)")) } }
            try await group.waitForAll()
        }
        #expect(try await consumer.value == Array(1...40))
        #expect(iom.unpublishedChanges == 0)
        try await iom.close()
    }

    @Test("after a restart the sequence continues and late subscribers replay from the window")
    func restartContinuity() async throws {
        let path = temporaryStorePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = IOMConfiguration(store: StoreConfiguration(location: .file(path: path)))
        do {
            let iom = try await IOM.open(configuration)
            try await iom.missions.save(Seed.moroccoMission)
            try await iom.events.save(Seed.rabatBreakfast2017)
            try await iom.close()
        }
        let iom = try await IOM.open(configuration)
        #expect(try await iom.missions.get(Seed.moroccoMission.id) == Seed.moroccoMission)
        #expect(iom.bus.nextSequence == 3)
        let saved = try await iom.organisations.save(Seed.organisation)
        #expect(saved.sequence == 3)
        var replay = try iom.changes(of: Organisation.self, from: 3).makeAsyncIterator()
        #expect(try await replay.next()?.sequence == 3)
        #expect(throws: IOMError.self) { _ = try iom.changes(of: Organisation.self, from: 99) }
        try await iom.close()
    }

    @Test("list pages through records by id")
    func listing() async throws {
        let iom = try await IOM.open(.inMemory)
        for i in 0..<5 { try await iom.missions.save(mission("\(i)")) }
        let first = try await iom.missions.list(limit: 3)
        #expect(first.records.count == 3)
        let rest = try await iom.missions.list(after: first.next, limit: 3)
        #expect(rest.records.count == 2)
        #expect(Set((first.records + rest.records).map(\.id.rawValue)).count == 5)
    }

    @Test("a bridge that cannot start is reported as IOMError.bridge with the typed BridgeError")
    func bridgeErrorsAreTyped() async throws {
        let iom = try await IOM.open(.inMemory)
        let first = try await iom.startPublisher(PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: nil, security: .insecure))
        do {
            _ = try await iom.startPublisher(PublisherConfiguration(events: first.eventsEndpoint, sync: nil, security: .insecure))
            Issue.record("bound a port that is in use")
        } catch {
            #expect(error.code == .bridge)
            guard let bridge = error.underlying as? BridgeError, bridge.code == .endpoint else { Issue.record("not an endpoint error: \(error)"); return }
            #expect(bridge.endpoint == first.eventsEndpoint)
            #expect(bridge.isAddressInUse)
            #expect("\(error)".contains("already in use"))
        }
        var configuration = SubscriberConfiguration(upstreams: [.init(events: "tcp://127.0.0.1:1", sync: nil)], security: .insecure)
        configuration.reorderLimit = 0
        do {
            _ = try iom.startSubscriber(configuration)
            Issue.record("accepted reorderLimit 0")
        } catch {
            guard let bridge = error.underlying as? BridgeError, bridge.code == .configuration else { Issue.record("not a configuration error: \(error)"); return }
            #expect(bridge.message.contains("reorderLimit"))
        }
        try await iom.close()
    }
}
