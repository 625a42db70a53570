import IOMDomain
import ChangeBus
import Foundation
import IOMChanges
import IOMSecurity
import IOMWire
import Logging
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// Sends every committed change of a bus to an events endpoint and serves snapshot and replay
/// from the store, under IOMB/1 (`Protocols/bridge.md`).
///
/// Start one through the facade (``IOMConfiguration``'s `publisher`, or `iom.startPublisher(_:)`):
/// its endpoints are bound on return, and its work — the events pump, the heartbeat clock and
/// the sync server — is held by ``run()``, which the node's `run()` calls for the publishers
/// it started. It is a swift-service-lifecycle `Service`: a graceful shutdown stops it after
/// it has sent everything committed.
///
/// ```swift
/// let publisher = try await iom.startPublisher(PublisherConfiguration(security: .curve(keys, allow: allowList)))
/// print(publisher.eventsEndpoint, publisher.syncEndpoint ?? "-")
/// let group = ServiceGroup(services: [iom, myHTTPServer], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()      // runs the publisher; on SIGTERM: sends what is committed, a last heartbeat, then closes
/// ```
///
/// The events side runs on its own thread and consumes the bus through a bounded
/// subscription; the sync side runs on another thread. Neither blocks the cooperative pool.
public final class BridgePublisher: Service {
    /// The source whose changes this publisher sends.
    public let source: SourceID
    /// The bound events endpoint (with the real port when configured with `*`).
    public let eventsEndpoint: String
    /// The bound sync endpoint, if any.
    public let syncEndpoint: String?
    /// The configuration it was started with.
    public let configuration: PublisherConfiguration

    private let bus: ChangeBus<CommittedChange>
    private let pump: EventsPump
    private let sync: SyncServer?
    private let subscription: ChangeBus<CommittedChange>.Subscription
    private let syncStop: StopFlag
    private let counters: BridgeCounters
    private let context: Context
    private let ownsContext: Bool
    private let zap: ZAPHandler?
    private let audit: BridgeAudit
    /// Fired by the first ``stop(drainTimeout:linger:)`` (or a graceful shutdown of ``run()``).
    private let stopRequested = OneShotEvent()
    /// Fired once the first stop has closed everything; later stops wait for it.
    private let stopped = OneShotEvent()
    /// Set by the first stop, which does the work.
    private let stopBegun = Atomic<Bool>(false)
    /// The drain budget and linger of the stop that ends ``run()`` (a graceful shutdown uses the defaults).
    private let drainTimeout = Mutex<Duration>(.seconds(5))
    private let linger = Mutex<Duration>(.seconds(1))
    /// Set by the first ``run()``, which holds the publisher's work.
    private let runBegun = Atomic<Bool>(false)
    /// Fired by ``run()`` once its work has ended (so a stop does not close what still runs).
    private let workEnded = OneShotEvent()

    private init(source: SourceID, eventsEndpoint: String, syncEndpoint: String?, configuration: PublisherConfiguration,
                 bus: ChangeBus<CommittedChange>, pump: EventsPump, sync: SyncServer?, syncStop: StopFlag,
                 subscription: ChangeBus<CommittedChange>.Subscription, counters: BridgeCounters, context: Context, ownsContext: Bool,
                 zap: ZAPHandler?, audit: BridgeAudit) {
        self.zap = zap
        self.audit = audit
        self.source = source
        self.eventsEndpoint = eventsEndpoint
        self.syncEndpoint = syncEndpoint
        self.configuration = configuration
        self.bus = bus
        self.pump = pump
        self.sync = sync
        self.subscription = subscription
        self.counters = counters
        self.context = context
        self.ownsContext = ownsContext
        self.syncStop = syncStop
    }

    /// Binds the endpoints and starts publishing.
    ///
    /// - Parameters:
    ///   - bus: the committed changes to send (IOMKit's ``IOMChanges/CommittedChange`` bus).
    ///   - store: the journal behind the bus, for snapshot and replay and to re-read changes the
    ///     publisher fell behind on. `nil` publishes the live stream only (no sync endpoint).
    ///   - source: the source id of the changes; defaults to the store's.
    ///   - sealer: opens the sealed identifying fields of protection cases read back from the
    ///     journal (snapshot, replay, catching up). IOMKit passes its own
    ///     (``IOM/IOM/startPublisher(_:)``); without one, sealed changes are withheld.
    ///   - context: a ZeroMQ context to share; by default the publisher makes its own. With
    ///     `.curve` security the publisher installs its ZAP handler on it, so the context must
    ///     not have one already.
    /// - Throws: ``BridgeError/Code/endpoint`` when an endpoint cannot be bound,
    ///   ``BridgeError/Code/configuration`` for inconsistent settings.
    ///   - holding: a multi-source publisher (`Protocols/bridge.md` §8.7.1): `bus` carries the
    ///     changes the store holds of other sources (a hub's `RecordStore.hold(_:)`), its bus
    ///     sequence being their held-journal position; heartbeats go out per source, and the sync
    ///     endpoint answers for every held source.
    package static func start(bus: ChangeBus<CommittedChange>, store: (any ChangeJournal)?, source: SourceID? = nil, sealer: (any FieldSealer)? = nil,
                             configuration: PublisherConfiguration, context: Context? = nil,
                             holding: Bool = false) async throws(BridgeError) -> BridgePublisher {
        if holding && store == nil { throw .configuration("a multi-source publisher needs the store that holds its sources") }
        guard let source = source ?? store?.source else { throw .configuration("a publisher without a store needs a source id") }
        guard configuration.heartbeatInterval >= .milliseconds(10) else { throw .configuration("heartbeatInterval must be at least 10 ms") }
        guard configuration.backlog >= 1 else { throw .configuration("backlog must be at least 1") }
        guard configuration.maximumRequestsPerPeer >= 1, configuration.maximumRequestsPerPrincipal >= 1,
              configuration.requestsReservedForReplication >= 0,
              configuration.maximumRequests > configuration.requestsReservedForReplication else {
            throw .configuration("sync limits: per peer and per principal at least 1, and maximumRequests above requestsReservedForReplication")
        }
        if configuration.syncEndpoint != nil && store == nil { throw .configuration("a sync endpoint needs a store to serve from") }
        if case .insecure = configuration.security {
            configuration.logger.warning("bridge publisher: INSECURE — the events endpoint sends plain text to any client; configure CURVE keys for anything but a local test",
                                         metadata: ["events": "\(configuration.eventsEndpoint)"])
        }
        let ownsContext = context == nil
        let provided = context
        let context: Context
        do { context = try provided ?? Context() } catch { throw .configuration("cannot create a ZeroMQ context: \(error)") }
        let counters = BridgeCounters()

        // §12.2: with CURVE, a ZAP handler admits the allow-listed keys only. Without one
        // libzmq would accept any client key.
        let audit = BridgeAudit(trail: configuration.auditTrail, logger: configuration.logger)
        var zap: ZAPHandler?
        if let allowList = configuration.security.allowList {
            do {
                // Counted each; audited and logged per key and minute (§12.3), so a reconnecting
                // flood adds neither a trail entry nor a log line per connection.
                zap = try ZAPHandler(context: context, admitting: allowList) { request, reason in
                    counters.add(.authenticationFailures)
                    audit.recordRefusedConnection(clientKey: request.clientKey?.z85, address: request.address,
                                                  domain: request.domain, reason: reason)
                }
            } catch {
                if ownsContext { context.shutdown() }
                throw .configuration("cannot install the ZAP handler (does the context already have one?): \(error)")
            }
        }

        let events: Socket
        let eventsEndpoint: String
        do {
            events = try context.socket(.xpub)
            try events.set(.sendHighWaterMark, configuration.sendHighWaterMark)
            try events.set(.linger, .zero)
            // Subscription messages (1 octet and a topic prefix) and the CURVE handshake (§11.2).
            try events.set(.maxMessageSize, Int64(BridgeProtocol.maximumSubscriptionSize))
            try EventsSocketOptions.apply(to: events)
            try configuration.security.apply(to: events, domain: configuration.view.zapDomain)
            try events.bind(configuration.eventsEndpoint)
            eventsEndpoint = try events.lastEndpoint
        } catch {
            await zap?.stop()
            if ownsContext { context.shutdown() }
            throw .endpoint(configuration.eventsEndpoint, error as? ZMQError ?? ZMQError(operation: "bind", code: 0, message: "\(error)"))
        }

        var sync: SyncServer?
        var syncEndpoint: String?
        let syncStop = StopFlag()
        let filter = ViewFilter(view: configuration.view, redactor: configuration.redactor, sealer: sealer)
        if let endpoint = configuration.syncEndpoint, let store {
            do {
                let router = try context.socket(.router)
                // A frame over the request limit drops the connection before it is buffered,
                // and each connection queues a bounded number of requests (§11.2).
                try router.set(.maxMessageSize, Int64(BridgeProtocol.maximumRequestSize))
                try router.set(.receiveHighWaterMark, BridgeProtocol.syncReceiveHighWaterMark)
                try router.set(.sendHighWaterMark, 10_000)
                try router.set(.linger, .zero)
                try configuration.security.apply(to: router, domain: ClientAllowList.syncDomain)
                try router.bind(endpoint)
                syncEndpoint = try router.lastEndpoint
                sync = SyncServer(socket: router, watchHandshakes: configuration.security.allowList == nil ? nil : syncEndpoint, thread: SocketThread(name: "iom.bridge.sync"), store: store, filter: filter,
                                  allowList: configuration.security.allowList,
                                  limits: .init(slots: .init(perConnection: configuration.maximumRequestsPerPeer,
                                                             perPrincipal: configuration.maximumRequestsPerPrincipal,
                                                             total: configuration.maximumRequests,
                                                             reservedForReplication: configuration.requestsReservedForReplication,
                                                             idleTimeout: configuration.requestTimeout),
                                                heartbeatInterval: configuration.heartbeatInterval),
                                  counters: counters, audit: audit, logger: configuration.logger, stopFlag: syncStop)
            } catch {
                await zap?.stop()
                if ownsContext { context.shutdown() }
                throw .endpoint(endpoint, error as? ZMQError ?? ZMQError(operation: "bind", code: 0, message: "\(error)"))
            }
        }

        let subscription: ChangeBus<CommittedChange>.Subscription
        do {
            subscription = try bus.subscribe(.all, capacity: configuration.backlog, whenFull: configuration.whenBehind)
        } catch {
            await zap?.stop()
            if ownsContext { context.shutdown() }
            throw .configuration("cannot subscribe to the bus: \(error)")
        }
        // Everything before the subscription is committed and in the journal: subscribers that
        // missed it learn it from the first heartbeat's `latest` and replay it.
        let lastSent = bus.nextSequence &- 1
        var oldest = lastSent + 1
        if let store, !holding { oldest = (try? await store.oldestAvailableSequence()) ?? oldest }
        var sources: [SourceID: (latest: UInt64, oldest: UInt64)]?
        if holding, let store {
            do {
                var held: [SourceID: (latest: UInt64, oldest: UInt64)] = [:]
                held[source] = (try await store.lastSequence(), try await store.oldestAvailableSequence())
                for entry in try await store.heldSources() { held[entry.source] = (entry.lastSequence, entry.firstSequence) }
                sources = held
            } catch {
                await zap?.stop()
                if ownsContext { context.shutdown() }
                throw .configuration("cannot read the held sources of the store: \(error)")
            }
        }
        let pump = EventsPump(socket: events, watchHandshakes: configuration.security.allowList == nil ? nil : eventsEndpoint, thread: SocketThread(name: "iom.bridge.events"), source: source, filter: filter,
                              interval: configuration.heartbeatInterval, store: store, lastSent: lastSent, oldest: oldest,
                              counters: counters, logger: configuration.logger, sources: sources)
        configuration.logger.info("bridge publisher started", metadata: [
            "source": "\(source)", "events": "\(eventsEndpoint)", "sync": "\(syncEndpoint ?? "none")", "view": "\(configuration.view.rawValue)",
        ])
        return BridgePublisher(source: source, eventsEndpoint: eventsEndpoint, syncEndpoint: syncEndpoint, configuration: configuration,
                               bus: bus, pump: pump, sync: sync, syncStop: syncStop, subscription: subscription, counters: counters,
                               context: context, ownsContext: ownsContext, zap: zap, audit: audit)
    }

    /// What the publisher has sent and served so far.
    public var statistics: BridgeStatistics { counters.snapshot }

    /// The highest sequence sent on the events endpoint.
    public var lastSent: UInt64 {
        get async { await pump.lastSent }
    }

    /// Runs the publisher: sends the bus's changes, heartbeats, and answers sync requests, until
    /// a graceful shutdown of the host's `ServiceGroup`, the cancellation of the calling task,
    /// or a call of ``stop(drainTimeout:linger:)``; then drains and closes it as
    /// ``stop(drainTimeout:linger:)`` does, and returns.
    ///
    /// All of the publisher's work is held here, as child tasks of this call (the events pump
    /// and the sync server each on their own thread, and the heartbeat clock). Until it runs,
    /// the endpoints are bound and committed changes wait in the publisher's bounded queue
    /// (and, past it, in the journal). ``IOM/run()`` runs the publishers it started; a second
    /// call returns once the publisher has stopped.
    public func run() async throws {
        let stopRequested = stopRequested
        guard runBegun.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            // Run elsewhere (by the node that started it): a shutdown here stops it there.
            let stopped = stopped
            await withTaskCancellationHandler {
                await withGracefulShutdownHandler { await stopped.wait() } onGracefulShutdown: { stopRequested.fire() }
            } onCancel: {
                stopRequested.fire()
            }
            return await stopped.wait()
        }
        let pump = pump, sync = sync, subscription = subscription, audit = audit
        await withDiscardingTaskGroup { group in
            group.addTask { await pump.run(subscription) }
            if let sync { group.addTask { await sync.run() } }
            group.addTask {
                // The heartbeat clock: heartbeats, XPUB subscription notices, drain deadlines.
                var ticks = 0
                while !stopRequested.hasFired {
                    try? await Task.sleep(for: .milliseconds(10))
                    await pump.tick()
                    ticks &+= 1
                    if ticks % 100 == 0 { audit.flush() }  // writes a minute's sums once it is over
                }
            }
            await stopRequested.waitFiringOnShutdown()
            await drainAndClose(drainTimeout: self.drainTimeout.withLock { $0 }, linger: self.linger.withLock { $0 })
            group.cancelAll()  // wakes the heartbeat clock from its sleep
        }
        workEnded.fire()
        await stop()
    }

    /// Stops publishing: waits (up to `drainTimeout`) until every change published on the bus
    /// before this call has been sent, sends a last heartbeat, lets queued messages leave for
    /// up to `linger`, and closes both endpoints. Idempotent: a second call returns once the
    /// first has finished. The events thread wakes it when the last change is sent; nothing polls.
    ///
    /// A publisher that never ran sends nothing more: it closes its endpoints (subscribers
    /// repair what they missed from another node's journal, or from this one's when it
    /// publishes again).
    public func stop(drainTimeout: Duration = .seconds(5), linger: Duration = .seconds(1)) async {
        guard stopBegun.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return await stopped.wait()
        }
        self.drainTimeout.withLock { $0 = drainTimeout }
        self.linger.withLock { $0 = linger }
        stopRequested.fire()
        if runBegun.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            // Never ran: nothing to drain; close here.
            await drainAndClose(drainTimeout: .zero, linger: linger)
        } else {
            await workEnded.wait()
        }
        await zap?.stop()
        audit.flush(force: true)
        if ownsContext { context.shutdown() }
        configuration.logger.info("bridge publisher stopped", metadata: ["source": "\(source)", "events": "\(eventsEndpoint)"])
        stopped.fire()
    }

    /// Sends what was committed before the stop (up to `drainTimeout`), a last heartbeat, and
    /// closes the endpoints; ends the pump's and the sync server's loops.
    private func drainAndClose(drainTimeout: Duration, linger: Duration) async {
        let target = bus.nextSequence &- 1
        if !bus.isShutDown && drainTimeout > .zero {
            await pump.waitUntilSent(target, deadline: ContinuousClock().now + drainTimeout)
        }
        subscription.cancel()
        await pump.close(linger: linger)
        syncStop.stop()
    }
}
