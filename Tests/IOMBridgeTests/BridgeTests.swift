import ChangeBus
import Foundation
import IOMBridge
import IOMFixtures
import IOMKit
import IOMSecurity
import IOMStore
import IOMWire
import Testing
import ZeroMQ

@Suite("Bridge publisher and subscriber over tcp loopback", .timeLimit(.minutes(2)))
struct BridgeTests {
    @Test("a subscriber from the beginning receives every change once, in order, as journaled")
    func liveStream() async throws {
        let node = try await Node.start()
        let recorder = try Recorder()
        let subscriber = try BridgeSubscriber.start(SubscriberConfiguration(upstreams: [node.upstream], security: .insecure, start: .beginning),
                                                    bus: recorder.bus)
        try await node.saveConcurrently(0..<300)
        try await eventually("300 delivered") { subscriber.delivered(from: node.iom.store.source) == 300 }
        subscriber.stop()
        try await expectMatchesJournal(await recorder.finish(), node.iom.store, 1...300)
        #expect(subscriber.statistics.malformedTotal == 0)
        try await node.stop()
    }

    @Test("changes committed before the subscriber connected arrive through the heartbeat's lost-tail repair")
    func lostTail() async throws {
        let node = try await Node.start(heartbeat: .milliseconds(50))
        try await node.save(0..<40)
        // The publisher sends after commit, on its own thread: wait until all 40 left, so none
        // can reach the subscriber live (under load the 40th was sometimes still on its way).
        try await eventually("40 sent") { await node.publisher.lastSent == 40 }
        let recorder = try Recorder()
        let subscriber = try BridgeSubscriber.start(SubscriberConfiguration(upstreams: [node.upstream], security: .insecure, start: .beginning),
                                                    bus: recorder.bus)
        try await eventually("40 delivered") { subscriber.delivered(from: node.iom.store.source) == 40 }
        subscriber.stop()
        try await expectMatchesJournal(await recorder.finish(), node.iom.store, 1...40)
        #expect(subscriber.statistics.changesRepaired == 40)
        try await node.stop()
    }

    @Test("a restarted subscriber resumes after its last sequence without loss or duplicates")
    func restart() async throws {
        let node = try await Node.start()
        let first = try Recorder()
        var subscriber = try BridgeSubscriber.start(SubscriberConfiguration(upstreams: [node.upstream], security: .insecure, start: .beginning),
                                                    bus: first.bus)
        try await node.save(0..<100)
        try await eventually("100 delivered") { subscriber.delivered(from: node.iom.store.source) == 100 }
        subscriber.stop()
        let last = try #require(subscriber.delivered(from: node.iom.store.source))
        try await node.saveConcurrently(100..<250)
        let second = try Recorder()
        subscriber = try BridgeSubscriber.start(SubscriberConfiguration(upstreams: [node.upstream], security: .insecure, start: .after(last)),
                                                bus: second.bus)
        try await node.save(250..<260)
        try await eventually("260 delivered") { subscriber.delivered(from: node.iom.store.source) == 260 }
        subscriber.stop()
        try await expectMatchesJournal(await first.finish() + second.finish(), node.iom.store, 1...260)
        try await node.stop()
    }

    @Test("a replica that joins late under load holds the publisher's records and then every change")
    func replicaJoinsUnderLoad() async throws {
        let node = try await Node.start()
        try await node.saveConcurrently(0..<500)
        let load = Task { try await node.saveConcurrently(500..<1500) }
        // The replica joins while the writers are saving: after the load has begun, before it ends.
        try await eventually("the load under way") { try await node.iom.store.lastSequence() > 600 }
        let replica = try Replica.start(SubscriberConfiguration(upstreams: [node.upstream], security: .insecure))
        let atJoin = try await node.iom.store.lastSequence()
        #expect(atJoin < 1500, "the replica joined after the load had ended (sequence \(atJoin))")
        try await load.value
        let latest = try await node.iom.store.lastSequence()
        try await eventually("replica at \(latest)") { replica.subscriber.delivered(from: node.iom.store.source) == latest }
        let (records, _) = try await node.iom.missions.list(limit: 5000)
        #expect(replica.all(Mission.self) == records.sorted { $0.id.rawValue < $1.id.rawValue })
        #expect(replica.count == 1500)
        #expect(replica.subscriber.statistics.snapshots == 1)
        replica.stop()
        try await node.stop()
    }

    @Test("with tiny high-water marks and a slow consumer, dropped messages are replayed: nothing missing, nothing doubled",
          arguments: [100_000, 4])
    func highWaterMarkDrops(reorderLimit: Int) async throws {
        let node = try await Node.start { $0.sendHighWaterMark = 20 }
        let recorder = try Recorder(capacity: 16, slow: .microseconds(200))
        var configuration = SubscriberConfiguration(upstreams: [node.upstream], security: .insecure, start: .beginning)
        configuration.receiveHighWaterMark = 20
        configuration.reorderLimit = reorderLimit
        let subscriber = try BridgeSubscriber.start(configuration, bus: recorder.bus)
        try await node.saveConcurrently(0..<3000, tasks: 16)
        try await eventually("3000 delivered", timeout: .seconds(90)) { subscriber.delivered(from: node.iom.store.source) == 3000 }
        subscriber.stop()
        try await expectMatchesJournal(await recorder.finish(), node.iom.store, 1...3000)
        let statistics = subscriber.statistics
        #expect(statistics.gapsDetected > 0, "the high-water marks should have forced drops")
        #expect(statistics.changesRepaired > 0)
        // A reorder buffer of 4 overflows while a gap is repaired: the newest are dropped,
        // counted, and replayed later. One of 100,000 never fills with 3,000 changes.
        if reorderLimit < 3000 {
            #expect(statistics.dropped > 0, "a \(reorderLimit)-change reorder buffer should have overflowed during a repair")
        } else {
            #expect(statistics.dropped == 0)
        }
        try await node.stop()
    }

    @Test("a publisher whose bus subscription falls behind re-sends from the journal, and counts what its queue dropped")
    func publisherFallsBehind() async throws {
        let node = try await Node.start { $0.backlog = 4 }
        let recorder = try Recorder()
        let subscriber = try BridgeSubscriber.start(SubscriberConfiguration(upstreams: [node.upstream], security: .insecure, start: .beginning),
                                                    bus: recorder.bus)
        try await node.saveConcurrently(0..<2000, tasks: 16)
        try await eventually("2000 delivered", timeout: .seconds(90)) { subscriber.delivered(from: node.iom.store.source) == 2000 }
        subscriber.stop()
        try await expectMatchesJournal(await recorder.finish(), node.iom.store, 1...2000)
        #expect(node.publisher.statistics.dropped > 0, "a 4-change backlog should have fallen behind 16 writers")
        #expect(subscriber.statistics.dropped == 0)
        try await node.stop()
    }

    @Test("stopping the publisher sends everything committed before the stop")
    func cleanShutdown() async throws {
        let node = try await Node.start()
        let recorder = try Recorder()
        let subscriber = try BridgeSubscriber.start(SubscriberConfiguration(upstreams: [node.upstream], security: .insecure, start: .beginning),
                                                    bus: recorder.bus)
        try await eventually("connected") { subscriber.statistics.heartbeats > 0 }
        try await node.saveConcurrently(0..<1000)
        try await node.stop()
        try await eventually("1000 delivered") { subscriber.delivered(from: node.iom.store.source) == 1000 }
        subscriber.stop()
        let delivered = await recorder.finish()
        #expect(delivered.map(\.sequence) == Array(1...1000))
        #expect(subscriber.statistics.changesRepaired == 0, "a clean stop needs no repair")
    }

    @Test("a public view withholds protection cases but keeps the sequence contiguous")
    func publicView() async throws {
        let node = try await Node.start(view: .public)
        let recorder = try Recorder()
        let subscriber = try BridgeSubscriber.start(SubscriberConfiguration(upstreams: [node.upstream], security: .insecure, start: .beginning),
                                                    bus: recorder.bus)
        try await node.save(0..<3)
        _ = try await node.iom.protectionCases(as: .supervisor("test"), purpose: .caseManagement).save(FictionalCases.minimal)
        try await node.save(3..<5)
        try await eventually("6 sequences passed") { subscriber.delivered(from: node.iom.store.source) == 6 }
        subscriber.stop()
        let delivered = await recorder.finish()
        #expect(delivered.map(\.sequence) == [1, 2, 3, 5, 6])
        #expect(delivered.allSatisfy { $0.change.recordType == .mission })
        #expect(subscriber.statistics.withheld == 1)
        try await node.stop()
    }

    @Test("a bad endpoint and a taken port are refused with errors that say so")
    func badEndpoints() async throws {
        let iom = try await IOM.open(.inMemory)
        await #expect(throws: BridgeError.self) {
            _ = try await BridgePublisher.start(bus: iom.bus, store: iom.store,
                                                configuration: PublisherConfiguration(events: "tcp://nowhere:", security: .insecure))
        }
        let node = try await Node.start()
        do {
            _ = try await BridgePublisher.start(bus: iom.bus, store: iom.store,
                                                configuration: PublisherConfiguration(events: node.publisher.eventsEndpoint, sync: nil, security: .insecure))
            Issue.record("bound a taken port")
        } catch {
            #expect("\(error)".contains("already in use"))
        }
        #expect(throws: BridgeError.self) {
            _ = try BridgeSubscriber.start(SubscriberConfiguration(upstreams: [.init(events: "bogus://x", sync: nil)], security: .insecure))
        }
        #expect(throws: BridgeError.self) { _ = try BridgeSubscriber.start(SubscriberConfiguration(upstreams: [], security: .insecure)) }
        try await node.stop()
        try await iom.close()
    }
}

@Suite("One million events in one run", .timeLimit(.minutes(40)))
struct MillionEventsTests {
    @Test("1,000,000 changes cross the bridge while being written: each once, in order, as journaled")
    func millionEvents() async throws {
        let total = Int(ProcessInfo.processInfo.environment["IOM_SOAK_EVENTS"] ?? "") ?? 1_000_000, batch = 1_000
        let node = try await Node.start()
        let subscriberBus = try ChangeBus<CommittedChange>(replayWindow: 0)
        // Keep only what the comparison needs: 16 bytes per change, not the change.
        let consumer = Task {
            var ids: [UUID] = []
            ids.reserveCapacity(total)
            var inOrder = true
            for try await element in try subscriberBus.subscribe(.all, capacity: 1 << 16, whenFull: .wait(timeout: .seconds(60))) {
                guard let change = element.event else { continue }
                if change.sequence != UInt64(ids.count + 1) { inOrder = false }
                ids.append(change.changeID)
                if ids.count == total { break }
            }
            return (ids, inOrder)
        }
        let subscriber = try BridgeSubscriber.start(
            SubscriberConfiguration(upstreams: [node.upstream], security: .insecure, start: .beginning), bus: subscriberBus)
        // Member-state changes (small records): the run measures the bridge, not protobuf's
        // debug-build decoding of large missions.
        let t = Seed.moroccoMission.createdAt
        var written = 0
        while written < total {
            var mutations: [Mutation] = []
            mutations.reserveCapacity(batch)
            for n in written..<(written + batch) {
                let record = try MemberState(id: .init("state-\(n)"), version: 1, createdAt: t, updatedAt: t, country: .init("MA"),
                                             name: .init(fr: "Maroc", en: "Morocco"), status: .member, admittedOn: nil)
                let change = try Change(kind: .created, before: nil, after: .memberState(record))
                mutations.append(.create(type: "memberState", id: "state-\(n)", payload: WireCodec.encode(change)))
            }
            _ = try await node.iom.store.apply(batch: mutations)
            written += batch
        }
        let (ids, inOrder) = try await consumer.value
        #expect(inOrder, "delivered out of order")
        #expect(ids.count == total)
        // Against the journal, page by page: same change, same place.
        var next: UInt64 = 1
        var mismatches = 0
        while next <= UInt64(total) {
            let page = try await node.iom.store.journal(from: next, limit: 10_000)
            guard let last = page.last else { break }
            for entry in page where entry.changeID != ids[Int(entry.sequence) - 1] { mismatches += 1 }
            next = last.sequence + 1
        }
        #expect(next == UInt64(total) + 1 && mismatches == 0)
        let statistics = subscriber.statistics
        subscriber.stop()
        try await node.stop()
        print("1M events: \(statistics)")
    }
}
