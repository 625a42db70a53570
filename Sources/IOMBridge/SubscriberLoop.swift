import ChangeBus
import Foundation
import IOMChanges
import IOMDomain
import IOMStore
import IOMWire
import Logging
import Synchronization
import ZeroMQ

/// Hooks a ``Replica`` uses to keep its read model, called on the subscriber's thread before
/// the changes reach the bus.
struct SubscriberHooks: Sendable {
    /// A snapshot of `source` at `sequence` replaces everything known of that source.
    var snapshot: @Sendable (_ source: SourceID, _ sequence: UInt64, _ records: [AnyRecord]) -> Void
    /// Changes about to be delivered, in order.
    var apply: @Sendable (_ changes: [CommittedChange]) -> Void
}

/// The subscriber's thread: SUB and DEALER sockets per upstream, per-source sequence state,
/// reorder buffer, gap repair and in-order delivery (`Protocols/bridge.md` §7–§9).
final class SubscriberLoop {
    private enum Item {
        case event(CommittedChange)
        case skip
        var size: Int { if case .event(let c) = self { c.encoded.count + 256 } else { 64 } }
    }

    private struct Upstream {
        let endpoint: SubscriberConfiguration.Upstream
        let sub: Socket
        let dealer: Socket?
        var lastMessage: ContinuousClock.Instant
        var interval: Duration = .seconds(1)
        var unreachable = false
        /// The join in progress (`.snapshot` start): request id, records so far, when sent.
        var join: (id: [UInt8], records: [AnyRecord], sent: ContinuousClock.Instant)?
        /// Sources met on this upstream before the join finished.
        var joiningSources: Set<SourceID> = []
    }

    private struct Source {
        let upstream: Int
        var delivered: UInt64?
        var buffer: [UInt64: Item] = [:]
        var bufferBytes = 0
        var latestHeard: UInt64 = 0
        var replay: (id: [UInt8], sent: ContinuousClock.Instant, from: UInt64)?
        var waitingForJoin = false
        var stalled = false
    }

    private let configuration: SubscriberConfiguration
    private let bus: ChangeBus<CommittedChange>
    private let hooks: SubscriberHooks?
    private let counters: BridgeCounters
    private let stopFlag: StopFlag
    private let deliveredMap: DeliveredMap
    private let status: AsyncStream<SubscriberStatus>.Continuation
    private var upstreams: [Upstream]
    private var sources: [SourceID: Source] = [:]
    private var requestCounter: UInt64 = 0
    private var batch: [CommittedChange] = []
    private var paramsWriter = AttributesWriter()
    /// Messages received together from one events socket, decoded as a batch; the slots (and
    /// their attribute buffers) are reused.
    private var received: [Received] = []
    private let workers: DecodeWorkers?
    private var lastLog: [String: ContinuousClock.Instant] = [:]
    private let clock = ContinuousClock()

    init(configuration: SubscriberConfiguration, sockets: [(Socket, Socket?)], bus: ChangeBus<CommittedChange>,
         hooks: SubscriberHooks?, counters: BridgeCounters, stopFlag: StopFlag, delivered: DeliveredMap,
         status: AsyncStream<SubscriberStatus>.Continuation) {
        self.configuration = configuration
        self.bus = bus
        self.hooks = hooks
        self.counters = counters
        self.stopFlag = stopFlag
        self.deliveredMap = delivered
        self.status = status
        let now = ContinuousClock().now
        upstreams = zip(configuration.upstreams, sockets).map { endpoint, pair in
            Upstream(endpoint: endpoint, sub: pair.0, dealer: pair.1, lastMessage: now)
        }
        received = (0..<Self.receiveBatch).map { _ in Received() }
        batch.reserveCapacity(1024)
        workers = configuration.decodeThreads > 0 ? DecodeWorkers(count: configuration.decodeThreads, name: "iom.bridge.decode") : nil
    }

    func run() {
        if configuration.start == .snapshot {
            for index in upstreams.indices { requestSnapshot(index) }
        }
        var poller = Poller()
        var subIndex: [Int] = [], dealerIndex: [Int?] = []
        for upstream in upstreams {
            subIndex.append(poller.add(upstream.sub, for: .readable))
            dealerIndex.append(upstream.dealer.map { poller.add($0, for: .readable) })
        }
        var lastTimers = clock.now
        while !stopFlag.isStopped {
            do {
                _ = try poller.poll(timeout: .milliseconds(10))
                for index in upstreams.indices {
                    if poller.events(at: subIndex[index]).contains(.readable) { try drainEvents(index) }
                    if let d = dealerIndex[index], poller.events(at: d).contains(.readable) { try drainReplies(index) }
                }
                flush()
            } catch let error as ZMQError where error.isContextTerminated {
                break
            } catch {
                logRateLimited("loop", "bridge subscriber: \(error)")
            }
            let now = clock.now
            if now - lastTimers >= .milliseconds(50) {
                lastTimers = now
                timers(now)
            }
        }
        flush()
        workers?.stop()
        status.finish()
    }

    // MARK: Events endpoint

    /// One received events message, as read from the socket, and what decoding made of it.
    private struct Received {
        var topic: Result<EventDecoder.Topic, MalformedReason> = .failure(.topic)
        /// The attributes frame, copied into a buffer the slot keeps.
        var attributes: [UInt8] = []
        var data: [UInt8] = []
        var frames = 0
        var total = 0
        var decoded: Result<IncomingMessage?, MalformedReason> = .success(nil)
    }

    /// Messages read from a socket before they are decoded together.
    private static let receiveBatch = 128
    /// A batch is split between decoding threads only when each part gets at least this many.
    private static let minimumPart = 8

    /// Reads what the socket has (at most 4,096 messages), in batches: each batch is decoded,
    /// on several threads when it is large enough, then handled in the order it arrived.
    private func drainEvents(_ index: Int) throws {
        let socket = upstreams[index].sub
        var remaining = 4096
        while remaining > 0 {
            var count = 0
            // A receive error still lets the messages read before it be handled.
            var failure: (any Error)?
            do {
                while count < min(remaining, Self.receiveBatch), try Self.receive(socket, into: &received[count]) { count += 1 }
            } catch {
                failure = error
            }
            guard count > 0 else {
                if let failure { throw failure }
                return
            }
            remaining -= count
            upstreams[index].lastMessage = clock.now
            markReachable(index)
            decode(count)
            for i in 0..<count {
                let decoded = received[i].decoded
                received[i].decoded = .success(nil)
                received[i].data = []
                switch decoded {
                case .success(let message?): handle(message, upstream: index, fromReplay: false)
                case .success(nil): break
                case .failure(let reason): malformed(reason)
                }
            }
            if let failure { throw failure }
            if count < Self.receiveBatch { return }
        }
    }

    /// Reads one message into `slot`; false when the socket has none waiting.
    private static func receive(_ socket: Socket, into slot: inout Received) throws -> Bool {
        guard let topicResult = try socket.receiveFrame(wait: .never, { bytes, more in
            (Result { () throws(MalformedReason) in try EventDecoder.topic(bytes) }, more)
        }) else { return false }
        var (topic, more) = topicResult
        var frames = 1
        var total = 0
        slot.attributes.removeAll(keepingCapacity: true)
        slot.data = []
        while more {
            let frame = frames
            more = try socket.receiveFrame(wait: .forever) { bytes, more in
                total += bytes.count
                if frame == 1 {
                    if bytes.count <= BridgeProtocol.maximumAttributesSize { slot.attributes.append(contentsOf: bytes) } else { topic = .failure(.tooLarge) }
                } else if frame == 2 {
                    slot.data = Array(bytes)
                }
                return more
            }!
            frames += 1
        }
        slot.topic = topic
        slot.frames = frames
        slot.total = total
        return true
    }

    /// Decodes the first `count` received messages, split evenly between this thread and the
    /// decoding threads when each part gets at least ``minimumPart``; each part writes only
    /// its own slots.
    private func decode(_ count: Int) {
        let parts = max(1, workers.map { min($0.count + 1, count / Self.minimumPart) } ?? 1)
        received.withUnsafeMutableBufferPointer { buffer in
            let slots = SharedSlots(buffer: buffer)
            let decodePart = { @Sendable (part: Int) in
                for i in (count * part / parts)..<(count * (part + 1) / parts) {
                    // The same decoding the fuzzer drives (BridgeFuzzing.decodeEventsMessage).
                    let slot = slots.buffer[i]
                    slots.buffer[i].decoded = Result { () throws(MalformedReason) in
                        try EventDecoder.message(topic: slot.topic, attributes: slot.attributes, data: slot.data, frames: slot.frames, total: slot.total)
                    }
                }
            }
            if parts > 1, let workers { workers.run(parts: parts, decodePart) } else { decodePart(0) }
        }
    }

    private func handle(_ message: IncomingMessage, upstream: Int, fromReplay: Bool) {
        switch message {
        case .event(let change):
            receive(change.source, change.sequence, .event(change), upstream: upstream, fromReplay: fromReplay)
        case .skip(let source, let sequence):
            receive(source, sequence, .skip, upstream: upstream, fromReplay: fromReplay)
        case .heartbeat(let heartbeat):
            self.heartbeat(heartbeat, upstream: upstream)
        }
    }

    private func source(_ id: SourceID, upstream: Int) -> Source {
        if let existing = sources[id] { return existing }
        var state = Source(upstream: upstream)
        switch configuration.start {
        case .now: state.delivered = nil
        case .beginning: state.delivered = 0
        case .after(let sequence, let source): state.delivered = (source == nil || source == id) ? sequence : 0
        case .snapshot:
            if upstreams[upstream].join != nil {
                state.waitingForJoin = true
                upstreams[upstream].joiningSources.insert(id)
            } else {
                state.delivered = 0  // a source met after the join: everything it has
            }
        }
        return state
    }

    /// §8.2: deliver in order, drop duplicates, buffer and repair gaps.
    private func receive(_ id: SourceID, _ sequence: UInt64, _ item: Item, upstream: Int, fromReplay: Bool) {
        var state = source(id, upstream: upstream)
        defer { sources[id] = state }
        if state.waitingForJoin || state.stalled {
            buffer(&state, sequence, item)
            return
        }
        if state.delivered == nil { state.delivered = sequence - 1 }  // `.now`: start here
        let delivered = state.delivered!
        if sequence <= delivered {
            counters.add(.duplicates)
            return
        }
        if sequence == delivered + 1 {
            deliver(&state, sequence, item, repaired: fromReplay)
            drain(&state)
        } else {
            buffer(&state, sequence, item)
            counters.add(.gapsDetected)
            requestReplay(id, &state, from: delivered + 1, to: sequence - 1)
        }
    }

    private func buffer(_ state: inout Source, _ sequence: UInt64, _ item: Item) {
        guard state.buffer[sequence] == nil else { counters.add(.duplicates); return }
        // Full: drop the newest (§8.2); replay brings it back later.
        if state.buffer.count >= configuration.reorderLimit || state.bufferBytes > 64 << 20 {
            counters.add(.dropped)
            guard let newest = state.buffer.keys.max(), newest > sequence else { return }
            state.bufferBytes -= state.buffer.removeValue(forKey: newest)!.size
        }
        state.buffer[sequence] = item
        state.bufferBytes += item.size
        state.latestHeard = max(state.latestHeard, sequence)
    }

    private func deliver(_ state: inout Source, _ sequence: UInt64, _ item: Item, repaired: Bool) {
        state.delivered = sequence
        switch item {
        case .event(let change):
            batch.append(change)
            if repaired { counters.add(.changesRepaired) }
        case .skip:
            counters.add(.withheld)
        }
        if batch.count >= 1024 { flush() }
    }

    private func drain(_ state: inout Source) {
        guard !state.buffer.isEmpty else { return }
        while let next = state.buffer.removeValue(forKey: state.delivered! + 1) {
            state.bufferBytes -= next.size
            deliver(&state, state.delivered! + 1, next, repaired: false)
        }
        // Entries at or below `delivered` (after a join or a skip) are duplicates now.
        if !state.buffer.isEmpty {
            for key in state.buffer.keys where key <= state.delivered! {
                state.bufferBytes -= state.buffer.removeValue(forKey: key)!.size
            }
        }
    }

    private func heartbeat(_ heartbeat: Heartbeat, upstream: Int) {
        counters.add(.heartbeats)
        if let interval = heartbeat.interval { upstreams[upstream].interval = interval }
        var state = source(heartbeat.source, upstream: upstream)
        defer { sources[heartbeat.source] = state }
        state.latestHeard = max(state.latestHeard, heartbeat.latest)
        if state.waitingForJoin || state.stalled { return }
        guard let delivered = state.delivered else {
            state.delivered = heartbeat.latest  // `.now`: nothing before this point is wanted
            return
        }
        if heartbeat.latest > delivered {
            // Lost tail (§7.2), unless the events before the heartbeat are still being repaired.
            if state.replay == nil {
                counters.add(.gapsDetected)
                requestReplay(heartbeat.source, &state, from: delivered + 1, to: nil)
            }
        }
    }

    // MARK: Sync endpoint

    private func nextRequestID() -> [UInt8] {
        requestCounter += 1
        return Array(String(requestCounter).utf8)
    }

    private func requestSnapshot(_ index: Int) {
        guard let dealer = upstreams[index].dealer else {
            logRateLimited("nosync", "bridge subscriber: \(upstreams[index].endpoint.events) has no sync endpoint; cannot take a snapshot")
            return
        }
        let id = nextRequestID()
        upstreams[index].join = (id, [], clock.now)
        counters.add(.snapshots)
        send(dealer, "SNAPSHOT", id, [("chunk", 1024), ("credit", 8)])
    }

    private func requestReplay(_ id: SourceID, _ state: inout Source, from: UInt64, to: UInt64?) {
        guard state.replay == nil, let dealer = upstreams[state.upstream].dealer else { return }
        let request = nextRequestID()
        var params: [(StaticString, UInt64)] = [("from", from), ("chunk", 1024), ("credit", 8)]
        if let to { params.append(("to", to)) }
        state.replay = (request, clock.now, from)
        counters.add(.replays)
        send(dealer, "REPLAY", request, params)
    }

    /// Sends a sync request whose params are all numbers, written by the same
    /// ``AttributesWriter`` the publisher uses (§5.2).
    private func send(_ dealer: Socket, _ command: String, _ id: [UInt8], _ params: [(StaticString, UInt64)]) {
        paramsWriter.reset()
        for (name, value) in params { paramsWriter.add(name, text: String(value)) }
        do {
            _ = try dealer.send([Self.syncTag, Array(command.utf8), id, paramsWriter.bytes], timeout: .milliseconds(100))
        } catch {
            logRateLimited("sync-send", "bridge subscriber: could not send \(command): \(error)")
        }
    }

    private func drainReplies(_ index: Int) throws {
        guard let dealer = upstreams[index].dealer else { return }
        for _ in 0..<64 {
            guard let frames = try dealer.tryReceive() else { return }
            // A publisher answering sync requests is alive, even while a long replay keeps its
            // events quiet for this subscriber.
            upstreams[index].lastMessage = clock.now
            markReachable(index)
            // The same parsing the fuzzer drives (BridgeFuzzing.decodeSyncReply).
            let reply: EventDecoder.SyncReply
            do { reply = try EventDecoder.syncReply(frames) } catch { malformed(error); continue }
            let (kind, id, params) = (reply.kind, reply.id, reply.params)
            if let join = upstreams[index].join, join.id == id {
                joinReply(index, kind, params, reply.items)
                continue
            }
            guard let (sourceID, _) = sources.first(where: { $0.value.replay?.id == id && $0.value.upstream == index }) else {
                continue  // a late reply to a request given up on
            }
            replayReply(sourceID, index, kind, id, params, reply.items)
        }
    }

    private func joinReply(_ index: Int, _ kind: String, _ params: [String: String], _ items: [[UInt8]]) {
        guard let join = upstreams[index].join else { return }
        switch kind {
        case "RECORDS":
            var records = join.records
            for item in items {
                do { records.append(try WireCodec.decodeEnvelope(item)) } catch { malformed(.data) }
            }
            upstreams[index].join = (join.id, records, clock.now)
            if let dealer = upstreams[index].dealer { send(dealer, "CREDIT", join.id, [("add", 1)]) }
        case "END":
            guard let source = params["source"].flatMap(EventDecoder.sourceID), let sequence = AttributesParser.sequence(params["sequence"]) else {
                malformed(.reply)
                return
            }
            upstreams[index].join = nil
            hooks?.snapshot(source, sequence, join.records)
            status.yield(.joined(source: source, sequence: sequence, records: join.records.count))
            var joined = upstreams[index].joiningSources
            joined.insert(source)
            upstreams[index].joiningSources = []
            for id in joined {
                var state = sources[id] ?? Source(upstream: index)
                state.waitingForJoin = false
                state.delivered = id == source ? sequence : 0
                drain(&state)
                afterRepair(id, &state)
                sources[id] = state
            }
        case "ERROR":
            counters.add(.errors)
            logRateLimited("join", "bridge subscriber: snapshot refused: \(params["code"] ?? "?"): \(params["message"] ?? "")")
            upstreams[index].join = nil
            for id in upstreams[index].joiningSources {
                sources[id]?.waitingForJoin = false
                sources[id]?.delivered = 0
            }
            upstreams[index].joiningSources = []
        default:
            malformed(.reply)
        }
    }

    private func replayReply(_ id: SourceID, _ index: Int, _ kind: String, _ request: [UInt8], _ params: [String: String], _ items: [[UInt8]]) {
        switch kind {
        case "CHANGES":
            sources[id]?.replay?.sent = clock.now
            guard items.count % 2 == 0 else { malformed(.reply); return }
            var i = 0
            while i < items.count {
                let data = items[i + 1]
                do {
                    let message = try withBytes(items[i]) { (a) throws(MalformedReason) in
                        try EventDecoder.event(attributes: a, data: data, topicIndex: nil)
                    }
                    handle(message, upstream: index, fromReplay: true)
                } catch let reason {
                    malformed(reason)
                    // A change the journal itself cannot give correctly: stop delivering from this source.
                    if let state = sources[id], let d = state.delivered, state.replay != nil {
                        sources[id]?.stalled = true
                        status.yield(.stalled(source: id, sequence: d + 1))
                    }
                }
                i += 2
            }
            if let dealer = upstreams[index].dealer { send(dealer, "CREDIT", request, [("add", 1)]) }
        case "END":
            guard var state = sources[id] else { return }
            state.replay = nil
            if let latest = AttributesParser.sequence(params["latest"]), let d = state.delivered, latest < d {
                status.yield(.rewound(source: id, latest: latest, delivered: d))
            }
            if params["more"] == "1", let through = AttributesParser.sequence(params["through"]) {
                requestReplay(id, &state, from: through + 1, to: nil)
            } else {
                afterRepair(id, &state)
            }
            sources[id] = state
        case "ERROR":
            counters.add(.errors)
            guard var state = sources[id] else { return }
            state.replay = nil
            let code = params["code"] ?? "INTERNAL"
            if code == "PRUNED", let oldest = AttributesParser.sequence(params["oldest"]), let d = state.delivered, oldest > d + 1 {
                // §8.4: what was pruned cannot come back; report it and continue from the oldest kept.
                status.yield(.lost(source: id, range: (d + 1)...(oldest - 1)))
                state.delivered = oldest - 1
                drain(&state)
                afterRepair(id, &state)
            } else {
                logRateLimited("replay-\(code)", "bridge subscriber: replay refused: \(code): \(params["message"] ?? "")")
            }
            sources[id] = state
        default:
            malformed(.reply)
        }
    }

    /// After a repair: ask again if a hole remains before the buffer or before the latest heard.
    private func afterRepair(_ id: SourceID, _ state: inout Source) {
        guard let delivered = state.delivered, !state.stalled else { return }
        if let first = state.buffer.keys.min(), first > delivered + 1 {
            requestReplay(id, &state, from: delivered + 1, to: first - 1)
        } else if state.latestHeard > delivered {
            requestReplay(id, &state, from: delivered + 1, to: nil)
        }
    }

    // MARK: Timers, delivery, reporting

    private func timers(_ now: ContinuousClock.Instant) {
        for index in upstreams.indices {
            let silentFor = now - upstreams[index].lastMessage
            if !upstreams[index].unreachable && silentFor > upstreams[index].interval * configuration.deadAfterIntervals {
                upstreams[index].unreachable = true
                status.yield(.unreachable(endpoint: upstreams[index].endpoint.events))
                logRateLimited("dead-\(index)", "bridge subscriber: nothing from \(upstreams[index].endpoint.events) for \(silentFor); keeping state and waiting")
            }
            if let join = upstreams[index].join, now - join.sent > configuration.requestTimeout {
                requestSnapshot(index)
            }
        }
        for (id, var state) in sources {
            if let replay = state.replay, now - replay.sent > configuration.requestTimeout {
                state.replay = nil
                if let d = state.delivered { requestReplay(id, &state, from: d + 1, to: nil) }
                sources[id] = state
            }
        }
    }

    private func markReachable(_ index: Int) {
        guard upstreams[index].unreachable else { return }
        upstreams[index].unreachable = false
        status.yield(.reachable(endpoint: upstreams[index].endpoint.events))
    }

    private func flush() {
        guard !batch.isEmpty else { return }
        hooks?.apply(batch)
        // A full `.wait` subscriber holds delivery (and, behind it, the socket) until it makes
        // room or the subscriber stops; a shut-down bus takes nothing more.
        _ = try? bus.publishBlocking(contentsOf: batch) { stopFlag.isStopped }
        counters.add(.events, batch.count)
        deliveredMap.map.withLock { map in
            // The last change of each run from one source is enough: sequences only grow.
            for (i, change) in batch.enumerated() where i == batch.count - 1 || batch[i + 1].source != change.source {
                map[change.source] = change.sequence
            }
        }
        batch.removeAll(keepingCapacity: true)
    }

    private func malformed(_ reason: MalformedReason) {
        counters.malformed(reason)
        logRateLimited("malformed-\(reason)", "bridge subscriber: dropped a malformed message (\(reason))")
    }

    private func logRateLimited(_ key: String, _ message: @autoclosure () -> String) {
        guard let logger = configuration.logger else { return }
        let now = clock.now
        if let last = lastLog[key], now - last < .seconds(1) { return }
        lastLog[key] = now
        logger.warning("\(message())")
    }

    private static let syncTag = Array(BridgeProtocol.syncTag.utf8)
}
