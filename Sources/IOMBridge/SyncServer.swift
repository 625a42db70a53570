import IOMChanges
import Foundation
import IOMDomain
import IOMSecurity
import IOMWire
import Logging
import Synchronization
import ZeroMQ

/// The publisher's sync side: answers SNAPSHOT, REPLAY, INFO, CREDIT and CANCEL on a ROUTER
/// socket (§9), streaming replies in credited chunks, from the store.
actor SyncServer {
    private let thread: SocketThread
    nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }

    struct Limits {
        /// Who may hold request slots (§9.2).
        var slots: SyncSlots<Key, [UInt8]>.Limits
        var heartbeatInterval: Duration
    }

    struct Key: Hashable {
        let peer: [UInt8]
        let id: [UInt8]
    }

    private enum Work {
        case snapshot(items: [[UInt8]], next: Int, sequence: UInt64)
        case replay(next: UInt64, to: UInt64, remaining: Int, types: Set<RecordType>?, latest: UInt64, count: Int)
    }

    private struct Request {
        var work: Work
        /// The source answered for: the store's own or a held one (§8.7.1).
        var source: SourceID
        var chunk: Int
        var credit: Int
        var lastActivity: ContinuousClock.Instant
        /// What the requester may see.
        var filter: ViewFilter
        /// Who asked (`nil`: a plain-text client), and what was sent of protection cases.
        var principal: Principal?
        var caseItems = 0
        var caseRange: ClosedRange<UInt64>?
    }

    private var socket: Socket?
    private let watch: HandshakeWatch?
    private let store: any ChangeJournal
    private let source: SourceID
    private let filter: ViewFilter
    private let allowList: ClientAllowList?
    private let limits: Limits
    private let counters: BridgeCounters
    private let audit: BridgeAudit
    private let logger: Logger?
    private let stopFlag: StopFlag
    private let clock = ContinuousClock()
    private var requests: [Key: Request] = [:]
    private var slots: SyncSlots<Key, [UInt8]>
    private var writer = AttributesWriter()
    private var encoder: EventEncoder
    private var lastLog: [String: ContinuousClock.Instant] = [:]

    init(socket: sending Socket, watchHandshakes: String?, thread: SocketThread, store: any ChangeJournal, filter: ViewFilter,
         allowList: ClientAllowList?, limits: Limits, counters: BridgeCounters, audit: BridgeAudit, logger: Logger?, stopFlag: StopFlag) {
        self.watch = watchHandshakes.flatMap { try? HandshakeWatch(socket, endpoint: $0) }
        self.allowList = allowList
        self.thread = thread
        self.socket = socket
        self.store = store
        self.source = store.source
        self.filter = filter
        self.limits = limits
        self.counters = counters
        self.audit = audit
        self.slots = SyncSlots(limits: limits.slots)
        self.logger = logger
        self.stopFlag = stopFlag
        self.encoder = EventEncoder(source: store.source)
    }

    deinit { thread.stop() }

    /// Serves until ``StopFlag/stop()``; then closes the socket.
    func run() async {
        while !stopFlag.isStopped, let socket {
            let busy = requests.values.contains { $0.credit > 0 }
            do {
                let wait: ZeroMQ.Wait = .until(busy ? .zero : .milliseconds(20))
                if allowList != nil {
                    // Who ZAP admitted the connection as (§12.2): authorised per request.
                    if let (frames, properties) = try socket.receive(wait: wait, properties: ["User-Id"]) {
                        await handle(frames, userID: properties["User-Id"])
                    }
                } else if let message = try socket.receive(timeout: busy ? .zero : .milliseconds(20)) {
                    await handle(message, userID: nil)
                }
            } catch {
                if (error as? ZMQError)?.isContextTerminated == true { break }
                logRateLimited("receive", "bridge sync: receive failed: \(error)")
            }
            if busy { await serveChunks() }
            expire()
            watch?.drain(counters, logger)
        }
        try? socket?.set(.linger, .milliseconds(100))
        socket = nil
    }

    // MARK: Requests

    private func handle(_ frames: [[UInt8]], userID: String?) async {
        guard frames.count >= 4 else {
            counters.malformed(.frameCount)
            logRateLimited("short", "bridge sync: dropped a request of \(frames.count - 1) frames (no request id)")
            return
        }
        let peer = frames[0], tag = frames[1], command = frames[2], rid = frames[3]
        guard rid.count >= 1, rid.count <= BridgeProtocol.maximumRequestIDSize else {
            counters.malformed(.frameCount)
            return
        }
        guard tag == Self.tag else {
            return error(peer, rid, "UNSUPPORTED_VERSION", "this publisher speaks iom.v1.sync only", ["supported": BridgeProtocol.syncTag])
        }
        guard frames.count == 5 else { return error(peer, rid, "BAD_REQUEST", "a request has exactly 4 frames") }
        let total = frames.reduce(0) { $0 + $1.count } - peer.count
        guard total <= BridgeProtocol.maximumRequestSize else {
            return error(peer, rid, "TOO_LARGE", "requests are limited to 64 KiB", ["limit": "65536"])
        }
        let params: [String: String]
        do { params = try AttributesParser.dictionary(frames[4]) } catch {
            return self.error(peer, rid, "BAD_REQUEST", "params do not follow the attribute grammar (§5.2)")
        }
        let key = Key(peer: peer, id: rid)
        // The requester's reader: the endpoint's view, or, behind an allow-list, its principal.
        // A plain-text client has no principal: it reads the endpoint's view with no record
        // scope, as a `service` replica, and each connection counts as its own principal.
        var reader = filter
        var principal: Principal?
        if let allowList {
            guard let userID, let admitted = allowList.principal(userID: userID) else {
                return error(peer, rid, "FORBIDDEN", "the connection was not admitted as a known principal")
            }
            reader = ViewFilter(principal: admitted, endpoint: filter)
            principal = admitted
        }
        let requester = Requester(principal: principal, connection: peer)
        switch String(decoding: command, as: UTF8.self) {
        case "CREDIT":
            guard var request = requests[key] else { return }  // ended or unknown: ignored (§9.1)
            guard params.count == 1, let add = params["add"].flatMap(Int.init), add >= 1, add <= 64 else {
                return error(peer, rid, "BAD_REQUEST", "CREDIT needs add=1…64 and nothing else", ["param": "add"], ends: key)
            }
            request.credit = min(request.credit + add, 64)
            request.lastActivity = clock.now
            requests[key] = request
            slots.credit(key, available: true, now: clock.now)
        case "CANCEL":
            guard requests[key] != nil else { return }
            finish(key)
            reply(peer, "END", rid, ["cancelled": "1"])
        case "INFO":
            if let unknown = params.keys.sorted().first {
                return error(peer, rid, "BAD_REQUEST", "INFO takes no params; unknown param \(unknown)", ["param": unknown])
            }
            await info(peer, rid, reader, role: requester.role)
        case "SNAPSHOT":
            await snapshot(peer, rid, params, key, reader, requester)
        case "REPLAY":
            await replay(peer, rid, params, key, reader, requester)
        default:
            error(peer, rid, "BAD_REQUEST", "unknown command; expected SNAPSHOT, REPLAY, CREDIT, CANCEL or INFO", ["param": "command"])
        }
    }

    private func info(_ peer: [UInt8], _ rid: [UInt8], _ reader: ViewFilter, role: String) async {
        do {
            let latest = try await store.lastSequence()
            let oldest = try await store.oldestAvailableSequence()
            var params = [
                "source": "urn:uuid:\(source)", "latest": padded(latest), "oldest": padded(oldest),
                "interval": String(limits.heartbeatInterval.milliseconds), "view": reader.view.rawValue,
                "versions": "iom.v1", "role": role,
            ]
            // A multi-source publisher lists what it holds, one frame per source (§9.6).
            let held = try await store.heldSources()
            var frames: [[UInt8]] = []
            if !held.isEmpty {
                params["sources"] = String(held.count)
                for source in held {
                    writer.reset()
                    writer.add(name: "source", text: "urn:uuid:\(source.source)")
                    writer.add(name: "latest", text: padded(source.lastSequence))
                    writer.add(name: "oldest", text: padded(source.firstSequence))
                    frames.append(writer.bytes)
                }
            }
            send(Key(peer: peer, id: rid), "INFO", params, frames)
        } catch {
            self.error(peer, rid, "INTERNAL", "the store failed: \(error)")
        }
    }

    /// Shared checks of SNAPSHOT and REPLAY: known params, chunk, credit, types, limits.
    private func common(_ peer: [UInt8], _ rid: [UInt8], _ params: [String: String], allowed: Set<String>, _ key: Key, _ reader: ViewFilter,
                        _ requester: Requester, action: String) async
        -> (chunk: Int, credit: Int, types: Set<RecordType>?, source: SourceID)?
    {
        if let unknown = params.keys.sorted().first(where: { !allowed.contains($0) }) {
            error(peer, rid, "BAD_REQUEST", "unknown param \(unknown)", ["param": unknown])
            return nil
        }
        guard requests[key] == nil else {
            error(peer, rid, "BAD_REQUEST", "request id already active", ["param": "request-id"])
            return nil
        }
        var source = self.source
        if let text = params["source"] {
            // A multi-source publisher answers for every source it holds (§8.7.1).
            guard let named = EventDecoder.sourceID(text), (try? await store.holds(named)) == true else {
                error(peer, rid, "BAD_REQUEST", "source \(text) is not held by this publisher", ["param": "source"])
                return nil
            }
            source = named
        }
        var chunk = 256, credit = 4
        if let text = params["chunk"] {
            guard let value = Int(text), value >= 1 else { error(peer, rid, "BAD_REQUEST", "chunk must be 1…4096", ["param": "chunk"]); return nil }
            guard value <= 4096 else { error(peer, rid, "TOO_LARGE", "chunk is at most 4096", ["limit": "4096"]); return nil }
            chunk = value
        }
        if let text = params["credit"] {
            guard let value = Int(text), value >= 1 else { error(peer, rid, "BAD_REQUEST", "credit must be 1…64", ["param": "credit"]); return nil }
            guard value <= 64 else { error(peer, rid, "TOO_LARGE", "credit is at most 64", ["limit": "64"]); return nil }
            credit = value
        }
        var types: Set<RecordType>?
        if let text = params["types"] {
            var set = Set<RecordType>()
            for name in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let type = RecordType(rawValue: String(name)) else {
                    error(peer, rid, "BAD_REQUEST", "unknown record type \(name)", ["param": "types"])
                    return nil
                }
                set.insert(type)
            }
            if set.contains(.protectionCase) && reader.view == .public {
                if let principal = requester.principal {
                    audit.record(principal: principal, action: action, outcome: .forbidden, detail: "view=\(reader.view.rawValue)")
                }
                error(peer, rid, "FORBIDDEN", "this client may not read protection cases")
                return nil
            }
            types = set
        }
        if let refusal = slots.admit(key, connection: peer, principal: requester.slotHolder, replicates: requester.replicates) {
            error(peer, rid, "BUSY", refusal.rawValue, ["retryafter": "100"])
            return nil
        }
        return (chunk, credit, types, source)
    }

    private func snapshot(_ peer: [UInt8], _ rid: [UInt8], _ params: [String: String], _ key: Key, _ reader: ViewFilter, _ requester: Requester) async {
        guard let (chunk, credit, types, source) = await common(peer, rid, params, allowed: ["source", "types", "chunk", "credit"], key, reader,
                                                                requester, action: "sync.snapshot") else { return }
        do {
            let snapshot = try await store.snapshot(of: source, types: types.map { Set($0.map(\.rawValue)) })
            var items: [[UInt8]] = []
            items.reserveCapacity(snapshot.records.count)
            var cases = 0
            for stored in snapshot.records {
                guard let record = try reader.prepare(stateRow: stored.payload) else { continue }
                if record.recordType == .protectionCase { cases += 1 }
                items.append(WireCodec.encodeEnvelope(record))
            }
            counters.add(.snapshots)
            // Audited as read when prepared: the records are in this reply, whatever the client reads of it.
            requests[key] = Request(work: .snapshot(items: items, next: 0, sequence: snapshot.sequence), source: source, chunk: chunk, credit: credit,
                                    lastActivity: clock.now, filter: reader, principal: requester.principal, caseItems: cases,
                                    caseRange: cases > 0 ? snapshot.sequence...snapshot.sequence : nil)
        } catch {
            slots.release(key)
            self.error(peer, rid, "INTERNAL", "the store failed: \(error)")
        }
    }

    private func replay(_ peer: [UInt8], _ rid: [UInt8], _ params: [String: String], _ key: Key, _ reader: ViewFilter, _ requester: Requester) async {
        guard let (chunk, credit, types, source) = await common(peer, rid, params, allowed: ["source", "from", "to", "max", "types", "chunk", "credit"],
                                                                key, reader, requester, action: "sync.replay") else { return }
        guard let from = params["from"].flatMap(UInt64.init), from >= 1 else {
            return error(peer, rid, "BAD_REQUEST", "from must be a sequence ≥ 1", ["param": "from"], releasing: key)
        }
        var to: UInt64?
        if let text = params["to"] {
            guard let value = UInt64(text), value >= from else {
                return error(peer, rid, "BAD_REQUEST", "to must be ≥ from", ["param": "to"], releasing: key)
            }
            to = value
        }
        var max = 100_000
        if let text = params["max"] {
            guard let value = Int(text), value >= 1 else { return error(peer, rid, "BAD_REQUEST", "max must be ≥ 1", ["param": "max"], releasing: key) }
            guard value <= 100_000 else { return error(peer, rid, "TOO_LARGE", "max is at most 100000", ["limit": "100000"], releasing: key) }
            max = value
        }
        do {
            let latest = try await store.lastSequence(of: source)
            let oldest = try await store.oldestAvailableSequence(of: source)
            if from < oldest && from <= latest {
                return error(peer, rid, "PRUNED", "journal pruned below oldest; take a SNAPSHOT",
                             ["oldest": padded(oldest), "latest": padded(latest), "source": "urn:uuid:\(source)"], releasing: key)
            }
            counters.add(.replays)
            let last = Swift.min(to ?? latest, latest)
            requests[key] = Request(work: .replay(next: from, to: last, remaining: max, types: types, latest: latest, count: 0),
                                    source: source, chunk: chunk, credit: credit, lastActivity: clock.now, filter: reader, principal: requester.principal)
            if from > last { await serve(key) }  // nothing to send: END at once
        } catch {
            self.error(peer, rid, "INTERNAL", "the store failed: \(error)", releasing: key)
        }
    }

    // MARK: Chunks

    private func serveChunks() async {
        for key in Array(requests.keys) where (requests[key]?.credit ?? 0) > 0 {
            await serve(key)
        }
    }

    /// Sends one chunk of `key` (and its END when done).
    private func serve(_ key: Key) async {
        guard var request = requests[key] else { return }
        switch request.work {
        case .snapshot(let items, let next, let sequence):
            if next < items.count {
                var end = next, bytes = 0
                while end < items.count && end - next < request.chunk && (end == next || bytes + items[end].count <= BridgeProtocol.maximumChunkBytes) {
                    bytes += items[end].count
                    end += 1
                }
                send(key, "RECORDS", [:], Array(items[next..<end]))
                request.credit -= 1
                request.work = .snapshot(items: items, next: end, sequence: sequence)
                requests[key] = request
                if request.credit == 0 { slots.credit(key, available: false, now: clock.now) }
                if end < items.count { return }
            }
            finish(key)
            reply(key.peer, "END", key.id, ["source": "urn:uuid:\(request.source)", "sequence": padded(sequence), "count": String(items.count)])
        case .replay(var next, let to, var remaining, let types, let latest, var count):
            var frames: [[UInt8]] = []
            encoder.source = request.source
            var bytes = 0, items = 0
            var full = false
            do {
                while !full && next <= to && remaining > 0 && items < request.chunk && bytes < BridgeProtocol.maximumChunkBytes {
                    let entries = try await store.journal(of: request.source, from: next, limit: Swift.min(request.chunk - items, remaining, Int(to - next + 1)))
                    guard !entries.isEmpty else { next = to + 1; break }
                    for entry in entries where entry.sequence <= to {
                        if items > 0 && bytes + entry.payload.count > BridgeProtocol.maximumChunkBytes {
                            full = true
                            break
                        }
                        next = entry.sequence + 1
                        guard let item = JournalItem(entry) else { continue }
                        if let types, !types.contains(item.type) { continue }
                        switch item.prepare(entry, request.filter) {
                        case .data(let data):
                            if item.type == .protectionCase {
                                request.caseItems += 1
                                request.caseRange = (request.caseRange?.lowerBound ?? entry.sequence)...entry.sequence
                            }
                            encoder.event(sequence: entry.sequence, changeID: entry.changeID, time: entry.time, type: item.type,
                                          kind: item.kind, subject: entry.recordID, view: request.filter.view)
                            frames.append(encoder.bytes)
                            frames.append(data)
                            bytes += data.count
                        case .withheld(let reason):
                            encoder.withheld(sequence: entry.sequence, reason: reason)
                            frames.append(encoder.bytes)
                            frames.append([])
                        }
                        items += 1
                        remaining -= 1
                        count += 1
                        if remaining == 0 || items == request.chunk { break }
                    }
                }
            } catch {
                requests[key] = request
                return self.error(key.peer, key.id, "INTERNAL", "the store failed: \(error)", ends: key)
            }
            if !frames.isEmpty {
                send(key, "CHANGES", [:], frames)
                request.credit -= 1
            }
            request.work = .replay(next: next, to: to, remaining: remaining, types: types, latest: latest, count: count)
            requests[key] = request
            if request.credit == 0 { slots.credit(key, available: false, now: clock.now) }
            if next > to || remaining == 0 {
                finish(key)
                let more = next <= to
                // `through` never passes `latest`: after a REPLAY from above `latest`, a client
                // continuing from through+1 must not skip what is committed later (§9.4).
                reply(key.peer, "END", key.id, [
                    "source": "urn:uuid:\(request.source)", "through": padded(Swift.min(next - 1, to)), "latest": padded(latest),
                    "count": String(count), "more": more ? "1" : "0",
                ])
            }
        }
    }

    private func expire() {
        for key in slots.expire(now: clock.now) {
            finish(key)
            logRateLimited("abandoned", "bridge sync: abandoned a request without credit for \(limits.slots.idleTimeout)")
        }
    }

    /// Ends `key`: frees its slot and audits what it sent of protection cases (§12.3).
    private func finish(_ key: Key) {
        slots.release(key)
        guard let request = requests.removeValue(forKey: key), request.caseItems > 0 else { return }
        let action = if case .snapshot = request.work { "sync.snapshot" } else { "sync.replay" }
        let principal = request.principal ?? Principal(id: "plain-text", role: .service, scope: .all)
        audit.record(principal: principal, action: action, outcome: .allowed, detail: "view=\(request.filter.view.rawValue)",
                     items: request.caseItems, range: request.caseRange)
    }

    // MARK: Replies

    private func send(_ key: Key, _ kind: String, _ params: [String: String], _ items: [[UInt8]]) {
        var message: [[UInt8]] = [key.peer, Self.tag, Array(kind.utf8), key.id, encode(params)]
        message.append(contentsOf: items)
        do { try socket?.send(message) } catch { logRateLimited("send", "bridge sync: send failed: \(error)") }
    }

    private func reply(_ peer: [UInt8], _ kind: String, _ rid: [UInt8], _ params: [String: String]) {
        send(Key(peer: peer, id: rid), kind, params, [])
    }

    private func error(_ peer: [UInt8], _ rid: [UInt8], _ code: String, _ message: String, _ extra: [String: String] = [:],
                       ends key: Key? = nil, releasing slot: Key? = nil) {
        if let key { finish(key) }
        if let slot { slots.release(slot) }
        counters.add(.errors)
        var params = extra
        params["code"] = code
        params["message"] = message
        reply(peer, "ERROR", rid, params)
        logRateLimited(code, "bridge sync: answered \(code): \(message)")
    }

    private func encode(_ params: [String: String]) -> [UInt8] {
        writer.reset()
        for (name, value) in params.sorted(by: { $0.key < $1.key }) { writer.add(name: name, text: value) }
        return writer.bytes
    }

    private func padded(_ value: UInt64) -> String {
        let digits = String(value)
        return String(repeating: "0", count: Swift.max(0, 20 - digits.count)) + digits
    }

    private func logRateLimited(_ reason: String, _ message: @autoclosure () -> String) {
        guard let logger else { return }
        let now = clock.now
        if let last = lastLog[reason], now - last < .seconds(1) { return }
        lastLog[reason] = now
        logger.warning("bridge sync: a request could not be served as asked", metadata: ["reason": "\(reason)", "detail": "\(message())"])
    }

    private static let tag = Array(BridgeProtocol.syncTag.utf8)
}

/// Who sends a sync request, as the slot accounting and INFO see it.
struct Requester {
    /// The admitted principal; `nil` for a plain-text client.
    var principal: Principal?
    var connection: [UInt8]

    /// The principal whose share the request counts against: a plain-text connection is its own.
    var slotHolder: String { principal.map { "principal:\($0.id)" } ?? "connection:\(connection.map { String($0, radix: 16) }.joined())" }
    /// Replication keys (role `service`) and plain-text clients may use the reserved slots.
    var replicates: Bool { principal.map { $0.role == .service } ?? true }
    /// The role INFO reports: a plain-text client reads as a `service` replica.
    var role: String { principal?.role.rawValue ?? Role.service.rawValue }
}

/// A flag a bridge thread polls to know when to stop.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isStopped: Bool { value.load(ordering: .acquiring) }
    func stop() { value.store(true, ordering: .releasing) }
}
