import ChangeBus
import Foundation
import IOMChanges
import IOMDomain
import IOMWire
import Logging
import ZeroMQ

/// The publisher's events side: consumes the bus on its own thread and writes events,
/// withheld markers and heartbeats to the XPUB socket (§5–§7).
actor EventsPump {
    private let thread: SocketThread
    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    private var socket: Socket?
    private let watch: HandshakeWatch?
    private var encoder: EventEncoder
    private let filter: ViewFilter
    private let interval: Duration
    private let store: (any ChangeJournal)?
    private let counters: BridgeCounters
    private let logger: Logger?
    private let clock = ContinuousClock()

    /// The highest sequence sent on this endpoint (what heartbeats report as `latest`); on a
    /// multi-source publisher, the highest bus position (held-journal position) sent.
    private(set) var lastSent: UInt64
    /// A multi-source publisher (§8.7.1): changes of many sources, each with its own heartbeat.
    private let multiSource: Bool
    /// Per source (multi-source only): the highest sequence sent and the oldest available.
    private var sourceLatest: [SourceID: UInt64] = [:]
    private var sourceOldest: [SourceID: UInt64] = [:]
    /// Sources sent since the last heartbeat (multi-source only): a burst's end reports them.
    private var sentSources: Set<SourceID> = []
    private var oldest: UInt64
    private var lastHeartbeat: ContinuousClock.Instant
    private var lastEvent: ContinuousClock.Instant
    private var sentSinceHeartbeat = false
    private var lastOldestRefresh: ContinuousClock.Instant
    private var closed = false
    private var sinceHousekeeping = 0
    /// `false` once ``run(_:)`` has returned: nothing more will be sent.
    private var running = true
    /// Callers of ``waitUntilSent(_:deadline:)``, resumed from ``send`` (the sequence was sent),
    /// ``tick()`` (their deadline passed) or the end of ``run(_:)`` and ``close(linger:)``.
    private var drainWaiters: [(target: UInt64, deadline: ContinuousClock.Instant, continuation: CheckedContinuation<Void, Never>)] = []
    /// The lowest target of ``drainWaiters`` (`.max` when there is none): one comparison per event.
    private var drainTarget: UInt64 = .max

    /// `watchHandshakes`: the endpoint's name, to log clients failing the CURVE handshake (nil: not watched).
    /// `sources`: for a multi-source publisher, every source it holds (its own among them) with
    /// its latest and oldest sequence; `nil` for a publisher of its own source only.
    init(socket: sending Socket, watchHandshakes: String?, thread: SocketThread, source: SourceID, filter: ViewFilter, interval: Duration,
         store: (any ChangeJournal)?, lastSent: UInt64, oldest: UInt64, counters: BridgeCounters, logger: Logger?,
         sources: [SourceID: (latest: UInt64, oldest: UInt64)]? = nil) {
        self.multiSource = sources != nil
        for (id, value) in sources ?? [:] {
            sourceLatest[id] = value.latest
            sourceOldest[id] = value.oldest
        }
        self.thread = thread
        self.watch = watchHandshakes.flatMap { try? HandshakeWatch(socket, endpoint: $0) }
        self.socket = socket
        self.encoder = EventEncoder(source: source)
        self.filter = filter
        self.interval = interval
        self.store = store
        self.lastSent = lastSent
        self.oldest = oldest
        self.counters = counters
        self.logger = logger
        let now = ContinuousClock().now
        self.lastHeartbeat = now - interval
        self.lastEvent = now
        self.lastOldestRefresh = now
    }

    deinit { thread.stop() }

    /// Sends every change the subscription yields until it ends (bus shut down or cancelled).
    func run(_ subscription: ChangeBus<CommittedChange>.Subscription) async {
        var iterator = subscription.makeAsyncIterator()
        do {
            // `next(isolation:)` keeps the pump on its own thread between elements (the plain
            // `next()` would hop to the global pool and back for every change).
            while let element = try await iterator.next(isolation: self) {
                switch element {
                case .change(let position, let committed):
                    send(committed, position: position)
                case .missed(let range):
                    counters.add(.dropped, Int(clamping: range.count))
                    await resend(range)
                }
                sinceHousekeeping &+= 1
                if sinceHousekeeping >= 64 {
                    sinceHousekeeping = 0
                    housekeeping()
                }
            }
        } catch {
            logger?.error("bridge publisher: the bus ended the publisher's subscription", metadata: ["error": "\(error)"])
        }
        running = false
        resumeDrainWaiters(all: true)
    }

    /// Returns once every sequence up to `target` has been sent, or at `deadline`, or when the
    /// pump stops sending (its subscription ended or it was closed) — whichever comes first.
    /// Woken by the pump itself: nobody polls.
    func waitUntilSent(_ target: UInt64, deadline: ContinuousClock.Instant) async {
        guard running, !closed, lastSent < target, clock.now < deadline else { return }
        await withCheckedContinuation { continuation in
            drainWaiters.append((target, deadline, continuation))
            drainTarget = min(drainTarget, target)
        }
    }

    private func resumeDrainWaiters(all: Bool = false) {
        guard !drainWaiters.isEmpty else { return }
        let now = clock.now
        var waiting: [(target: UInt64, deadline: ContinuousClock.Instant, continuation: CheckedContinuation<Void, Never>)] = []
        for waiter in drainWaiters {
            if all || lastSent >= waiter.target || now >= waiter.deadline { waiter.continuation.resume() } else { waiting.append(waiter) }
        }
        drainWaiters = waiting
        drainTarget = waiting.map(\.target).min() ?? .max
    }

    /// Called every few milliseconds: heartbeats and subscription notices.
    func tick() async {
        resumeDrainWaiters()  // those whose deadline passed
        housekeeping()
        if let store, !multiSource, clock.now - lastOldestRefresh >= interval {
            lastOldestRefresh = clock.now
            if let value = try? await store.oldestAvailableSequence() { oldest = value }
        }
    }

    /// Sends a last heartbeat and closes the socket, letting queued messages go out for up to `linger`.
    func close(linger: Duration) {
        guard !closed else { return }
        heartbeat()
        try? socket?.set(.linger, linger)
        closed = true
        socket = nil  // zmq_close: queued messages leave within `linger`
        resumeDrainWaiters(all: true)
    }

    private func send(_ committed: CommittedChange, position: UInt64) {
        guard !closed else { return }
        // The change's fields are read where they are (a local copy of the change would retain each of its parts).
        send(source: committed.source, position: multiSource ? position : committed.sequence, sequence: committed.sequence, changeID: committed.changeID,
             time: committed.time, type: committed.change.recordType, kind: committed.change.kind, subject: committed.change.recordID,
             prepared: filter.prepare(committed.change, encoded: committed.encoded))
    }

    private func send(source: SourceID, position: UInt64, sequence: UInt64, changeID: UUID, time: Date, type: RecordType, kind: ChangeKind,
                      subject: String, prepared: ViewFilter.Prepared) {
        guard let socket else { return }
        if multiSource && encoder.source != source { encoder.source = source }
        do {
            switch prepared {
            case .data(let data):
                encoder.event(sequence: sequence, changeID: changeID, time: time, type: type, kind: kind, subject: subject, view: filter.view)
                try socket.send(frame: BridgeProtocol.topicBytes[BridgeProtocol.topicIndex(type, kind)], more: true)
                try socket.send(frame: encoder.bytes, more: true)
                try socket.send(frame: data)
                counters.add(.events)
            case .withheld(let reason):
                encoder.withheld(sequence: sequence, reason: reason)
                try socket.send(frame: Self.withheldTopic, more: true)
                try socket.send(frame: encoder.bytes)
                counters.add(.withheld)
                if reason == .tooLarge {
                    logger?.error("bridge publisher: a change is too large for the wire; sent a withheld marker",
                                  metadata: ["sequence": "\(sequence)"])
                }
            }
        } catch {
            logger?.error("bridge publisher: send failed", metadata: ["sequence": "\(sequence)", "error": "\(error)"])
        }
        lastSent = max(lastSent, position)
        if multiSource {
            if sequence > sourceLatest[source] ?? 0 { sourceLatest[source] = sequence }
            if sourceOldest[source] == nil { sourceOldest[source] = sequence }
            sentSources.insert(source)
        }
        lastEvent = clock.now
        sentSinceHeartbeat = true
        if lastSent >= drainTarget { resumeDrainWaiters() }
    }

    /// The bus dropped `range` for this publisher (it fell `backlog` behind): send it from the journal.
    private func resend(_ range: ClosedRange<UInt64>) async {
        guard let store else {
            logger?.error("bridge publisher: fell behind the bus and has no store to re-read from; subscribers will see a gap they cannot repair",
                          metadata: ["from": "\(range.lowerBound)", "through": "\(range.upperBound)"])
            return
        }
        if multiSource { return await resendHeld(range, from: store) }
        var next = range.lowerBound
        while next <= range.upperBound && !closed {
            let entries: [JournalEntry]
            do { entries = try await store.journal(from: next, limit: 1024) } catch {
                logger?.error("bridge publisher: could not re-read changes from the journal",
                              metadata: ["from": "\(next)", "through": "\(range.upperBound)", "error": "\(error)"])
                return
            }
            guard !entries.isEmpty else { return }
            for entry in entries where entry.sequence <= range.upperBound { send(entry, position: entry.sequence) }
            next = entries.last!.sequence + 1
        }
    }

    /// ``resend(_:)`` of a multi-source publisher: `range` is of held-journal positions.
    private func resendHeld(_ range: ClosedRange<UInt64>, from store: any ChangeJournal) async {
        var next = range.lowerBound
        while next <= range.upperBound && !closed {
            let held: [(position: UInt64, entry: JournalEntry)]
            do { held = try await store.heldJournal(fromPosition: next, limit: 1024) } catch {
                logger?.error("bridge publisher: could not re-read held changes",
                              metadata: ["from": "\(next)", "through": "\(range.upperBound)", "error": "\(error)"])
                return
            }
            guard !held.isEmpty else { return }
            for (position, entry) in held where position <= range.upperBound { send(entry, position: position) }
            next = held.last!.position + 1
        }
    }

    private func send(_ entry: JournalEntry, position: UInt64) {
        guard let item = JournalItem(entry) else { return }
        send(source: entry.source, position: position, sequence: entry.sequence, changeID: entry.changeID, time: entry.time, type: item.type, kind: item.kind,
             subject: entry.recordID, prepared: item.prepare(entry, filter))
    }

    private func housekeeping() {
        guard !closed, let socket else { return }
        watch?.drain(counters, logger)
        var subscribedToHeartbeats = false
        // XPUB subscription messages: 0x01 + prefix to subscribe, 0x00 + prefix to unsubscribe.
        while let message = try? socket.tryReceive() {
            guard let frame = message.first, frame.first == 1 else { continue }
            let prefix = frame.dropFirst()
            if Self.heartbeatTopic.starts(with: prefix) { subscribedToHeartbeats = true }
        }
        let now = clock.now
        if subscribedToHeartbeats || now - lastHeartbeat >= interval {
            heartbeat()
        } else if sentSinceHeartbeat && now - lastEvent >= .milliseconds(50) {
            heartbeat(burstOnly: true)
        }
    }

    /// Sends the heartbeat (§5.5); a multi-source publisher sends one per source it holds, or
    /// (`burstOnly`, at the end of a burst) one per source it sent changes of since the last (§8.7.1).
    private func heartbeat(burstOnly: Bool = false) {
        guard !closed, let socket else { return }
        let now = Date()
        do {
            if multiSource {
                let sources = burstOnly ? Array(sentSources) : Array(sourceLatest.keys)
                for source in sources {
                    let latest = sourceLatest[source] ?? 0
                    encoder.source = source
                    encoder.heartbeat(latest: latest, oldest: sourceOldest[source] ?? latest + 1, now: now, interval: interval, view: filter.view)
                    try socket.send(frame: Self.heartbeatTopic, more: true)
                    try socket.send(frame: encoder.bytes)
                    counters.add(.heartbeats)
                }
                sentSources.removeAll(keepingCapacity: true)
            } else {
                let available = store == nil ? lastSent + 1 : oldest
                encoder.heartbeat(latest: lastSent, oldest: available, now: now, interval: interval, view: filter.view)
                try socket.send(frame: Self.heartbeatTopic, more: true)
                try socket.send(frame: encoder.bytes)
                counters.add(.heartbeats)
            }
        } catch {
            logger?.error("bridge publisher: heartbeat failed", metadata: ["error": "\(error)"])
        }
        // A burst's heartbeats cover only the sources of the burst: the others keep their interval.
        if !(multiSource && burstOnly) { lastHeartbeat = clock.now }
        sentSinceHeartbeat = false
    }

    private static let heartbeatTopic = Array(BridgeProtocol.heartbeatTopic.utf8)
    private static let withheldTopic = Array(BridgeProtocol.withheldTopic.utf8)
}

/// A journal entry's record type and kind, and its data prepared for a view.
struct JournalItem {
    let type: RecordType
    let kind: ChangeKind

    init?(_ entry: JournalEntry) {
        guard let type = RecordType(rawValue: entry.recordType) else { return nil }
        self.type = type
        self.kind = entry.kind
    }

    func prepare(_ entry: JournalEntry, _ filter: ViewFilter) -> ViewFilter.Prepared {
        filter.prepare(type: type, journal: entry.payload)
    }
}
