import ChangeBus
import IOMBridge
import IOMChanges
import Logging
import Synchronization
import ZeroMQ

extension IOM {
    /// The publisher started by ``open(_:)`` from ``IOMConfiguration/publisher``, if any.
    public var publisher: BridgePublisher? { bridges.first }

    /// Starts a bridge publisher of this instance's committed changes (`Protocols/bridge.md`).
    ///
    /// The publisher reads protection cases back from the journal with this instance's keys
    /// (its snapshot and replay open what the store sealed, then prepare it for the endpoint's
    /// view or the requester's role). Its endpoints are bound on return; it sends and serves
    /// while this node runs (``run()``), and ``close()`` stops it after it has sent every
    /// committed change.
    ///
    /// ```swift
    /// let allow = try ClientAllowList([analystKey.z85: .analyst("dashboards")])
    /// let redacted = try await iom.startPublisher(
    ///     PublisherConfiguration(events: "tcp://0.0.0.0:5680", sync: nil, security: .curve(serverKeys, allow: allow), view: .redacted))
    /// ```
    ///
    /// - Throws: ``IOMError/Code/bridge`` when an endpoint cannot be bound or the settings are inconsistent.
    public func startPublisher(_ configuration: PublisherConfiguration) async throws(IOMError) -> BridgePublisher {
        try await startPublisher(configuration, context: nil)
    }

    /// Starts a bridge publisher on a given ZeroMQ context.
    package func startPublisher(_ configuration: PublisherConfiguration, context: Context?) async throws(IOMError) -> BridgePublisher {
        var configuration = configuration
        if configuration.logger.isDisabled { configuration.logger = logger }
        // Protection-case reads over sync and refused connections go to this store's trail.
        if configuration.auditTrail == nil { configuration.auditTrail = security.auditTrail }
        do {
            let publisher = try await BridgePublisher.start(bus: bus, store: store, sealer: sealer, configuration: configuration, context: context)
            bridges.add(publisher, metrics: bridgeMetrics)
            return publisher
        } catch {
            logger.error("could not start the bridge publisher", metadata: ["events": "\(configuration.eventsEndpoint)", "error": "\(error)"])
            throw .bridge(error)
        }
    }

    /// Starts a bridge subscriber to other publishers; ``close()`` stops it. Its metrics are
    /// sampled while this node runs (``run()``).
    ///
    /// Remote changes are delivered, in order and once each, on the subscriber's own
    /// `BridgeSubscriber.changes(capacity:)` — never on this instance's ``changes(capacity:from:)``,
    /// whose sequence is its journal's.
    ///
    /// - Throws: ``IOMError/Code/bridge`` for bad endpoints or settings.
    public func startSubscriber(_ configuration: SubscriberConfiguration) throws(IOMError) -> BridgeSubscriber {
        try startSubscriber(configuration, bus: nil, context: nil)
    }

    /// Starts a bridge subscriber delivering to `bus`, on a given ZeroMQ context.
    package func startSubscriber(_ configuration: SubscriberConfiguration, bus: ChangeBus<CommittedChange>?,
                                 context: Context? = nil) throws(IOMError) -> BridgeSubscriber {
        var configuration = configuration
        if configuration.logger.isDisabled { configuration.logger = logger }
        do {
            let subscriber = try BridgeSubscriber.start(configuration, bus: bus, context: context)
            bridges.add(subscriber, metrics: bridgeMetrics, logger: logger)
            return subscriber
        } catch {
            throw .bridge(error)
        }
    }
}

/// The bridges an ``IOM`` started, run by ``IOM/run()`` and stopped together when it closes.
///
/// Each bridge comes with its work (its `run()` and its metrics sampling), which ``work``
/// hands to the one task group that holds it; the stream ends when ``stopAll()`` has stopped them.
final class BridgeRegistry: Sendable {
    /// One bridge's work: returns when the bridge has stopped.
    typealias Work = @Sendable () async -> Void

    private struct State {
        var publishers: [BridgePublisher] = []
        var subscribers: [BridgeSubscriber] = []
    }

    private let state = Mutex(State())
    /// The work of every bridge added, in order, for ``IOM/run()``; finished by ``stopAll()``.
    let work: AsyncStream<Work>
    private let continuation: AsyncStream<Work>.Continuation

    init() {
        (work, continuation) = AsyncStream.makeStream(of: Work.self)
    }

    var first: BridgePublisher? { state.withLock { $0.publishers.first } }

    /// Adds a publisher; its work is its `run()` beside the sampling of its counters.
    func add(_ publisher: BridgePublisher, metrics: BridgeMetrics) {
        state.withLock { $0.publishers.append(publisher) }
        continuation.yield {
            await BridgeMetrics.sampling(metrics, publisher: true, { publisher.statistics }) { try? await publisher.run() }
        }
    }

    /// Adds a subscriber; its work is its `run()` beside the sampling of its counters (a
    /// subscriber that stops by itself is logged).
    func add(_ subscriber: BridgeSubscriber, metrics: BridgeMetrics, logger: Logger) {
        state.withLock { $0.subscribers.append(subscriber) }
        continuation.yield {
            await BridgeMetrics.sampling(metrics, publisher: false, { subscriber.statistics }) {
                do { try await subscriber.run() } catch {
                    logger.error("bridge subscriber stopped", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Stops every bridge (publishers first send what is committed), then ends ``work``.
    func stopAll() async {
        let stopping = state.withLock { state in
            defer { state = State() }
            return state
        }
        for publisher in stopping.publishers { await publisher.stop() }
        for subscriber in stopping.subscribers { subscriber.stop() }
        continuation.finish()
    }
}
