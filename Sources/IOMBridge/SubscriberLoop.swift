import ChangeBus
import Foundation
import IOMChanges
import IOMDomain
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

/// The subscriber's thread: SUB and DEALER sockets per upstream, decoding, and delivery in
/// batches onto the bus. Every ordering decision (§7–§9) is ``SubscriberStateMachine``'s; this
/// loop only feeds it what arrives and carries out what it decides.
final class SubscriberLoop {
    private struct Upstream {
        let endpoint: SubscriberConfiguration.Upstream
        let sub: Socket
        let dealer: Socket?
        /// The snapshot records received so far, while a join is in progress.
        var joinRecords: [AnyRecord] = []
        /// Set when the publisher refused the `source` param (`BAD_REQUEST param=source`): one
        /// of an earlier version, with one source. Its REPLAYs are sent without it (§11.1).
        var omitsSource = false
    }

    private let configuration: SubscriberConfiguration
    private let bus: ChangeBus<CommittedChange>
    private let hooks: SubscriberHooks?
    private let counters: BridgeCounters
    private let stopFlag: StopFlag
    private let deliveredMap: DeliveredMap
    private let progress: UpstreamProgress?
    private let status: AsyncStream<SubscriberStatus>.Continuation
    private var upstreams: [Upstream]
    private var machine: SubscriberStateMachine<CommittedChange>
    private var paramsWriter = AttributesWriter()
    /// REPLAY requests decided by the machine, sent once its effects are taken.
    private var pendingReplays: [(upstream: Int, request: UInt64, from: UInt64, to: UInt64?)] = []
    /// Messages received together from one events socket, decoded as a batch; the slots (and
    /// their attribute buffers) are reused.
    private var received: [Received] = []
    private let workers: DecodeWorkers?
    private var lastLog: [String: ContinuousClock.Instant] = [:]
    private let clock = ContinuousClock()
    /// Set when a source cannot deliver a change: the loop ends and the bus fails.
    private var failure: String?

    init(configuration: SubscriberConfiguration, sockets: [(Socket, Socket?)], bus: ChangeBus<CommittedChange>,
         hooks: SubscriberHooks?, counters: BridgeCounters, stopFlag: StopFlag, delivered: DeliveredMap,
         status: AsyncStream<SubscriberStatus>.Continuation, progress: UpstreamProgress? = nil) {
        self.progress = progress
        self.configuration = configuration
        self.bus = bus
        self.hooks = hooks
        self.counters = counters
        self.stopFlag = stopFlag
        self.deliveredMap = delivered
        self.status = status
        upstreams = zip(configuration.upstreams, sockets).map { endpoint, pair in
            Upstream(endpoint: endpoint, sub: pair.0, dealer: pair.1)
        }
        machine = SubscriberStateMachine(
            settings: .init(start: configuration.start, resume: configuration.resume, hasSync: sockets.map { $0.1 != nil },
                            reorderLimit: configuration.reorderLimit, requestTimeout: configuration.requestTimeout,
                            deadAfterIntervals: configuration.deadAfterIntervals),
            now: ContinuousClock().now)
        received = (0..<Self.receiveBatch).map { _ in Received() }
        workers = configuration.decodeThreads > 0 ? DecodeWorkers(count: configuration.decodeThreads, name: "iom.bridge.decode") : nil
    }

    func run() {
        machine.start(now: clock.now)
        carryOut()
        var poller = Poller()
        var subIndex: [Int] = [], dealerIndex: [Int?] = []
        for upstream in upstreams {
            subIndex.append(poller.add(upstream.sub, for: .readable))
            dealerIndex.append(upstream.dealer.map { poller.add($0, for: .readable) })
        }
        var lastTimers = clock.now
        while !stopFlag.isStopped && failure == nil {
            do {
                _ = try poller.poll(timeout: .milliseconds(10))
                for index in upstreams.indices where failure == nil {
                    if poller.events(at: subIndex[index]).contains(.readable) { try drainEvents(index) }
                    if let d = dealerIndex[index], poller.events(at: d).contains(.readable) { try drainReplies(index) }
                }
            } catch let error as ZMQError where error.isContextTerminated {
                break
            } catch {
                logRateLimited("loop", "bridge subscriber: receive failed", ["error": "\(error)"])
            }
            let now = clock.now
            if now - lastTimers >= .milliseconds(50) {
                lastTimers = now
                machine.tick(now: now)
            }
            carryOut()
        }
        carryOut()
        workers?.stop()
        if let failure { bus.shutdown(failing: .producerFailed(failure)) }
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
    /// on several threads when it is large enough, then fed to the machine in the order it
    /// arrived; what it delivers goes to the bus once per batch.
    private func drainEvents(_ index: Int) throws {
        let socket = upstreams[index].sub
        var remaining = 4096
        while remaining > 0 && failure == nil {
            var count = 0
            // A receive error still lets the messages read before it be handled.
            var receiveError: (any Error)?
            do {
                while count < min(remaining, Self.receiveBatch), try Self.receive(socket, into: &received[count]) { count += 1 }
            } catch {
                receiveError = error
            }
            guard count > 0 else {
                if let receiveError { throw receiveError }
                return
            }
            remaining -= count
            let now = clock.now
            machine.heard(from: index, now: now)
            progress?.heard(from: index, at: now)
            decode(count)
            for i in 0..<count {
                // Moved out of the slot, not copied (a copy retains every part of the change).
                var decoded: Result<IncomingMessage?, MalformedReason> = .success(nil)
                swap(&decoded, &received[i].decoded)
                received[i].data = []
                switch consume decoded {
                case .success(let message?): handle(message, upstream: index, now: now, replayed: false)
                case .success(nil): break
                case .failure(let reason): malformed(reason)
                }
            }
            carryOut()
            if let receiveError { throw receiveError }
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

    private func handle(_ message: consuming IncomingMessage, upstream: Int, now: ContinuousClock.Instant, replayed: Bool) {
        switch consume message {
        case .event(let change):
            machine.event(source: change.source, sequence: change.sequence, item: .change(change),
                          size: change.encoded.count + 256, upstream: upstream, now: now, replayed: replayed)
        case .skip(let source, let sequence):
            machine.event(source: source, sequence: sequence, item: .skip, size: 64, upstream: upstream, now: now, replayed: replayed)
        case .heartbeat(let heartbeat):
            machine.heartbeat(source: heartbeat.source, latest: heartbeat.latest, interval: heartbeat.interval,
                              upstream: upstream, now: now)
            progress?.heartbeat(source: heartbeat.source, latest: heartbeat.latest, interval: heartbeat.interval, upstream: upstream)
        }
    }

    // MARK: Sync endpoint

    /// Sends a sync request whose params are all numbers, written by the same
    /// ``AttributesWriter`` the publisher uses (§5.2). Request ids are decimal numbers.
    /// `source` names the source a REPLAY is for (§8.7.1: a multi-source publisher serves several).
    private func send(_ upstream: Int, _ command: String, _ request: UInt64, _ params: [(StaticString, UInt64)], source: SourceID? = nil) {
        guard let dealer = upstreams[upstream].dealer else { return }
        paramsWriter.reset()
        for (name, value) in params { paramsWriter.add(name, text: String(value)) }
        if let source { paramsWriter.add("source", prefix: "urn:uuid:", uuid: source.uuid) }
        do {
            _ = try dealer.send([Self.syncTag, Array(command.utf8), Array(String(request).utf8), paramsWriter.bytes], timeout: .milliseconds(100))
        } catch {
            logRateLimited("sync-send", "bridge subscriber: could not send a sync request", ["command": "\(command)", "error": "\(error)"])
        }
    }

    private func drainReplies(_ index: Int) throws {
        guard let dealer = upstreams[index].dealer else { return }
        for _ in 0..<64 {
            guard failure == nil, let frames = try dealer.tryReceive() else { return }
            let now = clock.now
            // A publisher answering sync requests is alive, even while a long replay keeps its
            // events quiet for this subscriber.
            machine.heard(from: index, now: now)
            // The same parsing the fuzzer drives (BridgeFuzzing.decodeSyncReply).
            let reply: EventDecoder.SyncReply
            do { reply = try EventDecoder.syncReply(frames) } catch { malformed(error); continue }
            guard let request = Self.requestID(reply.id), let target = machine.target(ofReply: request, upstream: index) else {
                continue  // a late reply to a request given up on, or not ours
            }
            switch target {
            case .join: joinReply(index, reply, now: now)
            case .replay: replayReply(index, request, reply, now: now)
            }
            carryOut()
        }
    }

    /// A request id this loop sent: decimal digits, no leading zero.
    private static func requestID(_ bytes: [UInt8]) -> UInt64? {
        guard (1...20).contains(bytes.count), bytes.allSatisfy({ (0x30...0x39).contains($0) }), bytes[0] != 0x30 else { return nil }
        return UInt64(String(decoding: bytes, as: UTF8.self))
    }

    private func joinReply(_ index: Int, _ reply: EventDecoder.SyncReply, now: ContinuousClock.Instant) {
        switch reply.kind {
        case "RECORDS":
            for item in reply.items {
                do { upstreams[index].joinRecords.append(try WireCodec.decodeEnvelope(item)) } catch { malformed(.data) }
            }
            machine.joinChunk(upstream: index, now: now)
        case "END":
            guard let source = reply.params["source"].flatMap(EventDecoder.sourceID),
                  let sequence = AttributesParser.sequence(reply.params["sequence"]) else {
                malformed(.reply)
                return
            }
            let records = upstreams[index].joinRecords
            upstreams[index].joinRecords = []
            // What was decided before the snapshot reaches the bus before it; the snapshot
            // replaces the read model before the changes that follow it.
            carryOut()
            hooks?.snapshot(source, sequence, records)
            machine.joinEnded(upstream: index, source: source, sequence: sequence, records: records.count, now: now)
        case "ERROR":
            upstreams[index].joinRecords = []
            machine.joinFailed(upstream: index, code: reply.params["code"] ?? "?", message: reply.params["message"] ?? "", now: now)
        default:
            malformed(.reply)
        }
    }

    private func replayReply(_ index: Int, _ request: UInt64, _ reply: EventDecoder.SyncReply, now: ContinuousClock.Instant) {
        switch reply.kind {
        case "CHANGES":
            let items = reply.items
            guard items.count % 2 == 0 else { malformed(.reply); return }
            var i = 0
            while i < items.count {
                let data = items[i + 1]
                do {
                    let message = try withBytes(items[i]) { (a) throws(MalformedReason) in
                        try EventDecoder.event(attributes: a, data: data, topicIndex: nil)
                    }
                    handle(message, upstream: index, now: now, replayed: true)
                } catch let reason {
                    malformed(reason)
                    // A change the journal itself cannot give correctly.
                    machine.replayItemUndeliverable(request: request, upstream: index, reason: "\(reason)")
                }
                i += 2
            }
            machine.replayChunk(request: request, upstream: index, now: now)
        case "END":
            machine.replayEnded(request: request, upstream: index, latest: AttributesParser.sequence(reply.params["latest"]),
                                through: AttributesParser.sequence(reply.params["through"]), more: reply.params["more"] == "1", now: now)
        case "ERROR":
            if reply.params["code"] == "BAD_REQUEST" && reply.params["param"] == "source" && !upstreams[index].omitsSource {
                // An earlier publisher: it knows one source, and no `source` param (§11.1). The
                // machine asks again (next heartbeat or time-out), then without the param.
                upstreams[index].omitsSource = true
                configuration.logger.info("bridge subscriber: the publisher does not take the source param; replaying without it",
                                          metadata: ["endpoint": "\(upstreams[index].endpoint.events)"])
            }
            machine.replayFailed(request: request, upstream: index, code: reply.params["code"] ?? "INTERNAL",
                                 message: reply.params["message"] ?? "", oldest: AttributesParser.sequence(reply.params["oldest"]), now: now)
        default:
            malformed(.reply)
        }
    }

    // MARK: Effects

    /// Carries out what the machine decided: its deliveries go to the bus as one batch, then
    /// its requests are sent and its statuses reported, in the order they were decided.
    private func carryOut() {
        guard machine.hasEffects else { return }
        machine.takeEffects { deliveries, actions, counts in
            if !deliveries.isEmpty { deliver(deliveries) }
            add(counts)
            for action in actions { perform(action) }
        }
        // REPLAY names its source (§8.7.1), which the machine is asked for once it is not
        // being modified any more.
        for (upstream, request, from, to) in pendingReplays {
            var params: [(StaticString, UInt64)] = [("from", from), ("chunk", 1024), ("credit", 8)]
            if let to { params.append(("to", to)) }
            var source: SourceID?
            if case .replay(let id) = machine.target(ofReply: request, upstream: upstream) { source = id }
            send(upstream, "REPLAY", request, params, source: upstreams[upstream].omitsSource ? nil : source)
        }
        pendingReplays.removeAll(keepingCapacity: true)
    }

    private func deliver(_ batch: [CommittedChange]) {
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
    }

    private func add(_ counts: SubscriberStateMachine<CommittedChange>.Counts) {
        func add(_ counter: BridgeCounters.Counter, _ n: Int) { if n > 0 { counters.add(counter, n) } }
        add(.duplicates, counts.duplicates)
        add(.gapsDetected, counts.gapsDetected)
        add(.changesRepaired, counts.changesRepaired)
        add(.dropped, counts.dropped)
        add(.withheld, counts.withheld)
        add(.heartbeats, counts.heartbeats)
        add(.replays, counts.replays)
        add(.snapshots, counts.snapshots)
        add(.errors, counts.errors)
        add(.stuck, counts.stuck)
    }

    private func perform(_ action: SubscriberStateMachine<CommittedChange>.Action) {
        switch action {
        case .requestReplay(let upstream, let request, let from, let to):
            pendingReplays.append((upstream, request, from, to))
        case .requestSnapshot(let upstream, let request):
            upstreams[upstream].joinRecords = []
            send(upstream, "SNAPSHOT", request, [("chunk", 1024), ("credit", 8)])
        case .grantCredit(let upstream, let request):
            send(upstream, "CREDIT", request, [("add", 1)])
        case .status(let value):
            status.yield(value)
        case .unreachable(let upstream):
            let endpoint = upstreams[upstream].endpoint.events
            status.yield(.unreachable(endpoint: endpoint))
            logRateLimited("dead-\(upstream)", "bridge subscriber: publisher silent; keeping state and waiting", ["endpoint": "\(endpoint)"])
        case .reachable(let upstream):
            status.yield(.reachable(endpoint: upstreams[upstream].endpoint.events))
        case .cannotRepair(let upstream):
            logRateLimited("nosync-\(upstream)", "bridge subscriber: no sync endpoint; cannot repair or join",
                           ["endpoint": "\(upstreams[upstream].endpoint.events)"])
        case .refused(let command, let code, let message):
            logRateLimited("refused-\(command)-\(code)", "bridge subscriber: sync request refused",
                           ["command": "\(command)", "code": "\(code)", "message": "\(message)"])
        case .fail(let source, let sequence, let reason):
            failure = "source \(source) cannot deliver sequence \(sequence): \(reason)"
            configuration.logger.error("bridge subscriber: a change cannot be delivered; stopping",
                                        metadata: ["source": "\(source)", "sequence": "\(sequence)", "reason": "\(reason)"])
        }
    }

    private func malformed(_ reason: MalformedReason) {
        counters.malformed(reason)
        logRateLimited("malformed-\(reason)", "bridge subscriber: dropped a malformed message", ["reason": "\(reason)"])
    }

    private func logRateLimited(_ key: String, _ message: Logger.Message, _ metadata: @autoclosure () -> Logger.Metadata) {
        let logger = configuration.logger
        let now = clock.now
        if let last = lastLog[key], now - last < .seconds(1) { return }
        lastLog[key] = now
        logger.warning(message, metadata: metadata())
    }

    private static let syncTag = Array(BridgeProtocol.syncTag.utf8)
}
