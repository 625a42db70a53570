import ChangeBus
import Foundation
import IOMDomain
import IOMFixtures
@testable import IOMKit
import IOMStore
import IOMWire
import Testing

/// Issue 17's large run: 10 upstreams × 20,000 changes through one hub to a downstream
/// subscriber. Run on its own (`make test` runs it beside MillionEventsTests, after the timed
/// tests); its time is printed, not asserted: it is a correctness run at scale, not a benchmark.
@Suite("Hub at scale: 10 upstreams × 20,000 changes", .serialized, .timeLimit(.minutes(30)))
struct HubScaleTests {
    @Test("200,000 changes of 10 origins, saved while the hub follows: each held once under its source, forwarded once and in order")
    func tenByTwentyThousand() async throws {
        let upstreams = Int(ProcessInfo.processInfo.environment["IOM_HUB_UPSTREAMS"] ?? "") ?? 10
        let perUpstream = Int(ProcessInfo.processInfo.environment["IOM_HUB_CHANGES"] ?? "") ?? 20_000
        let batch = 500
        let directory = NSTemporaryDirectory() + "iom-hub-scale-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        var origins: [IOM] = []
        for n in 0..<upstreams {
            var configuration = IOMConfiguration(store: .init(location: .file(path: "\(directory)/origin\(n).sqlite")))
            configuration.publisher = PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .insecure)
            let origin = try await IOM.open(configuration)
            Task { try await origin.run() }  // its publisher sends until origin.close()
            origins.append(origin)
        }
        let hubKit = try await openFileKit("\(directory)/hub.sqlite", ring: .ephemeral())
        let hub = try await hubKit.startHub(
            upstreams: origins.map { HubUpstream(events: $0.publisher!.eventsEndpoint, sync: $0.publisher!.syncEndpoint!, security: .insecure) },
            publisher: PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .insecure))
        let running = Task { try await hub.run() }

        // Downstream: keeps per source only what the comparison needs (sequence order and ids).
        let total = upstreams * perUpstream
        let downstreamBus = try ChangeBus<CommittedChange>(replayWindow: 0)
        let consumer = Task {
            var ids: [SourceID: [UUID]] = [:]
            var inOrder = true
            var count = 0
            for try await element in try downstreamBus.subscribe(.all, capacity: 1 << 16, whenFull: .wait(timeout: .seconds(120))) {
                guard let change = element.event else { continue }
                if change.sequence != UInt64((ids[change.source]?.count ?? 0) + 1) { inOrder = false }
                ids[change.source, default: []].append(change.changeID)
                count += 1
                if count == total { break }
            }
            return (ids, inOrder)
        }
        let downstream = try BridgeSubscriber.start(
            SubscriberConfiguration(upstreams: [.init(events: hub.publisher.eventsEndpoint, sync: hub.publisher.syncEndpoint)],
                                    security: .insecure, start: .beginning), bus: downstreamBus)

        let clock = ContinuousClock()
        let start = clock.now
        // Every origin saves its 20,000 at once, in batches of 500 (small member-state records:
        // the run is about the hub, not protobuf's debug-build decoding of large missions).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, origin) in origins.enumerated() {
                group.addTask {
                    let t = Seed.moroccoMission.createdAt
                    var written = 0
                    while written < perUpstream {
                        var mutations: [Mutation] = []
                        mutations.reserveCapacity(batch)
                        for i in written..<(written + batch) {
                            let record = try MemberState(id: .init("state-\(n)-\(i)"), version: 1, createdAt: t, updatedAt: t, country: .init("MA"),
                                                         name: .init(fr: "Maroc", en: "Morocco"), status: .member, admittedOn: nil)
                            let change = try Change(kind: .created, before: nil, after: .memberState(record))
                            mutations.append(.create(type: "memberState", id: "state-\(n)-\(i)", payload: WireCodec.encode(change)))
                        }
                        _ = try await origin.store.apply(batch: mutations)
                        written += batch
                    }
                }
            }
            try await group.waitForAll()
        }
        let saved = clock.now - start
        // Held: polled on an observable condition, generously bounded.
        while try await hubKit.store.lastHeldPosition() < UInt64(total) {
            guard clock.now - start < .seconds(1200) else { Issue.record("the hub held \(try await hubKit.store.lastHeldPosition()) of \(total)"); break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let held = clock.now - start
        let (ids, inOrder) = try await consumer.value
        let delivered = clock.now - start
        print("hub scale: \(upstreams) upstreams × \(perUpstream) changes = \(total): origins saved in \(saved), hub held all at \(held) "
              + "(\(Int(Double(total) / held.seconds)) changes/s sustained), downstream had all at \(delivered)")

        #expect(inOrder, "a source was delivered out of order downstream")
        #expect(try await hubKit.store.lastHeldPosition() == UInt64(total), "held exactly once")
        for origin in origins {
            var journal: [UUID] = []
            var next: UInt64 = 1
            while true {
                let page = try await origin.store.journal(from: next, limit: 10_000)
                guard let last = page.last else { break }
                journal += page.map(\.changeID)
                next = last.sequence + 1
            }
            #expect(journal.count == perUpstream)
            #expect(ids[origin.store.source] == journal, "downstream differs from the origin's journal")
            var heldIDs: [UUID] = []
            next = 1
            while true {
                let page = try await hubKit.store.journal(of: origin.store.source, from: next, limit: 10_000)
                guard let last = page.last else { break }
                heldIDs += page.map(\.changeID)
                next = last.sequence + 1
            }
            #expect(heldIDs == journal, "the hub's copy differs from the origin's journal")
        }
        downstream.stop()
        hub.stop()
        try await running.value
        try await hubKit.close()
        for origin in origins { try await origin.close() }
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
