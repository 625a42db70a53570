import Foundation
import IOMFixtures
import IOMKit
import Logging
import MetricsTestKit
import Synchronization
import Testing

/// A `LogHandler` that keeps every record, for asserting what IOMKit logs.
struct RecordingLogHandler: LogHandler {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    final class Storage: Sendable {
        let records = Mutex<[Record]>([])
        var all: [Record] { records.withLock { $0 } }
    }

    let storage: Storage
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let record = Record(level: event.level, message: event.message.description, metadata: metadata.merging(event.metadata ?? [:]) { $1 })
        storage.records.withLock { $0.append(record) }
    }

    /// A logger writing into a fresh storage.
    static func logger() -> (Logger, Storage) {
        let storage = Storage()
        return (Logger(label: "test", factory: { _ in RecordingLogHandler(storage: storage) }), storage)
    }
}

@Suite("IOMKit logs and metrics")
struct ObservabilityTests {
    @Test("the host's logger sees the store open and close, with the path, and nothing per save")
    func logsOpenAndClose() async throws {
        let (logger, log) = RecordingLogHandler.logger()
        let path = temporaryStorePath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = IOMConfiguration(store: .init(location: .file(path: path)))
        configuration.logger = logger
        let iom = try await IOM.open(configuration)
        #expect(log.all.map(\.message) == ["IOMKit store opened"])
        #expect(log.all.first?.metadata["store"] == .string(path))
        for index in 0..<50 { try await iom.missions.save(mission("log-\(index)")) }
        #expect(log.all.count == 1)
        try await iom.close()
        #expect(log.all.map(\.message) == ["IOMKit store opened", "IOMKit store closed"])
        #expect(log.all.allSatisfy { $0.level == .info })
    }

    @Test("a store that cannot be opened is logged as an error naming the path, and thrown")
    func logsOpenFailure() async throws {
        let (logger, log) = RecordingLogHandler.logger()
        let path = NSTemporaryDirectory() + "no-such-dir-\(UUID().uuidString)/iom.sqlite"
        let configuration = IOMConfiguration(store: .init(location: .file(path: path)), logger: logger)
        await #expect(throws: IOMError.self) { try await IOM.open(configuration) }
        #expect(log.all.count == 1)
        #expect(log.all.first?.level == .error)
        #expect(log.all.first?.metadata["store"] == .string(path))
    }

    @Test("saves record their latency per record type and the published counter; failures count by reason")
    func metrics() async throws {
        let metrics = TestMetrics()
        let iom = try await IOM.open(IOMConfiguration(store: .inMemory, metricsFactory: metrics))
        try await iom.missions.save(Seed.moroccoMission)
        try await iom.missions.update(edited(Seed.moroccoMission, status: .suspended, version: 1))
        try await iom.events.save(Seed.rabatBreakfast2017)
        await #expect(throws: IOMError.self) { try await iom.missions.update(edited(Seed.moroccoMission, status: .closed, version: 1)) }

        #expect(metrics.counterTotal(label: IOMMetrics.busPublishedTotal) == 3)
        let missionTimer = try metrics.expectTimer(IOMMetrics.storeSaveSeconds, [(IOMMetrics.Dimension.recordType, "mission")])
        #expect(missionTimer.values.count == 2)
        #expect(missionTimer.values.allSatisfy { $0 > 0 && $0 < 60_000_000_000 })
        let eventTimer = try metrics.expectTimer(IOMMetrics.storeSaveSeconds, [(IOMMetrics.Dimension.recordType, "event")])
        #expect(eventTimer.values.count == 1)
        #expect(metrics.counterTotal(label: IOMMetrics.storeSaveFailuresTotal,
                                     dimensions: [(IOMMetrics.Dimension.recordType, "mission"), (IOMMetrics.Dimension.reason, "conflict")]) == 1)
        #expect(metrics.counterTotal(label: IOMMetrics.storeSaveFailuresTotal) == 1)
        try await iom.close()
    }

    @Test("bridges started through the facade report sent, delivered and served counts; close stops them")
    func bridgeMetrics() async throws {
        let metrics = TestMetrics()
        var configuration = IOMConfiguration(store: .inMemory, metricsFactory: metrics)
        configuration.publisher = PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .insecure)
        let iom = try await IOM.open(configuration)
        let running = Task { try await iom.run() }  // the host's ServiceGroup, in a test
        let publisher = try #require(iom.publisher)
        try await iom.missions.save(Seed.moroccoMission)
        // The first change has left before the subscriber connects: it can only come by replay.
        let clock = ContinuousClock()
        let sent = clock.now + .seconds(20)
        while publisher.statistics.events < 1 && clock.now < sent { try await Task.sleep(for: .milliseconds(10)) }
        let subscriber = try iom.startSubscriber(
            SubscriberConfiguration(upstreams: [.init(events: publisher.eventsEndpoint, sync: publisher.syncEndpoint)], security: .insecure,
                                    start: .beginning))
        try await iom.events.save(Seed.rabatBreakfast2017)
        let deadline = clock.now + .seconds(20)
        while subscriber.delivered(from: iom.store.source) != 2 && clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try await iom.close()
        try await running.value
        #expect(metrics.counterTotal(label: IOMMetrics.bridgeDeliveredTotal) == 2)
        // The first change reached the subscriber by replay (it joined after it was sent).
        #expect(metrics.counterTotal(label: IOMMetrics.bridgeGapsRepairedTotal) == 1)
        #expect(metrics.counterTotal(label: IOMMetrics.bridgeSentTotal) >= 1)
        #expect(metrics.counterTotal(label: IOMMetrics.bridgeReplaysServedTotal) >= 1)
        #expect(iom.publisher == nil, "close() stopped and released the publisher")
    }

    @Test("a facade publisher that falls behind its bus reports what its queue dropped as iom_bridge_dropped_total")
    func bridgeDroppedMetric() async throws {
        let metrics = TestMetrics()
        var configuration = IOMConfiguration(store: .inMemory, metricsFactory: metrics)
        var publisherConfiguration = PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .insecure)
        publisherConfiguration.backlog = 2
        configuration.publisher = publisherConfiguration
        let iom = try await IOM.open(configuration)
        let running = Task { try await iom.run() }
        let publisher = try #require(iom.publisher)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<400 { group.addTask { try await iom.missions.save(mission("behind-\(index)")) } }
            try await group.waitForAll()
        }
        try await iom.close()
        try await running.value
        let dropped = publisher.statistics.dropped
        #expect(dropped > 0, "a 2-change backlog should have fallen behind 400 concurrent saves")
        #expect(metrics.counterTotal(label: IOMMetrics.bridgeDroppedTotal) == Int64(dropped))
        #expect(publisher.statistics.events == 400, "every dropped change was sent from the journal: \(publisher.statistics)")
    }

    @Test("concurrent saves count every published change exactly once")
    func concurrentSavesCounted() async throws {
        let metrics = TestMetrics()
        let iom = try await IOM.open(IOMConfiguration(store: .inMemory, metricsFactory: metrics))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<64 { group.addTask { try await iom.missions.save(mission("concurrent-\(index)")) } }
            try await group.waitForAll()
        }
        #expect(metrics.counterTotal(label: IOMMetrics.busPublishedTotal) == 64)
        #expect(try metrics.expectTimer(IOMMetrics.storeSaveSeconds, [(IOMMetrics.Dimension.recordType, "mission")]).values.count == 64)
        try await iom.close()
    }

    @Test("metric names are unique, Prometheus-style, and stable")
    func names() {
        #expect(Set(IOMMetrics.all).count == IOMMetrics.all.count)
        #expect(IOMMetrics.all.allSatisfy { $0.hasPrefix("iom_") && $0.allSatisfy { $0.isLowercase || $0 == "_" } })
        #expect(IOMMetrics.busPublishedTotal == "iom_bus_published_total")
        #expect(IOMMetrics.storeSaveSeconds == "iom_store_save_seconds")
        #expect(IOMMetrics.authFailuresTotal == "iom_auth_failures_total")
    }
}
