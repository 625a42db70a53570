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
