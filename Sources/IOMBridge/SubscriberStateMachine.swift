import IOMDomain

/// Every ordering decision of a bridge subscriber (`Protocols/bridge.md` §7–§9), with no
/// sockets, threads or clocks: deduplication, gap detection, the lost tail, the reorder buffer,
/// repair requests and their time-outs, the snapshot join, a publisher that went back, and a
/// change that can never be delivered.
///
/// The subscriber's socket loop (``SubscriberLoop``) is a thin shell around it: it decodes what
/// arrives, feeds it in as inputs (``event(source:sequence:item:size:upstream:now:replayed:)``,
/// ``heartbeat(source:latest:interval:upstream:now:)``, the reply inputs, ``tick(now:)``) and then
/// carries out what the machine decided, in order: deliver ``deliveries`` to the bus in one batch,
/// send the requests and report the statuses of ``actions``. The machine never waits, sends or
/// reads a clock; time is an input.
///
/// `Payload` is what is delivered (a ``IOMChanges/CommittedChange`` in the bridge); tests drive
/// the machine with plain values.
struct SubscriberStateMachine<Payload> {
    /// What one sequence number of a source carries.
    enum Item {
        /// A change to deliver.
        case change(Payload)
        /// A sequence consumed without a delivery: withheld from this subscriber (§5.6) or of a
        /// record type this version does not know (§11.1).
        case skip
    }

    /// A decision for the shell to carry out.
    enum Action: Equatable {
        /// Send `REPLAY from..to` (`to` nil: through the latest) with `request` as its id.
        case requestReplay(upstream: Int, request: UInt64, from: UInt64, to: UInt64?)
        /// Send `SNAPSHOT` with `request` as its id.
        case requestSnapshot(upstream: Int, request: UInt64)
        /// Send `CREDIT add=1` for `request` (a chunk of its answer was consumed).
        case grantCredit(upstream: Int, request: UInt64)
        /// Tell the application.
        case status(SubscriberStatus)
        /// Nothing came from `upstream` for its dead-publisher period.
        case unreachable(upstream: Int)
        /// Messages come from `upstream` again.
        case reachable(upstream: Int)
        /// A repair or join cannot be asked for: the upstream has no sync endpoint.
        case cannotRepair(upstream: Int)
        /// A sync request was refused with an `ERROR` the machine cannot act on (logged).
        case refused(command: String, code: String, message: String)
        /// `source` cannot deliver `sequence` and never will: the subscription must end with
        /// this failure instead of waiting for it for ever.
        case fail(source: SourceID, sequence: UInt64, reason: String)
    }

    /// Counters the machine keeps as plain integers; the shell adds them to the shared
    /// atomic counters once per batch.
    struct Counts: Equatable {
        var duplicates = 0
        var gapsDetected = 0
        var changesRepaired = 0
        var dropped = 0
        var withheld = 0
        var heartbeats = 0
        var replays = 0
        var snapshots = 0
        var errors = 0
        var stuck = 0
    }

    /// The machine's settings (from ``SubscriberConfiguration``).
    struct Settings {
        var start: SubscriberConfiguration.Start
        /// Sources resumed after a known sequence, whatever `start` says (a hub's stored positions).
        var resume: [SourceID: UInt64] = [:]
        /// Which upstreams have a sync endpoint (one entry per upstream).
        var hasSync: [Bool]
        var reorderLimit: Int
        var reorderByteLimit = 64 << 20
        var requestTimeout: Duration
        var deadAfterIntervals: Int
        /// Replays in a row that end without delivering the next missing sequence, although
        /// the publisher says it has it, before that sequence is declared undeliverable.
        var fruitlessRepairLimit = 3
    }

    /// What a sync reply's request id belongs to.
    enum ReplyTarget: Equatable {
        /// The snapshot join of that upstream.
        case join
        /// The repair of that source.
        case replay(SourceID)
    }

    private struct Upstream {
        var lastMessage: ContinuousClock.Instant
        var interval: Duration = .seconds(1)
        var unreachable = false
        /// The join in progress: its request id and when it was sent or last answered.
        var join: (request: UInt64, sent: ContinuousClock.Instant)?
        /// Sources met on this upstream before the join finished.
        var joiningSources: [SourceID] = []
    }

    private struct Source {
        let id: SourceID
        let upstream: Int
        /// The last sequence delivered (or skipped); `nil` before a `.now` start knows where it is.
        var delivered: UInt64?
        var buffer: [UInt64: (item: Item, size: Int)] = [:]
        var bufferBytes = 0
        var latestHeard: UInt64 = 0
        var replay: (request: UInt64, sent: ContinuousClock.Instant, deliveredAtRequest: UInt64)?
        var waitingForJoin = false
        var failed = false
        var fruitlessRepairs = 0
    }

    private let settings: Settings
    private var upstreams: [Upstream]
    private var sources: [Source] = []
    private var index: [SourceID: Int] = [:]
    /// The source looked up last: consecutive changes almost always come from one source.
    private var lastLookup: (id: SourceID, index: Int)?
    private var nextRequest: UInt64 = 0

    /// Changes to deliver, in order; the shell takes them with ``takeEffects(_:)``.
    private(set) var deliveries: [Payload] = []
    /// Decisions other than deliveries, in the order they were made.
    private(set) var actions: [Action] = []
    /// Counters since the last ``takeEffects(_:)``.
    private(set) var counts = Counts()

    init(settings: Settings, now: ContinuousClock.Instant) {
        self.settings = settings
        upstreams = settings.hasSync.map { _ in Upstream(lastMessage: now) }
        deliveries.reserveCapacity(1024)
    }

    // MARK: Inputs

    /// Starts: a `.snapshot` start asks every upstream for its snapshot.
    mutating func start(now: ContinuousClock.Instant) {
        guard case .snapshot = settings.start else { return }
        for upstream in upstreams.indices { requestSnapshot(upstream, now: now) }
    }

    /// Something arrived from `upstream` (any message or reply): it is alive.
    mutating func heard(from upstream: Int, now: ContinuousClock.Instant) {
        upstreams[upstream].lastMessage = now
        if upstreams[upstream].unreachable {
            upstreams[upstream].unreachable = false
            actions.append(.reachable(upstream: upstream))
        }
    }

    /// Sequence `sequence` of `source`, from the events socket or (`replayed`) from a replay.
    /// `size` is what it costs the reorder buffer when it has to wait there.
    mutating func event(source id: SourceID, sequence: UInt64, item: consuming Item, size: Int, upstream: Int,
                        now: ContinuousClock.Instant, replayed: Bool = false) {
        let s = lookup(id, upstream: upstream)
        if sources[s].failed { return }
        if sources[s].waitingForJoin {
            buffer(s, sequence, item, size)
            return
        }
        let delivered: UInt64
        if let d = sources[s].delivered {
            delivered = d
        } else {
            delivered = sequence - 1  // `.now`: start with the first change received
            sources[s].delivered = delivered
        }
        if sequence <= delivered {
            counts.duplicates += 1
        } else if sequence == delivered + 1 {
            deliver(s, sequence, item, repaired: replayed)
            drainBuffer(s)
        } else {
            buffer(s, sequence, item, size)
            if sources[s].replay == nil { counts.gapsDetected += 1 }
            requestReplay(s, from: delivered + 1, to: sequence - 1, now: now)
        }
    }

    /// A heartbeat of `source` (§5.5): `latest` is the publisher's last sequence.
    mutating func heartbeat(source id: SourceID, latest: UInt64, interval: Duration?, upstream: Int,
                            now: ContinuousClock.Instant) {
        counts.heartbeats += 1
        if let interval { upstreams[upstream].interval = interval }
        let s = lookup(id, upstream: upstream)
        sources[s].latestHeard = max(sources[s].latestHeard, latest)
        if sources[s].waitingForJoin || sources[s].failed { return }
        guard let delivered = sources[s].delivered else {
            sources[s].delivered = latest  // `.now`: nothing before this point is wanted
            return
        }
        // Lost tail (§7.2), unless a repair is already under way.
        if latest > delivered && sources[s].replay == nil {
            counts.gapsDetected += 1
            requestReplay(s, from: delivered + 1, to: nil, now: now)
        }
    }

    /// What the sync reply with `request` answers on `upstream`; `nil` for a late reply to a
    /// request given up on (ignore it).
    func target(ofReply request: UInt64, upstream: Int) -> ReplyTarget? {
        if upstreams[upstream].join?.request == request { return .join }
        if let source = sources.first(where: { $0.upstream == upstream && $0.replay?.request == request }) {
            return .replay(source.id)
        }
        return nil
    }

    /// A `CHANGES` chunk of the replay `request` was consumed (its items went in through
    /// ``event(source:sequence:item:size:upstream:now:replayed:)`` with `replayed: true`).
    mutating func replayChunk(request: UInt64, upstream: Int, now: ContinuousClock.Instant) {
        guard let s = replaying(request, upstream) else { return }
        sources[s].replay!.sent = now
        actions.append(.grantCredit(upstream: upstream, request: request))
    }

    /// An item of the replay `request` could not be decoded although it comes from the
    /// publisher's journal: the next sequence of that source can never be delivered.
    mutating func replayItemUndeliverable(request: UInt64, upstream: Int, reason: String) {
        guard let s = replaying(request, upstream), let delivered = sources[s].delivered else { return }
        fail(s, sequence: delivered + 1, reason: "the publisher's journal gives it undecodable (\(reason))")
    }

    /// `END` of the replay `request` (§9.4). `latest` is the publisher's last sequence,
    /// `through` the last one this answer covered and `more` whether the answer was cut short.
    mutating func replayEnded(request: UInt64, upstream: Int, latest: UInt64?, through: UInt64?, more: Bool,
                              now: ContinuousClock.Instant) {
        guard let s = replaying(request, upstream) else { return }
        let replay = sources[s].replay!
        sources[s].replay = nil
        guard let delivered = sources[s].delivered else { return }
        if let latest {
            sources[s].latestHeard = max(sources[s].latestHeard, latest)
            if latest < delivered {
                actions.append(.status(.rewound(source: sources[s].id, latest: latest, delivered: delivered)))
            }
        }
        if more, let through, through < UInt64.max - 1 {
            requestReplay(s, from: max(through, delivered) + 1, to: nil, now: now)
            return
        }
        // An answer that gave nothing although the publisher has the next sequence.
        if delivered == replay.deliveredAtRequest && (latest ?? sources[s].latestHeard) > delivered {
            sources[s].fruitlessRepairs += 1
            if sources[s].fruitlessRepairs >= settings.fruitlessRepairLimit {
                fail(s, sequence: delivered + 1, reason: "the publisher reports sequence \(latest ?? sources[s].latestHeard) "
                     + "but \(sources[s].fruitlessRepairs) replays in a row did not return sequence \(delivered + 1)")
                return
            }
        } else {
            sources[s].fruitlessRepairs = 0
        }
        afterRepair(s, now: now)
    }

    /// `ERROR` for the replay `request` (§9.7). `oldest` comes with `PRUNED`.
    mutating func replayFailed(request: UInt64, upstream: Int, code: String, message: String, oldest: UInt64?,
                               now: ContinuousClock.Instant) {
        guard let s = replaying(request, upstream) else { return }
        counts.errors += 1
        sources[s].replay = nil
        if code == "PRUNED", let oldest, let delivered = sources[s].delivered, oldest > delivered + 1 {
            // §8.4: what was pruned cannot come back; report it and continue from the oldest kept.
            actions.append(.status(.lost(source: sources[s].id, range: (delivered + 1)...(oldest - 1))))
            sources[s].delivered = oldest - 1
            drainBuffer(s)
            afterRepair(s, now: now)
        } else {
            actions.append(.refused(command: "REPLAY", code: code, message: message))
        }
    }

    /// A `RECORDS` chunk of `upstream`'s join was consumed.
    mutating func joinChunk(upstream: Int, now: ContinuousClock.Instant) {
        guard let join = upstreams[upstream].join else { return }
        upstreams[upstream].join!.sent = now
        actions.append(.grantCredit(upstream: upstream, request: join.request))
    }

    /// `END` of `upstream`'s snapshot (§8.3): `source` is at `sequence`. Sources met on that
    /// upstream during the join continue: `source` after `sequence`, the others from their start.
    mutating func joinEnded(upstream: Int, source id: SourceID, sequence: UInt64, records: Int, now: ContinuousClock.Instant) {
        guard upstreams[upstream].join != nil else { return }
        upstreams[upstream].join = nil
        actions.append(.status(.joined(source: id, sequence: sequence, records: records)))
        var joined = upstreams[upstream].joiningSources
        upstreams[upstream].joiningSources = []
        if !joined.contains(id) { joined.append(id) }
        for member in joined {
            let s = lookup(member, upstream: upstream)
            sources[s].waitingForJoin = false
            sources[s].delivered = member == id ? sequence : 0
            drainBuffer(s)
            afterRepair(s, now: now)
        }
    }

    /// `ERROR` for `upstream`'s snapshot: its sources continue from the beginning.
    mutating func joinFailed(upstream: Int, code: String, message: String, now: ContinuousClock.Instant) {
        guard upstreams[upstream].join != nil else { return }
        counts.errors += 1
        actions.append(.refused(command: "SNAPSHOT", code: code, message: message))
        upstreams[upstream].join = nil
        let joined = upstreams[upstream].joiningSources
        upstreams[upstream].joiningSources = []
        for member in joined {
            let s = lookup(member, upstream: upstream)
            sources[s].waitingForJoin = false
            sources[s].delivered = 0
            drainBuffer(s)
            afterRepair(s, now: now)
        }
    }

    /// Time passed: silent upstreams, unanswered joins and replays.
    mutating func tick(now: ContinuousClock.Instant) {
        for u in upstreams.indices {
            let silentFor = now - upstreams[u].lastMessage
            if !upstreams[u].unreachable && silentFor > upstreams[u].interval * settings.deadAfterIntervals {
                upstreams[u].unreachable = true
                actions.append(.unreachable(upstream: u))
            }
            if let join = upstreams[u].join, now - join.sent > settings.requestTimeout {
                requestSnapshot(u, now: now)
            }
        }
        for s in sources.indices {
            guard let replay = sources[s].replay, now - replay.sent > settings.requestTimeout else { continue }
            sources[s].replay = nil
            if let delivered = sources[s].delivered { requestReplay(s, from: delivered + 1, to: nil, now: now) }
        }
    }

    // MARK: Effects

    /// Hands the deliveries, actions and counts decided so far to `body` and clears them
    /// (keeping their storage).
    mutating func takeEffects(_ body: (_ deliveries: [Payload], _ actions: [Action], _ counts: Counts) throws -> Void) rethrows {
        defer {
            deliveries.removeAll(keepingCapacity: true)
            actions.removeAll(keepingCapacity: true)
            counts = Counts()
        }
        try body(deliveries, actions, counts)
    }

    /// Whether anything waits in ``deliveries``, ``actions`` or ``counts``.
    var hasEffects: Bool { !deliveries.isEmpty || !actions.isEmpty || counts != Counts() }

    /// The last sequence of `source` delivered or skipped.
    func delivered(_ source: SourceID) -> UInt64? {
        index[source].flatMap { sources[$0].delivered }
    }

    /// How many sequences of `source` wait in the reorder buffer.
    func buffered(_ source: SourceID) -> Int {
        index[source].map { sources[$0].buffer.count } ?? 0
    }

    // MARK: Decisions

    private mutating func lookup(_ id: SourceID, upstream: Int) -> Int {
        if let last = lastLookup, last.id == id { return last.index }
        if let found = index[id] {
            lastLookup = (id, found)
            return found
        }
        var state = Source(id: id, upstream: upstream)
        if let resumed = settings.resume[id] {
            state.delivered = resumed
            sources.append(state)
            index[id] = sources.count - 1
            lastLookup = (id, sources.count - 1)
            return sources.count - 1
        }
        switch settings.start {
        case .now: state.delivered = nil
        case .beginning: state.delivered = 0
        case .after(let sequence, let source): state.delivered = (source == nil || source == id) ? sequence : 0
        case .snapshot:
            if upstreams[upstream].join != nil {
                state.waitingForJoin = true
                upstreams[upstream].joiningSources.append(id)
            } else {
                state.delivered = 0  // a source met after the join: everything it has
            }
        }
        sources.append(state)
        index[id] = sources.count - 1
        lastLookup = (id, sources.count - 1)
        return sources.count - 1
    }

    private func replaying(_ request: UInt64, _ upstream: Int) -> Int? {
        sources.firstIndex { $0.upstream == upstream && $0.replay?.request == request }
    }

    private mutating func deliver(_ s: Int, _ sequence: UInt64, _ item: consuming Item, repaired: Bool) {
        sources[s].delivered = sequence
        switch consume item {
        case .change(let payload):
            deliveries.append(payload)
            if repaired { counts.changesRepaired += 1 }
        case .skip:
            counts.withheld += 1
        }
    }

    /// Delivers what the buffer holds right after `delivered`, and forgets what it holds at or
    /// below it (duplicates after a join, a skip or a loss).
    private mutating func drainBuffer(_ s: Int) {
        guard !sources[s].buffer.isEmpty, var next = sources[s].delivered.map({ $0 + 1 }) else { return }
        while let entry = sources[s].buffer.removeValue(forKey: next) {
            sources[s].bufferBytes -= entry.size
            deliver(s, next, entry.item, repaired: false)
            next += 1
        }
        let delivered = next - 1
        for key in sources[s].buffer.keys where key <= delivered {
            sources[s].bufferBytes -= sources[s].buffer.removeValue(forKey: key)!.size
        }
    }

    /// Keeps an early sequence until the ones before it arrive. Full: the newest is dropped
    /// (§8.2); a replay brings it back later.
    private mutating func buffer(_ s: Int, _ sequence: UInt64, _ item: consuming Item, _ size: Int) {
        guard sources[s].buffer[sequence] == nil else {
            counts.duplicates += 1
            return
        }
        sources[s].latestHeard = max(sources[s].latestHeard, sequence)
        if sources[s].buffer.count >= settings.reorderLimit || sources[s].bufferBytes > settings.reorderByteLimit {
            counts.dropped += 1
            guard let newest = sources[s].buffer.keys.max(), newest > sequence else { return }
            sources[s].bufferBytes -= sources[s].buffer.removeValue(forKey: newest)!.size
        }
        sources[s].buffer[sequence] = (item, size)
        sources[s].bufferBytes += size
    }

    private mutating func requestReplay(_ s: Int, from: UInt64, to: UInt64?, now: ContinuousClock.Instant) {
        guard sources[s].replay == nil, !sources[s].failed else { return }
        let upstream = sources[s].upstream
        guard settings.hasSync[upstream] else {
            actions.append(.cannotRepair(upstream: upstream))
            return
        }
        nextRequest += 1
        sources[s].replay = (nextRequest, now, sources[s].delivered ?? 0)
        counts.replays += 1
        actions.append(.requestReplay(upstream: upstream, request: nextRequest, from: from, to: to))
    }

    private mutating func requestSnapshot(_ upstream: Int, now: ContinuousClock.Instant) {
        guard settings.hasSync[upstream] else {
            actions.append(.cannotRepair(upstream: upstream))
            return
        }
        nextRequest += 1
        upstreams[upstream].join = (nextRequest, now)
        counts.snapshots += 1
        actions.append(.requestSnapshot(upstream: upstream, request: nextRequest))
    }

    /// After a repair: asks again if a hole remains before the buffer or before the latest heard.
    private mutating func afterRepair(_ s: Int, now: ContinuousClock.Instant) {
        guard let delivered = sources[s].delivered, !sources[s].failed, !sources[s].waitingForJoin else { return }
        if let first = sources[s].buffer.keys.min(), first > delivered + 1 {
            requestReplay(s, from: delivered + 1, to: first - 1, now: now)
        } else if sources[s].latestHeard > delivered {
            requestReplay(s, from: delivered + 1, to: nil, now: now)
        }
    }

    private mutating func fail(_ s: Int, sequence: UInt64, reason: String) {
        guard !sources[s].failed else { return }
        sources[s].failed = true
        sources[s].replay = nil
        sources[s].buffer = [:]
        sources[s].bufferBytes = 0
        counts.stuck += 1
        actions.append(.status(.stalled(source: sources[s].id, sequence: sequence, reason: reason)))
        actions.append(.fail(source: sources[s].id, sequence: sequence, reason: reason))
    }
}
