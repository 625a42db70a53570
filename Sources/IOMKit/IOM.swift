import ChangeBus
import CoreMetrics
import Foundation
import IOMChanges
import IOMDomain
import IOMSecurity
import IOMStore
import IOMWire
import Logging
import ServiceLifecycle
import Synchronization

/// The facade a service imports: one call opens the store and the change bus.
///
/// Every save is validated, versioned, written to the journal in the same transaction as the
/// new state, and — only once committed — published on its change bus, in journal order.
///
/// Protection cases leave the facade only through the guarded entry points, with an acting
/// principal and a purpose, checked and audited: ``protectionCases(as:purpose:)`` and
/// ``protectionCaseChanges(as:purpose:capacity:from:)``. The store, the bus, the security
/// database and the journal decoders, which hold or open whole cases, are internal (the
/// `iom` command line and the tests reach them as `import IOMKit`).
///
/// ```swift
/// let iom = try await IOM.open()                   // ./iom.sqlite
/// try await iom.missions.save(Seed.moroccoMission)
/// for try await change in iom.changes(of: Mission.self) { print(change.after?.country ?? "deleted") }
/// ```
///
/// The node is a swift-service-lifecycle `Service`: run it in the host's `ServiceGroup` beside
/// the host's other services, and a graceful shutdown closes it (its publishers drain first).
/// Its bridges — publishers and subscribers started through it — do their work inside
/// ``run()``, so a node with a publisher must run; saves and local change sequences need not.
///
/// ```swift
/// let iom = try await IOM.open(configuration)
/// let group = ServiceGroup(services: [iom, httpServer], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
public final class IOM: Service {
    /// The durable journal and current state (whole records: internal, see the type's documentation).
    package let store: RecordStore
    /// Committed changes, in journal order, whole records. Its sequence numbers are the journal's.
    package let bus: ChangeBus<CommittedChange>
    /// The configuration this instance was opened with.
    public let configuration: IOMConfiguration
    /// The security database: per-case data keys and the audit trail. Internal: its data keys
    /// open every case; auditors read the trail through ``auditEntries(as:from:recordID:limit:)``.
    package let security: SecurityStore
    /// Seals protection cases' identifying fields before they reach the store; `nil` without a key ring.
    let sealer: CaseSealer?
    private let relay: CommitRelay
    let metrics: FacadeMetrics
    /// Bridges started through this instance, stopped by ``close()``.
    let bridges = BridgeRegistry()
    /// Their counters, reported to swift-metrics.
    let bridgeMetrics: BridgeMetrics
    /// Fired when a close begins (``close()`` or a graceful shutdown of ``run()``).
    private let closing = OneShotEvent()
    /// Fired when the first close has finished; later closes wait for it.
    private let closed = OneShotEvent()
    /// Set by the first close, which does the work.
    private let closeBegun = Atomic<Bool>(false)
    private let runBegun = Atomic<Bool>(false)

    private init(store: RecordStore, bus: ChangeBus<CommittedChange>, configuration: IOMConfiguration, relay: CommitRelay,
                 security: SecurityStore, sealer: CaseSealer?, metrics: FacadeMetrics) {
        self.store = store
        self.bus = bus
        self.configuration = configuration
        self.relay = relay
        self.security = security
        self.sealer = sealer
        self.metrics = metrics
        self.bridgeMetrics = BridgeMetrics(factory: configuration.metricsFactory ?? MetricsSystem.factory)
    }

    /// The host's logger, if it gave one (``IOMConfiguration/logger``).
    var logger: Logger { configuration.logger }

    /// Opens the store (creating it if needed) and a bus that continues its sequence.
    ///
    /// - Throws: ``IOMError`` with code ``IOMError/Code/store`` when the file cannot be opened (not
    ///   an IOMKit store, written by a newer version, no permission), ``IOMError/Code/invalidArgument``
    ///   for bad bus settings, ``IOMError/Code/bridge`` when ``IOMConfiguration/publisher`` cannot start.
    public static func open(_ configuration: IOMConfiguration = IOMConfiguration()) async throws(IOMError) -> IOM {
        let security: SecurityStore
        do {
            security = try SecurityStore.open(configuration.security.resolvedLocation(for: configuration.store.location),
                                              keyRing: configuration.security.keyRing ?? .ephemeral())
        } catch {
            configuration.logger.error("could not open the IOMKit store's security database",
                                        metadata: ["store": "\(configuration.store.location.logDescription)", "error": "\(error)"])
            throw .security(error)
        }
        let sealer = configuration.security.keyRing.map { _ in CaseSealer(vault: security.caseKeys) }
        let metrics = FacadeMetrics(factory: configuration.metricsFactory ?? MetricsSystem.factory)
        let relay = CommitRelay(sealer: sealer, metrics: metrics)
        var storeConfiguration = configuration.store
        storeConfiguration.onCommit = { entries in relay.publish(entries) }
        let location = configuration.store.location.logDescription
        let store: RecordStore
        do { store = try await RecordStore.open(storeConfiguration) } catch {
            try? security.close()
            let failure = IOMError(error)
            configuration.logger.error("could not open the IOMKit store", metadata: ["store": "\(location)", "error": "\(failure)"])
            throw failure
        }
        do {
            let last = try await store.lastSequence()
            let bus = try ChangeBus<CommittedChange>(startSequence: last + 1, replayWindow: configuration.replayWindow,
                                                     maximumCapacity: configuration.maximumSubscriptionCapacity)
            relay.attach(bus)
            configuration.logger.info("IOMKit store opened", metadata: ["store": "\(location)", "lastSequence": "\(last)"])
            let kit = IOM(store: store, bus: bus, configuration: configuration, relay: relay, security: security, sealer: sealer, metrics: metrics)
            if let publisher = configuration.publisher {
                do { _ = try await kit.startPublisher(publisher) } catch {
                    try? await kit.close()
                    throw error
                }
            }
            return kit
        } catch {
            try? await store.close()
            try? security.close()
            let failure = IOMError(error)
            configuration.logger.error("could not open the IOMKit store", metadata: ["store": "\(location)", "error": "\(failure)"])
            throw failure
        }
    }

    /// Refuses new saves and waits for pending ones; stops the bridge publishers started
    /// through this instance once they have sent every committed change (from the journal when
    /// their queue dropped some), stops its bridge subscribers, closes the store, and finishes
    /// every change sequence of ``changes(capacity:from:)`` and ``changes(of:kinds:capacity:from:)``.
    ///
    /// Idempotent: a second call returns once the first has finished.
    public func close() async throws(IOMError) {
        guard closeBegun.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return await closed.wait()
        }
        closing.fire()
        defer { closed.fire() }
        let location = configuration.store.location.logDescription
        var failure: IOMError?
        // No new saves; what is queued is committed and published. The bridges then drain
        // while the journal can still be read (a publisher re-sends from it what its queue
        // dropped), and only then does the store close.
        await store.closeForWriting()
        await bridges.stopAll()
        do { try await store.close() } catch {
            failure = IOMError(error)
            logger.error("could not close the IOMKit store", metadata: ["store": "\(location)", "error": "\(failure!)"])
        }
        bus.shutdown()
        if let failure { throw failure }
        do { try security.close() } catch { throw .security(error) }
        logger.info("IOMKit store closed", metadata: ["store": "\(location)"])
    }

    /// Runs the node's long-running work until it closes: the bridge publishers and subscribers
    /// started through it (``startPublisher(_:)``, ``startSubscriber(_:)``, ``IOMConfiguration/publisher``)
    /// send and receive only while this runs, each as a child task of this call, with their
    /// metrics sampling beside them. A graceful shutdown of the host's `ServiceGroup` (or the
    /// cancellation of the calling task) closes the node as ``close()`` does — publishers send
    /// every committed change first — and a ``close()`` called elsewhere ends it too.
    ///
    /// Saves and local change sequences work whether or not it runs. A second call returns once
    /// the node has closed.
    ///
    /// - Throws: what ``close()`` throws.
    public func run() async throws {
        guard runBegun.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return await closed.wait()
        }
        let closing = closing
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                await closing.waitFiringOnShutdown()
                try await self.close()
            }
            await runBridges()
        }
    }

    /// Holds the work of the bridges started through this node until ``close()`` has stopped
    /// them; does not itself react to a graceful shutdown (for a host that orders the node's
    /// shutdown with its other parts, as `iom serve` does).
    package func runBridges() async {
        await withDiscardingTaskGroup { group in
            for await work in bridges.work {
                group.addTask { await work() }
            }
        }
    }

    /// The organisation record.
    public var organisations: Repository<Organisation> { Repository(kit: self) }
    /// Country missions.
    public var missions: Repository<Mission> { Repository(kit: self) }
    /// Member states.
    public var memberStates: Repository<MemberState> { Repository(kit: self) }
    /// Public events.
    public var events: Repository<PublicEvent> { Repository(kit: self) }
    /// Victim-protection cases are reached only with a principal and a purpose.
    @available(*, unavailable, message: "protection cases need an acting principal and a purpose: use protectionCases(as:purpose:)")
    public var protectionCases: Repository<ProtectionCase> { fatalError("unavailable") }

    /// Changes of one record type, typed, in journal order, each once.
    ///
    /// Not for protection cases: they are reached only with a principal and a purpose, through
    /// ``protectionCaseChanges(as:purpose:capacity:from:)``; `changes(of: ProtectionCase.self)`
    /// throws ``IOMError/Code/needsPrincipal``.
    ///
    /// - Parameters:
    ///   - type: the record type, e.g. `Mission.self`.
    ///   - kinds: only these kinds of change (default: all).
    ///   - capacity: how many changes may wait for this subscriber; a subscriber that falls
    ///     further behind is cut off with ``IOMError/Code/subscriberTooSlow``.
    ///   - sequence: `nil` (the default) starts with the next change; a past sequence number
    ///     starts there, if the bus's replay window (``IOMConfiguration/replayWindow``) still holds it.
    /// - Throws: ``IOMError/Code/needsPrincipal`` for protection cases,
    ///   ``IOMError/Code/replayUnavailable`` for a start no longer held, ``IOMError/Code/invalidArgument`` for a bad capacity.
    public func changes<Record: DomainRecord>(
        of _: Record.Type, kinds: Set<ChangeKind> = Set(ChangeKind.allCases),
        capacity: Int = 65_536, from sequence: UInt64? = nil
    ) throws(IOMError) -> ChangeSequence<RecordChange<Record>, IOMError> {
        guard Record.recordType != .protectionCase else { throw .needsPrincipal(recordType: .protectionCase) }
        return try recordChanges(of: Record.self, kinds: kinds, capacity: capacity, from: .init(sequence))
    }

    /// The unguarded subscription, for the guarded ones built on it.
    func recordChanges<Record: DomainRecord>(
        of _: Record.Type, kinds: Set<ChangeKind>, capacity: Int, from start: ChangeBus<CommittedChange>.Start
    ) throws(IOMError) -> ChangeSequence<RecordChange<Record>, IOMError> {
        ChangeSequence(try subscription(of: Record.self, kinds: kinds, capacity: capacity, from: start),
                       transform: { RecordChange<Record>($0) }, failure: { IOMError.bus($0) })
    }

    /// The bus subscription behind a typed change sequence.
    func subscription<Record: DomainRecord>(
        of _: Record.Type, kinds: Set<ChangeKind>, capacity: Int, from start: ChangeBus<CommittedChange>.Start
    ) throws(IOMError) -> ChangeBus<CommittedChange>.Subscription {
        let filter: ChangeBus<CommittedChange>.Filter = kinds.count == ChangeKind.allCases.count
            ? .topic(Record.recordType)
            : .matching { $0.topic == Record.recordType && kinds.contains($0.kind) }
        do {
            return try bus.subscribe(filter, capacity: capacity, whenFull: .disconnect, from: start)
        } catch { throw .bus(error) }
    }

    /// Every committed change of every record type **except protection cases** (reached only
    /// through ``protectionCaseChanges(as:purpose:capacity:from:)``), as the bus carries it.
    /// The elements' sequence numbers are the journal's, so a protection-case change shows as
    /// a step of more than one between two elements.
    ///
    /// - Parameters:
    ///   - capacity: how many changes may wait for this subscriber; a subscriber that falls
    ///     further behind is cut off with ``IOMError/Code/subscriberTooSlow``.
    ///   - sequence: `nil` (the default) starts with the next change; a past sequence number
    ///     starts there, if the replay window still holds it.
    public func changes(capacity: Int = 65_536, from sequence: UInt64? = nil)
        throws(IOMError) -> ChangeSequence<CommittedChange, IOMError>
    {
        do {
            let subscription = try bus.subscribe(.matching { $0.topic != .protectionCase }, capacity: capacity,
                                                 whenFull: .disconnect, from: .init(sequence))
            return ChangeSequence(subscription, failure: { IOMError.bus($0) })
        } catch { throw .bus(error) }
    }

    /// Changes the store failed to decode before publishing (always 0 unless the file is corrupted).
    public var undecodableChanges: Int { relay.undecodable }

    /// Committed changes left off the bus because a `.wait` subscription of the host's stayed
    /// full for a minute (always 0 unless a subscriber stops consuming). The journal has them.
    public var unpublishedChanges: Int { relay.unpublished }
}

/// What a repository hands the store with a mutation, for the relay: the typed change and its
/// clear `iom.v1.Change` encoding (the journal bytes themselves, except for a protection case,
/// whose journal bytes are sealed).
final class SavedChange: Sendable {
    let change: Change
    let encoded: [UInt8]

    init(change: Change, encoded: [UInt8]) {
        self.change = change
        self.encoded = encoded
    }
}

/// Feeds committed journal entries to the bus, in commit order. The store calls it from its
/// commit thread (never a thread of the cooperative pool), which hands on commits one at a time
/// in journal order, before the savers resume, so the bus order is the journal order. Entries saved through a repository carry their typed change
/// (``SavedChange``); only others (written by another program) are decoded.
final class CommitRelay: Sendable {
    private let bus = Mutex<ChangeBus<CommittedChange>?>(nil)
    private let failures = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)
    /// Opens sealed identifying fields, so the in-process bus carries whole records.
    private let sealer: CaseSealer?
    private let metrics: FacadeMetrics

    init(sealer: CaseSealer?, metrics: FacadeMetrics) {
        self.sealer = sealer
        self.metrics = metrics
    }

    func attach(_ bus: ChangeBus<CommittedChange>) { self.bus.withLock { $0 = bus } }

    var undecodable: Int { failures.load(ordering: .relaxed) }
    var unpublished: Int { dropped.load(ordering: .relaxed) }

    func publish(_ entries: [JournalEntry]) {
        guard let bus = bus.withLock({ $0 }) else { return }
        var changes: [CommittedChange] = []
        changes.reserveCapacity(entries.count)
        for entry in entries {
            // Saved through a repository: the typed change and its clear bytes came along.
            if let saved = entry.attachment as? SavedChange {
                changes.append(CommittedChange(source: entry.source, sequence: entry.sequence, changeID: entry.changeID,
                                               time: entry.time, change: saved.change, encoded: saved.encoded))
                continue
            }
            do {
                let change = try WireCodec.decodeChange(entry.payload, openingWith: sealer)
                // A protection case's journal bytes hold its identifying fields sealed with this
                // store's keys: never for the wire. Carry the clear encoding instead (the full view).
                let encoded = change.recordType == .protectionCase ? WireCodec.encode(change) : entry.payload
                changes.append(CommittedChange(source: entry.source, sequence: entry.sequence, changeID: entry.changeID,
                                               time: entry.time, change: change, encoded: encoded))
            } catch {
                failures.add(1, ordering: .relaxed)
                metrics.undecodable.increment()
            }
        }
        guard !changes.isEmpty else { return }
        // A host's `.wait` subscription may lack room for the whole batch: the changes are
        // then handed over as it makes room, holding the store's commit thread and, once the
        // commit lane is full, its writer (what `.wait` asks for), for at most a minute; what is still left then is counted (the journal has it).
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        guard let published = try? bus.publishBlocking(contentsOf: changes, pause: .milliseconds(10), giveUp: { clock.now >= deadline })
        else { return }  // shut down: nobody listens any more
        metrics.published.increment(by: Int64(published))
        if published < changes.count { dropped.add(changes.count - published, ordering: .relaxed) }
    }
}

extension IOMError {
    init(_ error: any Error) {
        switch error {
        case let error as IOMError: self = error
        case let error as StoreError: self = .store(error)
        case let error as ChangeBusError: self = .bus(error)
        case let error as ValidationError: self = .invalid(error)
        case is CancellationError: self = .cancelled
        case let error as Forbidden: self = .forbidden(error)
        case let error as SecurityError: self = .security(error)
        default: self = .corrupted(String(describing: error))
        }
    }
}

extension StoreConfiguration.Location {
    /// The store's location for log lines: the file path or `:memory:`.
    var logDescription: String {
        switch self {
        case .file(let path): path
        case .inMemory: ":memory:"
        }
    }
}
