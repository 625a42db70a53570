import IOMDomain
import ChangeBus
import Foundation
import IOMChanges
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// Follows one or more publishers and delivers each of their changes once, in order, on its
/// ``changes(capacity:)`` sequences — repairing gaps from the publishers' journals (`Protocols/bridge.md` §8).
///
/// ```swift
/// let subscriber = try BridgeSubscriber.start(SubscriberConfiguration(
///     upstreams: [.init(events: "tcp://127.0.0.1:5670", sync: "tcp://127.0.0.1:5671")], security: .insecure))
/// for try await change in try subscriber.changes() {
///     print(change.source, change.sequence, change.change.recordID)
/// }
/// ```
///
/// It is a swift-service-lifecycle `Service`: ``run()`` holds it until the host's `ServiceGroup`
/// shuts down gracefully, then stops it.
///
/// Its sockets live on one dedicated thread; delivery happens there too, in batches.
/// ``IOMChanges/CommittedChange/sequence`` is the source's journal sequence. Persist the last delivered sequence and start again with `.after(sequence)` to
/// resume without loss or duplicates.
public final class BridgeSubscriber: Service {
    /// The delivered changes, in each source's order. Its own sequence numbers count deliveries.
    package let bus: ChangeBus<CommittedChange>
    /// Joins, unreachable publishers, unrecoverable ranges (newest 256 kept when nobody reads).
    public let status: AsyncStream<SubscriberStatus>
    /// The configuration it was started with.
    public let configuration: SubscriberConfiguration

    private let counters: BridgeCounters
    /// What the subscriber last heard from each upstream (liveness, announced latest sequences).
    package let progress: UpstreamProgress
    private let stopFlag: StopFlag
    private let delivered: DeliveredMap
    private let finished: Mutex<Bool>
    private let done = DispatchSemaphore(value: 0)
    /// Fired when the subscriber's thread has ended (stopped, or stuck on an undeliverable change).
    private let ended = OneShotEvent()

    private init(configuration: SubscriberConfiguration, bus: ChangeBus<CommittedChange>, status: AsyncStream<SubscriberStatus>,
                 counters: BridgeCounters, stopFlag: StopFlag, delivered: DeliveredMap) {
        self.configuration = configuration
        self.bus = bus
        self.status = status
        self.counters = counters
        self.progress = UpstreamProgress(endpoints: configuration.upstreams.map(\.events))
        self.stopFlag = stopFlag
        self.delivered = delivered
        self.finished = Mutex(false)
    }

    /// Connects to every upstream and starts following them.
    ///
    /// - Parameter configuration: upstreams, security, where to start.
    /// - Throws: ``BridgeError/Code/endpoint`` for a malformed endpoint or bad keys,
    ///   ``BridgeError/Code/configuration`` for inconsistent settings.
    public static func start(_ configuration: SubscriberConfiguration) throws(BridgeError) -> BridgeSubscriber {
        try start(configuration, bus: nil, context: nil, hooks: nil)
    }

    /// Starts with the bus to deliver to (one already subscribed to, to be sure to see the
    /// first delivery) and the ZeroMQ context to use; by default the subscriber makes its own.
    package static func start(_ configuration: SubscriberConfiguration, bus: ChangeBus<CommittedChange>?,
                              context: Context? = nil) throws(BridgeError) -> BridgeSubscriber {
        try start(configuration, bus: bus, context: context, hooks: nil)
    }

    static func start(_ configuration: SubscriberConfiguration, bus: ChangeBus<CommittedChange>?, context: Context?,
                      hooks: SubscriberHooks?) throws(BridgeError) -> BridgeSubscriber {
        guard !configuration.upstreams.isEmpty else { throw .configuration("no upstream to follow") }
        guard configuration.reorderLimit >= 1 else { throw .configuration("reorderLimit must be at least 1") }
        guard configuration.deadAfterIntervals >= 1 else { throw .configuration("deadAfterIntervals must be at least 1") }
        guard (0...64).contains(configuration.decodeThreads) else { throw .configuration("decodeThreads must be 0…64") }
        guard !configuration.topics.isEmpty else { throw .configuration("subscribe to at least one topic prefix, normally \"iom.v1.\"") }
        if configuration.start == .snapshot, configuration.upstreams.contains(where: { $0.sync == nil }) {
            throw .configuration("a snapshot start needs the sync endpoint of every upstream")
        }
        let ownsContext = context == nil
        let provided = context
        let context: Context
        do { context = try provided ?? Context() } catch { throw .configuration("cannot create a ZeroMQ context: \(error)") }
        let handoff = SocketHandoff()
        for upstream in configuration.upstreams {
            do {
                let sub = try context.socket(.sub)
                try sub.set(.receiveHighWaterMark, configuration.receiveHighWaterMark)
                try sub.set(.maxMessageSize, Int64(BridgeProtocol.maximumMessageSize))
                try EventsSocketOptions.apply(to: sub)
                try configuration.security.apply(to: sub)
                for topic in configuration.topics { try sub.set(.subscribe, Array(topic.utf8)) }
                try sub.connect(upstream.events)
                var dealer: Socket?
                if let sync = upstream.sync {
                    do {
                        let socket = try context.socket(.dealer)
                        try socket.set(.maxMessageSize, Int64(BridgeProtocol.maximumMessageSize))
                        try socket.set(.receiveHighWaterMark, BridgeProtocol.replyReceiveHighWaterMark)
                        try configuration.security.apply(to: socket)
                        try socket.connect(sync)
                        dealer = socket
                    } catch {
                        throw BridgeError.endpoint(sync, error as? ZMQError ?? ZMQError(operation: "connect", code: 0, message: "\(error)"))
                    }
                }
                handoff.sockets.append((sub, dealer))
            } catch let error as BridgeError {
                if ownsContext { context.shutdown() }
                throw error
            } catch {
                if ownsContext { context.shutdown() }
                throw .endpoint(upstream.events, error as? ZMQError ?? ZMQError(operation: "connect", code: 0, message: "\(error)"))
            }
        }
        let providedBus = bus
        let bus: ChangeBus<CommittedChange>
        do { bus = try providedBus ?? ChangeBus(replayWindow: configuration.busReplayWindow) } catch { throw .configuration("\(error)") }
        let (status, continuation) = AsyncStream<SubscriberStatus>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let counters = BridgeCounters()
        let stopFlag = StopFlag()
        let delivered = DeliveredMap()
        let subscriber = BridgeSubscriber(configuration: configuration, bus: bus, status: status, counters: counters,
                                          stopFlag: stopFlag, delivered: delivered)
        let done = subscriber.done
        let ended = subscriber.ended
        let progress = subscriber.progress
        let thread = Thread {
            let loop = SubscriberLoop(configuration: configuration, sockets: handoff.take(), bus: bus, hooks: hooks,
                                      counters: counters, stopFlag: stopFlag, delivered: delivered, status: continuation,
                                      progress: progress)
            loop.run()
            _ = loop  // sockets close when the loop is released, on this thread
            if ownsContext { context.shutdown() }
            done.signal()
            ended.fire()
        }
        thread.name = "iom.bridge.subscriber"
        thread.start()
        return subscriber
    }

    /// The delivered changes, in each source's order, from the oldest delivery the subscriber
    /// still holds (``SubscriberConfiguration/busReplayWindow``): a sequence made right after
    /// ``start(_:)`` sees the first delivery.
    ///
    /// - Parameter capacity: how many changes may wait for this reader; one that falls further
    ///   behind is cut off with ``BridgeError/Code/subscriberTooSlow``.
    /// - Throws: ``BridgeError/Code/invalidArgument`` for a capacity below 1. The sequence ends
    ///   (returns `nil`) when the subscriber stops, and throws ``BridgeError/Code/undeliverable``
    ///   when it stopped on a change it can never deliver.
    public func changes(capacity: Int = 65_536) throws(BridgeError) -> ChangeSequence<CommittedChange, BridgeError> {
        let subscription: ChangeBus<CommittedChange>.Subscription
        do {
            subscription = try bus.subscribe(capacity: capacity, whenFull: .disconnect, from: .sequence(1))
        } catch .sequenceNoLongerHeld(_, let oldest) {
            do { subscription = try bus.subscribe(capacity: capacity, whenFull: .disconnect, from: .sequence(oldest)) } catch {
                throw .bus(error)
            }
        } catch {
            throw .bus(error)
        }
        return ChangeSequence(subscription, failure: { BridgeError.bus($0) })
    }

    /// The highest sequence of `source` delivered so far (all lower ones were too).
    public func delivered(from source: SourceID) -> UInt64? {
        delivered.map.withLock { $0[source] }
    }

    /// Every source delivered from so far, with its delivered sequence.
    public var deliveredSequences: [SourceID: UInt64] { delivered.map.withLock { $0 } }

    /// What the subscriber has received, delivered, repaired and dropped so far.
    public var statistics: BridgeStatistics { counters.snapshot }

    /// Holds the subscriber until it ends: a graceful shutdown of the host's `ServiceGroup`, the
    /// cancellation of the calling task or ``stop()`` stops it; the subscriber's thread wakes
    /// this when it has ended (nothing polls). Then its change sequences end.
    ///
    /// - Throws: ``BridgeError`` with code ``BridgeError/Code/undeliverable`` when the
    ///   subscriber stopped by itself on a change it can never deliver (`Protocols/bridge.md` §8.8).
    public func run() async throws(BridgeError) {
        let stopFlag = stopFlag
        let ended = ended
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await ended.wait()
            } onGracefulShutdown: {
                stopFlag.stop()
            }
        } onCancel: {
            stopFlag.stop()
        }
        let stoppedByItself = !stopFlag.isStopped
        stop()
        if stoppedByItself && statistics.stuck > 0 {
            throw BridgeError(.undeliverable, message: "the bridge subscriber stopped on a change it can never deliver; its status stream and change sequences name it")
        }
    }

    /// Stops following: delivers what is already decoded, closes the sockets, finishes the
    /// status stream and shuts the bus down (its subscriptions end). Idempotent; waits for the
    /// subscriber's thread to end (within about 20 ms).
    public func stop() {
        let first = finished.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        stopFlag.stop()
        done.wait()
        bus.shutdown()
    }

    deinit { stop() }
}

/// Moves sockets made on the caller's thread to the subscriber's thread, which then is
/// their only user.
private final class SocketHandoff: @unchecked Sendable {
    var sockets: [(Socket, Socket?)] = []
    func take() -> [(Socket, Socket?)] {
        defer { sockets = [] }
        return sockets
    }
}
