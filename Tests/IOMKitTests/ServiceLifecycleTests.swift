import Foundation
import IOMFixtures
import IOMKit
import Logging
import ServiceLifecycle
import Testing

/// The node and the bridges as swift-service-lifecycle services, beside a host's own services.
@Suite("IOMKit in a ServiceGroup")
struct ServiceLifecycleTests {
    /// A host's own service: runs until the group shuts down gracefully.
    struct HostService: Service {
        func run() async throws { try? await gracefulShutdown() }
    }

    @Test("a graceful shutdown closes the node after its publisher sent every committed change", .timeLimit(.minutes(1)))
    func nodeShutsDownGracefully() async throws {
        var configuration = IOMConfiguration.inMemory
        configuration.publisher = PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .insecure)
        let iom = try await IOM.open(configuration)
        let publisher = try #require(iom.publisher)
        let subscriber = try BridgeSubscriber.start(SubscriberConfiguration(
            upstreams: [.init(events: publisher.eventsEndpoint, sync: publisher.syncEndpoint)], security: .insecure, start: .beginning))
        let group = ServiceGroup(services: [iom, subscriber, HostService()], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        async let running: Void = group.run()
        let changes = try subscriber.changes()
        try await iom.missions.create(Seed.moroccoMission)
        var iterator = changes.makeAsyncIterator()
        while let change = try await iterator.next() {
            if change.change.recordID == Seed.moroccoMission.id.rawValue { break }
        }
        await group.triggerGracefulShutdown()
        try await running
        // The node is closed: it takes no more saves.
        let refused = await #expect(throws: IOMError.self) { try await iom.missions.create(try mission("after-close")) }
        #expect(refused?.code == .closed)
        // The subscriber stopped: its change sequence ends.
        #expect(try await iterator.next() == nil)
    }

    @Test("the node's run() holds its publishers: changes saved before it runs are sent once it does, and a publisher started while it runs is run by it",
          .timeLimit(.minutes(1)))
    func runHoldsThePublishers() async throws {
        var configuration = IOMConfiguration.inMemory
        configuration.publisher = PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: nil, security: .insecure)
        let iom = try await IOM.open(configuration)
        let first = try #require(iom.publisher)
        for n in 1...3 { try await iom.missions.create(try mission("queued-\(n)")) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await iom.run() }
            try await waitUntil("the queued changes are sent") { await first.lastSent == 3 }
            let second = try await iom.startPublisher(PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: nil, security: .insecure))
            try await iom.missions.create(try mission("while-running"))
            try await waitUntil("the second publisher sends") { await second.lastSent == 4 }
            try await iom.close()
            try await group.waitForAll()
        }
        #expect(first.statistics.events == 4)
    }

    @Test("closing a node that never ran stops its publisher and frees its endpoint", .timeLimit(.minutes(1)))
    func closeWithoutRun() async throws {
        var configuration = IOMConfiguration.inMemory
        configuration.publisher = PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .insecure)
        let iom = try await IOM.open(configuration)
        let events = try #require(iom.publisher).eventsEndpoint
        try await iom.missions.create(try mission("never-sent"))
        try await iom.close()
        let again = try await IOM.open(.inMemory)
        let rebound = try await again.startPublisher(PublisherConfiguration(events: events, sync: nil, security: .insecure))
        #expect(rebound.eventsEndpoint == events)
        try await again.close()
    }

    /// Waits (up to 30 s) until `condition` holds.
    func waitUntil(_ what: String, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { Issue.record("timed out: \(what)"); return }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test("close() called by the host ends the node's run(); a second close() is harmless", .timeLimit(.minutes(1)))
    func closeEndsRun() async throws {
        let iom = try await IOM.open(.inMemory)
        async let running: Void = iom.run()
        try await iom.close()
        try await running
        try await iom.close()
    }

    @Test("cancelling the task that runs a bridge subscriber stops it and ends its change sequences", .timeLimit(.minutes(1)))
    func cancellingRunStopsTheSubscriber() async throws {
        let subscriber = try BridgeSubscriber.start(SubscriberConfiguration(
            upstreams: [.init(events: "tcp://127.0.0.1:1", sync: nil)], security: .insecure))
        let changes = try subscriber.changes()
        let task = Task { try await subscriber.run() }
        task.cancel()
        try await task.value
        var iterator = changes.makeAsyncIterator()
        #expect(try await iterator.next() == nil)
    }

    @Test("configurations log nowhere by default; the host's logger gets the bridge's events as metadata, not in the message")
    func structuredLogs() async throws {
        #expect(IOMConfiguration().logger.handler is SwiftLogNoOpLogHandler)
        #expect(PublisherConfiguration(security: .insecure).logger.handler is SwiftLogNoOpLogHandler)
        let (logger, log) = RecordingLogHandler.logger()
        var configuration = IOMConfiguration.inMemory
        configuration.logger = logger
        configuration.publisher = PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: nil, security: .insecure)
        let iom = try await IOM.open(configuration)
        let events = try #require(iom.publisher).eventsEndpoint
        for i in 1...20 { try await iom.missions.create(try mission("log-\(i)")) }
        try await iom.close()
        let started = try #require(log.all.first { $0.message == "bridge publisher started" })
        #expect(started.metadata["events"] == .string(events))
        #expect(log.all.contains { $0.message == "bridge publisher stopped" })
        #expect(!log.all.contains { $0.message.contains(events) }, "values go in metadata")
        #expect(log.all.count < 10, "no line per change: \(log.all.map(\.message))")
    }
}
