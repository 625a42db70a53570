import ChangeBus
import Foundation
import IOMBridge
import IOMChanges
import IOMDomain
import IOMSecurity
import IOMStore
import IOMWire
import Logging
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// One publisher a hub follows: its events and sync endpoints and how to connect to them.
///
/// ```swift
/// let mission = HubUpstream(events: "tcp://ma.iom.example:5670", sync: "tcp://ma.iom.example:5671",
///                           security: .curve(client: hubKeys, server: missionPublicKey))
/// ```
public struct HubUpstream: Sendable, Hashable {
    /// Where the upstream's events endpoint is.
    public var events: String
    /// Where its sync endpoint is (replay after a gap, a restart or an outage).
    public var sync: String
    /// CURVE with the upstream's public key (and the hub's own key pair), or plain text.
    public var security: SubscriberSecurity

    /// An upstream at `events` and `sync`, reached with `security`.
    public init(events: String, sync: String, security: SubscriberSecurity) {
        self.events = events
        self.sync = sync
        self.security = security
    }

    /// Upstreams are the same when their endpoints are (security is not compared).
    public static func == (lhs: HubUpstream, rhs: HubUpstream) -> Bool { lhs.events == rhs.events && lhs.sync == rhs.sync }
    /// Hashes the endpoints, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(events)
        hasher.combine(sync)
    }
}

/// A following node (hub): follows upstream publishers, commits each of their changes to this
/// store under its original source, sequence, id and time, and publishes them onward with the
/// same identity (`Protocols/bridge.md` §8.7.1).
///
/// ```swift
/// let iom = try await IOM.open(configuration)          // with a key ring: cases are sealed at rest
/// let hub = try await iom.startHub(upstreams: missions,
///                                  publisher: PublisherConfiguration(events: "tcp://*:5670", sync: "tcp://*:5671",
///                                                                    security: .curve(hqKeys, allow: analysts)))
/// let group = ServiceGroup(services: [hub], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
///
/// A change is committed before it is published or served, and a restarted hub resumes every
/// source after the last sequence it committed. A protection case deleted at its origin is
/// deleted here too: its key is destroyed before the deletion is committed, the deletion is kept
/// (a tombstone) and forwarded. ``run()`` holds the work: nothing is committed until it runs.
public final class IOMHub: Service {
    /// The hub's publisher: every held source on its events endpoint, sync for all of them.
    public let publisher: BridgePublisher
    /// The upstreams followed, in the order given.
    public let upstreams: [HubUpstream]

    let kit: IOM
    /// One subscriber per upstream (each has its own keys), all delivering to `inbound`.
    package let subscribers: [BridgeSubscriber]
    private let inbound: ChangeBus<CommittedChange>
    private let subscription: ChangeBus<CommittedChange>.Subscription
    /// The changes held, in held-journal order (bus sequence = position), after they are committed.
    package let held: ChangeBus<CommittedChange>
    private let committed = Mutex<[SourceID: (sequence: UInt64, at: ContinuousClock.Instant)]>([:])
    private let stopRequested = OneShotEvent()
    private let logger: Logger

    private init(kit: IOM, upstreams: [HubUpstream], publisher: BridgePublisher, subscribers: [BridgeSubscriber],
                 inbound: ChangeBus<CommittedChange>, subscription: ChangeBus<CommittedChange>.Subscription,
                 held: ChangeBus<CommittedChange>, positions: [SourceID: UInt64]) {
        self.kit = kit
        self.upstreams = upstreams
        self.publisher = publisher
        self.subscribers = subscribers
        self.inbound = inbound
        self.subscription = subscription
        self.held = held
        self.logger = kit.logger
        let now = ContinuousClock().now
        committed.withLock { map in for (source, sequence) in positions { map[source] = (sequence, now) } }
    }

    static func start(kit: IOM, upstreams: [HubUpstream], publisher configuration: PublisherConfiguration,
                      context: Context?) async throws(IOMError) -> IOMHub {
        guard !upstreams.isEmpty else { throw .bridge(.configuration("a hub needs at least one upstream to follow")) }
        guard kit.sealer != nil else {
            throw .security(.invalidKey("a hub seals the protection cases it holds under its own keys: set IOMConfiguration.security.keyRing"))
        }
        let store = kit.store
        let positions: [SourceID: UInt64]
        let lastPosition: UInt64
        do {
            positions = Dictionary(uniqueKeysWithValues: try await store.heldSources().map { ($0.source, $0.lastSequence) })
            lastPosition = try await store.lastHeldPosition()
        } catch { throw IOMError(error) }
        let held: ChangeBus<CommittedChange>
        let inbound: ChangeBus<CommittedChange>
        let subscription: ChangeBus<CommittedChange>.Subscription
        do {
            held = try ChangeBus<CommittedChange>(startSequence: lastPosition + 1, replayWindow: kit.configuration.replayWindow)
            inbound = try ChangeBus<CommittedChange>(replayWindow: 1)
            // `.wait`: a hub that commits slower than upstreams send holds their delivery (and
            // then their sockets); what a socket drops meanwhile is replayed.
            subscription = try inbound.subscribe(capacity: 16_384, whenFull: .wait(timeout: .seconds(3600)), from: .now)
        } catch { throw .bus(error) }

        var configuration = configuration
        if configuration.logger.isDisabled { configuration.logger = kit.logger }
        if configuration.auditTrail == nil { configuration.auditTrail = kit.security.auditTrail }
        let publisher: BridgePublisher
        do {
            publisher = try await BridgePublisher.start(bus: held, store: store, sealer: kit.sealer, configuration: configuration,
                                                        context: context, holding: true)
        } catch {
            kit.logger.error("could not start the hub's publisher", metadata: ["events": "\(configuration.eventsEndpoint)", "error": "\(error)"])
            throw .bridge(error)
        }
        var subscribers: [BridgeSubscriber] = []
        for upstream in upstreams {
            var settings = SubscriberConfiguration(upstreams: [.init(events: upstream.events, sync: upstream.sync)],
                                                   security: upstream.security, start: .beginning)
            // Every source resumes after what this store committed of it; a new one from 1.
            settings.resume = positions
            settings.logger = kit.logger
            settings.busReplayWindow = 1
            do {
                subscribers.append(try BridgeSubscriber.start(settings, bus: inbound, context: context))
            } catch {
                for subscriber in subscribers { subscriber.stop() }
                await publisher.stop()
                throw .bridge(error)
            }
        }
        // The facade's registry: the node's run() runs them beside their iom_bridge_* metrics, and
        // a close() of the node stops them.
        kit.bridges.add(publisher, metrics: kit.bridgeMetrics)
        for subscriber in subscribers { kit.bridges.add(subscriber, metrics: kit.bridgeMetrics, logger: kit.logger) }
        kit.logger.info("hub started", metadata: [
            "upstreams": "\(upstreams.map(\.events).joined(separator: " "))", "events": "\(publisher.eventsEndpoint)",
            "heldSources": "\(positions.count)", "lastPosition": "\(lastPosition)",
        ])
        return IOMHub(kit: kit, upstreams: upstreams, publisher: publisher, subscribers: subscribers, inbound: inbound,
                      subscription: subscription, held: held, positions: positions)
    }

    /// Follows, commits and publishes onward until a graceful shutdown of the host's
    /// `ServiceGroup`, the cancellation of the calling task or ``stop()``; then stops following,
    /// commits what was received, publishes it and stops the publisher.
    ///
    /// - Throws: ``IOMError`` when a received change cannot be committed (the store failed) or
    ///   an upstream can never deliver a change: the hub stops, and on its next start resumes
    ///   from what it committed.
    public func run() async throws {
        let stopRequested = stopRequested, subscribers = subscribers, publisher = publisher, inbound = inbound
        enum Part: Sendable { case publisher, consumer((any Error)?) }
        // The hub's work, as child tasks of this call: committing what the upstreams deliver, and
        // its publisher's work (unless the node's run() already holds it: then this one waits).
        let failure: (any Error)? = await withTaskGroup(of: Part.self) { group in
            group.addTask { try? await publisher.run(); return .publisher }
            group.addTask {
                do { try await self.consume(); return .consumer(nil) } catch { return .consumer(error) }
            }
            await stopRequested.waitFiringOnShutdown()
            // Stops the subscribers: the inbound bus ends after what they delivered, which is
            // committed; then the publisher sends it and stops.
            for subscriber in subscribers { subscriber.stop() }
            inbound.shutdown()
            var failure: (any Error)?
            for await part in group {
                if case .consumer(let error) = part {
                    failure = error
                    await publisher.stop()
                }
            }
            return failure
        }
        held.shutdown()
        logger.info("hub stopped", metadata: ["events": "\(publisher.eventsEndpoint)"])
        if let failure { throw failure }
    }

    /// Returns once the hub is stopping: asked to (``stop()``, a shutdown) or by itself (its
    /// store failed).
    package func waitUntilStopping() async { await stopRequested.wait() }

    /// Asks ``run()`` to stop (it returns once everything received is committed and sent).
    public func stop() { stopRequested.fire() }

    private func consume() async throws {
        var iterator = subscription.makeAsyncIterator()
        var batch: [CommittedChange] = []
        batch.reserveCapacity(1024)
        do {
            while let element = try await iterator.next() {
                if let change = element.event { batch.append(change) }
                while batch.count < 1024, iterator.buffered > 0, let next = try await iterator.next() {
                    if let change = next.event { batch.append(change) }
                }
                try await commit(batch)
                batch.removeAll(keepingCapacity: true)
            }
        } catch {
            logger.error("hub: stopping; changes received from upstreams can no longer be committed", metadata: ["error": "\(error)"])
            stopRequested.fire()
            throw IOMError(error)
        }
    }

    /// Seals, commits and then publishes one batch: nothing is sent before it is committed.
    private func commit(_ batch: [CommittedChange]) async throws {
        let known = committed.withLock { $0 }
        var entries: [JournalEntry] = []
        var changes: [CommittedChange] = []
        entries.reserveCapacity(batch.count)
        changes.reserveCapacity(batch.count)
        var last: [SourceID: UInt64] = [:]
        for change in batch {
            let done = last[change.source] ?? known[change.source]?.sequence ?? 0
            guard change.sequence > done else { continue }  // already committed (a replay overlapping a restart)
            last[change.source] = change.sequence
            let record = change.change
            if record.recordType == .protectionCase && record.kind == .deleted {
                // Erasure (§8.7.1): the key goes first, so no readable copy outlives the origin's.
                do { try kit.security.caseKeys.shred(record.recordID) } catch { throw IOMError.security(error) }
            }
            entries.append(JournalEntry(sequence: change.sequence, changeID: change.changeID, source: change.source,
                                        recordType: record.recordType.rawValue, recordID: record.recordID, kind: record.kind,
                                        version: record.version, time: change.time, payload: try restPayload(change)))
            changes.append(change)
        }
        guard !entries.isEmpty else { return }
        let positions = try await kit.store.hold(entries)
        var onward: [CommittedChange] = []
        onward.reserveCapacity(changes.count)
        for (change, position) in zip(changes, positions) where position != nil {
            // The clear encoding as received (a protection case's identifying fields are sealed
            // only at rest); the publisher prepares it for each endpoint's view.
            onward.append(change.encoded.isEmpty
                          ? CommittedChange(source: change.source, sequence: change.sequence, changeID: change.changeID,
                                            time: change.time, change: change.change, encoded: WireCodec.encode(change.change))
                          : change)
        }
        let now = ContinuousClock().now
        committed.withLock { map in for (source, sequence) in last { map[source] = (sequence, now) } }
        _ = try? held.publish(contentsOf: onward)
    }

    /// The bytes kept at rest: protection cases sealed under this hub's keys; a case whose key
    /// this hub already destroyed is kept without its identifying fields.
    private func restPayload(_ committed: CommittedChange) throws -> [UInt8] {
        // The journal's bytes are the wire's bytes: a change with nothing to seal is kept as received.
        if committed.change.recordType != .protectionCase && !committed.encoded.isEmpty { return committed.encoded }
        return try sealedPayload(committed.change)
    }

    private func sealedPayload(_ change: Change) throws -> [UInt8] {
        do {
            return try kit.storePayload(change)
        } catch {
            guard change.recordType == .protectionCase, (try? kit.security.caseKeys.isShredded(change.recordID)) == true else { throw error }
            return try WireCodec.encode(change, sealingWith: ShreddedSealer())
        }
    }

    // MARK: Lag and health

    /// Per upstream: its endpoint, whether it was heard from within its dead-publisher period
    /// (3 heartbeat intervals), the sequences announced but not yet committed here, and when a
    /// change from it was last committed.
    package struct UpstreamLag: Sendable {
        package var endpoint: String
        package var connected: Bool
        package var silentFor: Duration?
        package var behind: UInt64
        package var sinceLastChange: Duration?
    }

    /// The lag of every upstream, now.
    package var lag: [UpstreamLag] {
        let now = ContinuousClock().now
        let committed = committed.withLock { $0 }
        return subscribers.map { subscriber in
            let upstream = subscriber.progress.upstreams[0]
            let silent = upstream.lastHeard.map { now - $0 }
            var behind: UInt64 = 0
            var lastChange: ContinuousClock.Instant?
            for (source, heard) in subscriber.progress.sources {
                let have = committed[source]
                if heard.latest > (have?.sequence ?? 0) { behind += heard.latest - (have?.sequence ?? 0) }
                if let at = have?.at, lastChange.map({ at > $0 }) ?? true { lastChange = at }
            }
            return UpstreamLag(endpoint: upstream.endpoint, connected: silent.map { $0 <= upstream.interval * 3 } ?? false,
                               silentFor: silent, behind: behind, sinceLastChange: lastChange.map { now - $0 })
        }
    }

    /// `nil` when every upstream was heard from within its dead-publisher period, otherwise which were not.
    package var upstreamProblem: String? {
        let silent = lag.filter { !$0.connected }
        guard !silent.isEmpty else { return nil }
        return "upstream " + silent.map { lag in
            lag.endpoint + (lag.silentFor.map { " silent for \(Int($0.components.seconds)) s" } ?? " never heard from")
        }.joined(separator: ", ") + " (3 heartbeat intervals allowed)"
    }
}

extension IOM {
    /// Starts a hub on this store: follows `upstreams`, holds their changes under their original
    /// sources and publishes them onward on `publisher`'s endpoints (`Protocols/bridge.md` §8.7.1).
    /// Run the returned hub (``IOMHub/run()``) in the host's `ServiceGroup`.
    ///
    /// - Throws: ``IOMError`` when an endpoint cannot be bound or connected, or the store has no
    ///   key ring (protection cases are sealed at rest under the hub's keys).
    public func startHub(upstreams: [HubUpstream], publisher: PublisherConfiguration) async throws(IOMError) -> IOMHub {
        try await IOMHub.start(kit: self, upstreams: upstreams, publisher: publisher, context: nil)
    }

    /// ``startHub(upstreams:publisher:)`` on a shared ZeroMQ context.
    package func startHub(upstreams: [HubUpstream], publisher: PublisherConfiguration, context: Context?) async throws(IOMError) -> IOMHub {
        try await IOMHub.start(kit: self, upstreams: upstreams, publisher: publisher, context: context)
    }
}

/// Seals with nothing anyone can open: a case whose key is destroyed keeps no identifying data.
private struct ShreddedSealer: FieldSealer {
    var scheme: String { "iomkit.case-key.aes256gcm.v1" }
    func seal(_ plaintext: [UInt8], recordID: String) throws -> [UInt8] { [] }
    func open(_ ciphertext: [UInt8], recordID: String) throws -> [UInt8]? { nil }
}
