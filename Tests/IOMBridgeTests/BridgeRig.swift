import IOMSecurity
import ChangeBus
import Foundation
import IOMBridge
import IOMFixtures
import IOMKit
import IOMStore
import Testing

/// A fresh mission with its own id (the seed mission's facts).
func mission(_ n: Int) throws -> Mission {
    let seed = Seed.moroccoMission
    return try Mission(id: .init("mission-\(n)"), version: 1, createdAt: seed.createdAt, updatedAt: seed.updatedAt,
                       organisation: seed.organisation, name: seed.name, country: seed.country,
                       presentSince: seed.presentSince, chiefOfMission: seed.chiefOfMission,
                       thematicAxes: seed.thematicAxes, offices: seed.offices, status: seed.status)
}

/// A node: an in-memory (or file) IOMKit with a publisher on free loopback ports.
struct Node {
    let iom: IOM
    let publisher: BridgePublisher
    /// The publisher's run(), which holds its work (a test's stand-in for the host's ServiceGroup).
    let running: Task<Void, any Error>

    static func start(path: String? = nil, heartbeat: Duration = .milliseconds(100), view: BridgeView = .full,
                      configure: (inout PublisherConfiguration) -> Void = { _ in }) async throws -> Node {
        let iom = try await IOM.open(path.map { IOMConfiguration(store: StoreConfiguration(location: .file(path: $0))) } ?? .inMemory)
        var configuration = PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .insecure, view: view)
        configuration.heartbeatInterval = heartbeat
        configure(&configuration)
        let publisher = try await BridgePublisher.start(bus: iom.bus, store: iom.store, configuration: configuration)
        return Node(iom: iom, publisher: publisher, running: Task { try await publisher.run() })
    }

    var upstream: SubscriberConfiguration.Upstream { .init(events: publisher.eventsEndpoint, sync: publisher.syncEndpoint) }

    func save(_ range: Range<Int>) async throws {
        for n in range { _ = try await iom.missions.save(try mission(n)) }
    }

    /// Saves from `tasks` concurrent tasks (group commits), `range` split between them.
    func saveConcurrently(_ range: Range<Int>, tasks: Int = 8) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<tasks {
                group.addTask {
                    for n in stride(from: range.lowerBound + t, to: range.upperBound, by: tasks) {
                        _ = try await iom.missions.save(try mission(n))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    func stop() async throws {
        await publisher.stop()
        try await running.value
        try await iom.close()
    }
}

/// Records what a bus delivers, from its first change.
final class Recorder: Sendable {
    let bus: ChangeBus<CommittedChange>
    private let task: Task<[CommittedChange], Never>

    init(bus: ChangeBus<CommittedChange> = try! ChangeBus(replayWindow: 0), capacity: Int = 1 << 20, slow: Duration? = nil) throws {
        self.bus = bus
        let subscription = try bus.subscribe(.all, capacity: capacity, whenFull: .wait(timeout: .seconds(60)))
        task = Task {
            var seen: [CommittedChange] = []
            do {
                for try await element in subscription {
                    if let change = element.event { seen.append(change) }
                    if let slow { try? await Task.sleep(for: slow) }
                }
            } catch {}
            return seen
        }
    }

    /// Stops the bus and returns everything delivered.
    func finish() async -> [CommittedChange] {
        bus.shutdown()
        return await task.value
    }
}

/// Waits until `condition` holds, polling; fails the test after `timeout`.
func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out after \(timeout) waiting for: \(what)")
    throw CancellationError()
}

/// Checks the delivered changes against the publisher's journal: each sequence of `range`
/// once, in order, with the journal's change id and bytes.
func expectMatchesJournal(_ delivered: [CommittedChange], _ store: RecordStore, _ range: ClosedRange<UInt64>,
                          sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let sequences = delivered.map(\.sequence)
    #expect(sequences == Array(range), "delivered \(sequences.count) changes, expected \(range.count) in order", sourceLocation: sourceLocation)
    var journal: [JournalEntry] = []
    var next = range.lowerBound
    while next <= range.upperBound {
        let page = try await store.journal(from: next, limit: 10_000)
        guard let last = page.last else { break }
        journal.append(contentsOf: page.filter { $0.sequence <= range.upperBound })
        next = last.sequence + 1
    }
    #expect(journal.count == delivered.count, sourceLocation: sourceLocation)
    for (entry, change) in zip(journal, delivered) where entry.changeID != change.changeID || entry.payload != change.encoded {
        Issue.record("sequence \(entry.sequence) differs from the journal", sourceLocation: sourceLocation)
        break
    }
}
