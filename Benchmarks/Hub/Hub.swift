// The hub (issue 17) beside the follower it replaces, in one run.
//
// - Hub/10-upstreams/IOMKit-hub — the subject: 10 origin nodes (IOMKit, file stores,
//   publishers on tcp loopback) and an `IOMHub` (its own file store, a key ring) following all
//   ten. One sample: each origin commits 100 member-state changes (a batch per origin, all ten
//   at once); it ends when the hub has **committed** all 1,000 under their original sources and
//   handed them to its publisher (its held bus). `throughput` is changes committed by the hub
//   per second, origins' commits included.
// - Hub/10-upstreams/subscriber-only — the peer: the same 10 origins and the same saves,
//   followed by one `BridgeSubscriber` (the in-memory follower of the bridge: order, dedup,
//   repair, no store). A sample ends when it has delivered all 1,000. The difference is what
//   durability (sealing nothing here, committing every change, publishing onward) costs.
//
// Scaling factor .kilo: one sample is 1,000 changes. Both set up once per benchmark.
import Benchmark
import ChangeBus
import Foundation
import IOMChanges
import IOMDomain
import IOMFixtures
import IOMKit
import IOMStore
import IOMWire

let upstreamCount = 10
let perSample = 1_000

/// Ten origins, and either a hub or a plain subscriber following them, with a consumer that
/// counts what arrives.
final class HubRig: @unchecked Sendable {
    let origins: [IOM]
    let hubKit: IOM?
    let hub: IOMHub?
    let hubRun: Task<Void, any Error>?
    let subscriber: BridgeSubscriber?
    let arrived: AsyncStream<Int>
    let counter: Task<Void, Never>
    let directory: String
    private var next = 0

    init(hub useHub: Bool) async throws {
        directory = NSTemporaryDirectory() + "iom-hub-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var origins: [IOM] = []
        for n in 0..<upstreamCount {
            var configuration = IOMConfiguration(store: .init(location: .file(path: "\(directory)/origin\(n).sqlite")))
            configuration.publisher = PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .insecure)
            let origin = try await IOM.open(configuration)
            Task { try await origin.run() }  // the host holds the node's work: its publisher sends until close()
            origins.append(origin)
        }
        self.origins = origins
        let (arrived, continuation) = AsyncStream<Int>.makeStream()
        self.arrived = arrived
        let bus: ChangeBus<CommittedChange>
        if useHub {
            var configuration = IOMConfiguration(store: .init(location: .file(path: "\(directory)/hub.sqlite")))
            configuration.security.keyRing = .ephemeral()
            let kit = try await IOM.open(configuration)
            let hub = try await kit.startHub(
                upstreams: origins.map { HubUpstream(events: $0.publisher!.eventsEndpoint, sync: $0.publisher!.syncEndpoint!, security: .insecure) },
                publisher: PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .insecure))
            hubKit = kit
            self.hub = hub
            hubRun = Task { try await hub.run() }
            subscriber = nil
            bus = hub.held
        } else {
            hubKit = nil
            hub = nil
            hubRun = nil
            let subscriber = try BridgeSubscriber.start(SubscriberConfiguration(
                upstreams: origins.map { .init(events: $0.publisher!.eventsEndpoint, sync: $0.publisher!.syncEndpoint) },
                security: .insecure, start: .beginning))
            self.subscriber = subscriber
            bus = subscriber.bus
        }
        let subscription = try bus.subscribe(.all, capacity: 1 << 16, whenFull: .wait(timeout: .seconds(60)))
        counter = Task {
            var count = 0
            do {
                for try await element in subscription where element.event != nil {
                    count += 1
                    if count % perSample == 0 { continuation.yield(count) }
                }
            } catch {}
            continuation.finish()
        }
    }

    /// Every origin commits its share of one sample; returns when all 1,000 arrived.
    func sample() async throws {
        let first = next
        next += perSample / upstreamCount
        let t = Seed.moroccoMission.createdAt
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, origin) in origins.enumerated() {
                group.addTask {
                    var mutations: [Mutation] = []
                    for i in first..<(first + perSample / upstreamCount) {
                        let record = try MemberState(id: .init("state-\(n)-\(i)"), version: 1, createdAt: t, updatedAt: t, country: .init("MA"),
                                                     name: .init(fr: "Maroc", en: "Morocco"), status: .member, admittedOn: nil)
                        let change = try Change(kind: .created, before: nil, after: .memberState(record))
                        mutations.append(.create(type: "memberState", id: "state-\(n)-\(i)", payload: WireCodec.encode(change)))
                    }
                    _ = try await origin.store.apply(batch: mutations)
                }
            }
            try await group.waitForAll()
        }
        var iterator = arrived.makeAsyncIterator()
        guard await iterator.next() != nil else { throw CancellationError() }
    }

    func stop() async {
        subscriber?.stop()
        hub?.stop()
        _ = await hubRun?.result
        try? await hubKit?.close()
        for origin in origins { try? await origin.close() }
        counter.cancel()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

final class Rigs: @unchecked Sendable {
    static let shared = Rigs()
    private let lock = NSLock()
    private var rigs: [String: HubRig] = [:]
    func set(_ name: String, _ rig: HubRig?) { lock.withLock { rigs[name] = rig } }
    func get(_ name: String) -> HubRig? { lock.withLock { rigs[name] } }
}

let benchmarks: @Sendable () -> Void = {
    for (name, useHub) in [("Hub/10-upstreams/IOMKit-hub", true), ("Hub/10-upstreams/subscriber-only", false)] {
        Benchmark(
            name,
            configuration: .init(metrics: [.throughput, .wallClock], warmupIterations: 2, scalingFactor: .kilo,
                                 maxDuration: .seconds(10), maxIterations: 200,
                                 setup: { Rigs.shared.set(name, try await HubRig(hub: useHub)) },
                                 teardown: {
                                     await Rigs.shared.get(name)?.stop()
                                     Rigs.shared.set(name, nil)
                                 })
        ) { benchmark in
            guard let rig = Rigs.shared.get(name) else { return benchmark.error("\(name): no rig (setup failed)") }
            try await rig.sample()
        }
    }
}
