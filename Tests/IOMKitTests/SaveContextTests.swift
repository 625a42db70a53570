import Foundation
import IOMDomain
import IOMFixtures
@_spi(IOMKitInternals) import IOMKit
import IOMStore
import Testing

@Suite("Save context: ordered concurrent saves and remembered request keys", .timeLimit(.minutes(2)))
struct SaveContextTests {
    @Test("saves started together with SaveOrder tickets are journaled in ticket order, whatever order they run in")
    func orderedConcurrentSaves() async throws {
        let path = temporaryStorePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let iom = try await IOM.open(IOMConfiguration(store: .init(location: .file(path: path))))
        let order = SaveOrder()
        let count = 64
        let records = try (0..<count).map { try mission("order-\($0)") }
        let sequences = try await withThrowingTaskGroup(of: (Int, UInt64).self) { group in
            // Started in reverse, so without the order the later tickets would usually go first.
            for index in (0..<count).reversed() {
                group.addTask {
                    defer { order.finish(index) }
                    let saved = try await iom.withSaveContext(SaveContext(order: order.ticket(index))) { () async throws(IOMError) in
                        try await iom.missions.save(records[index])
                    }
                    return (index, saved.sequence)
                }
            }
            var sequences = [UInt64](repeating: 0, count: count)
            for try await (index, sequence) in group { sequences[index] = sequence }
            return sequences
        }
        #expect(sequences == (1...UInt64(count)).map { $0 })
        try await iom.close()
    }

    @Test("a save under a remembered request key fails with duplicateRequest and changes nothing; a failed ticket gives up its turn")
    func rememberedKey() async throws {
        let iom = try await IOM.open(.inMemory)
        let first = try await iom.withSaveContext(SaveContext(requestKey: "k1")) { () async throws(IOMError) in
            try await iom.missions.save(Seed.moroccoMission)
        }
        let update = try edited(Seed.moroccoMission, status: .suspended, version: 1)
        let error = await #expect(throws: IOMError.self) {
            try await iom.withSaveContext(SaveContext(requestKey: "k1")) { () async throws(IOMError) in
                try await iom.missions.update(update)
            }
        }
        #expect(error?.code == .duplicateRequest && error?.message.contains("k1") == true, "\(String(describing: error))")
        #expect(try await iom.missions.get(Seed.moroccoMission.id)?.version == 1)
        #expect(try await iom.store.request("k1")?.sequence == first.sequence)

        // Ticket 0 fails before reaching the store (a conflict); ticket 1 still gets its turn.
        let order = SaveOrder()
        let stale = try edited(Seed.moroccoMission, status: .suspended, version: 7)
        async let refused: Void = {
            defer { order.finish(0) }
            _ = try? await iom.withSaveContext(SaveContext(order: order.ticket(0))) { () async throws(IOMError) in try await iom.missions.save(stale) }
        }()
        let saved = try await iom.withSaveContext(SaveContext(order: order.ticket(1))) { () async throws(IOMError) in
            try await iom.missions.save(try! mission("after"))
        }
        order.finish(1)
        await refused
        #expect(saved.sequence == first.sequence + 1)
        try await iom.close()
    }

    @Test("createEach creates each record on its own, in order, published like any save; refusals (existing id, version, remembered key, case) stop nothing")
    func createEach() async throws {
        let iom = try await IOM.open(.inMemory)
        let missions = try iom.changes(of: Mission.self)
        let first = try await iom.withSaveContext(SaveContext(requestKey: "k-seed")) { () async throws(IOMError) in
            try await iom.missions.save(Seed.moroccoMission)
        }
        let a = try mission("each-a"), b = try mission("each-b")
        let outcomes = await iom.createEach([
            Creation(record: a.anyRecord, requestKey: "k-a"),
            Creation(record: a.anyRecord, requestKey: "k-a again"),                  // created just before
            Creation(record: try edited(b, status: .open, version: 2).anyRecord),    // a creation is at version 1
            Creation(record: b.anyRecord, requestKey: "k-seed"),                     // remembered key
            Creation(record: FictionalCases.minimal.anyRecord),                      // cases need a principal
            Creation(record: b.anyRecord),
        ])
        #expect(try outcomes[0].get() == first.sequence + 1)
        #expect(throws: IOMError.self) { try outcomes[1].get() }
        #expect(outcomes.map { (try? $0.get()).map { _ in "ok" } ?? Self.code($0) } == ["ok", "alreadyExists", "badVersion", "duplicateRequest", "needsPrincipal", "ok"])
        #expect(try outcomes[5].get() == first.sequence + 2)
        #expect(try await iom.store.request("k-a")?.recordID == a.id.rawValue)
        #expect(try await iom.store.request("k-a again") == nil)
        #expect(try await iom.missions.get(b.id) == b)
        var iterator = missions.makeAsyncIterator()
        #expect(try await iterator.next()?.after == Seed.moroccoMission)
        let created = try #require(try await iterator.next())
        #expect(created.kind == .created && created.after == a && created.sequence == first.sequence + 1)
        #expect(try await iterator.next()?.after == b)
        #expect(await iom.createEach([]).isEmpty)
        try await iom.close()
        let closed = await iom.createEach([Creation(record: try mission("late").anyRecord)])
        #expect(Self.code(closed[0]) == "closed")
    }

    @Test("enqueueCreations called back to back without waiting: journaled and published in call order, each completion with its own outcomes")
    func enqueueCreationsInCallOrder() async throws {
        let iom = try await IOM.open(.inMemory)
        let missions = try iom.changes(of: Mission.self)
        let calls = 20
        let (completions, completion) = AsyncStream.makeStream(of: (call: Int, outcomes: [Result<UInt64, IOMError>]).self)
        for call in 0..<calls {
            var items = [Creation(record: try mission("q-\(call)-a").anyRecord), Creation(record: try mission("q-\(call)-b").anyRecord)]
            if call == 7 { items.append(Creation(record: try mission("q-0-a").anyRecord)) }  // exists: refused alone
            iom.enqueueCreations(items) { completion.yield((call, $0)) }
        }
        var received: [Int: [Result<UInt64, IOMError>]] = [:]
        for await (call, outcomes) in completions {
            received[call] = outcomes
            if received.count == calls { break }
        }
        let sequences = try (0..<calls).flatMap { call in try #require(received[call]).prefix(2).map { try $0.get() } }
        #expect(sequences == Array(1...UInt64(2 * calls)), "each call's creations after the call before")
        #expect(received[7].map { Self.code($0[2]) } == "alreadyExists")
        var iterator = missions.makeAsyncIterator()
        for call in 0..<calls {
            #expect(try await iterator.next()?.after?.id.rawValue == "mission-test-q-\(call)-a")
            #expect(try await iterator.next()?.after?.id.rawValue == "mission-test-q-\(call)-b")
        }
        try await iom.close()
    }

    private static func code(_ outcome: Result<UInt64, IOMError>) -> String {
        if case .failure(let error) = outcome { return "\(error.code)" }
        return "ok"
    }
}
