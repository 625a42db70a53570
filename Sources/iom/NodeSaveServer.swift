import Foundation
import IOMKit
import IOMWire
import Logging
import Synchronization
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `--accept` endpoint of `iom serve`: a ROUTER socket taking node-save requests
/// (`Protocols/node-save.md`) and saving them through the node's own IOMKit — so the node's
/// publisher sends the change like any other.
///
/// Requests may be pipelined. Each connection (routing id) has an ordered line: a task that
/// decodes and checks the requests read, a batch at a time (what arrived since the last).
/// - A batch of creations only (no protection case; requests refused at once count too) is
///   queued for the store's writer at once (``IOMKit/IOM/enqueueCreations(_:completion:)``: each
///   committed or refused on its own, in the order sent), and its replies are made on the
///   store's commit thread once committed. So the writer commits one batch while the next is
///   decoded, with no task woken between them.
/// - Any other batch waits until every earlier one is answered. In it, consecutive creations go
///   to the writer in one submission, and the other saves (updates, protection cases, which read
///   the stored record or check a principal's rights) are split into runs of distinct records,
///   each run saved concurrently but queued for the writer in the order sent
///   (``IOMKit/SaveOrder``). Each part waits for the commit of the one before.
///
/// So journal sequences follow the connection's order, and a request sees the effect of every
/// earlier one, while connections are served at once and their saves share group commits. A
/// connection may have ``NodeSave/window`` unanswered requests; the next gets BUSY at once.
/// Replies go out in the order the requests came.
///
/// The socket lives on its own thread (a ``ZeroMQ/SocketActor``) that polls it and a wake
/// pipe: workers put replies in an outbox and write one byte to the pipe. ``run()`` answers
/// requests until ``stop()``; stopping is not task cancellation on purpose: the requests
/// already read are saved and answered, and only then does `run()` return.
final class NodeSaveServer: Sendable {
    /// The bound endpoint (with the real port when configured with `*`).
    let endpoint: String
    private let socket: SocketActor
    private let iom: IOM
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    /// With CURVE: who may save (the node's allow-list, checked by the publisher's ZAP handler).
    private let allowList: ClientAllowList?
    /// Refused saves, summed per key and minute into the node's audit trail (bridge.md §12.3).
    private let audit: BridgeAudit
    /// Replies ready to leave, in order per connection (each with its envelope).
    private let outbox = Mutex<[[[UInt8]]]>([])
    /// The ordered lines of connections with requests in progress, by routing id.
    private let lines = Mutex<[[UInt8]: ConnectionLine]>([:])
    /// Bytes of requests read and not yet answered, all connections together.
    private let queuedBytes = Atomic<Int>(0)
    /// Workers write a byte here when they add to the outbox; the socket thread polls the read end.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// Unanswered requests one connection may have (``NodeSave/window`` unless configured lower).
    let window: Int
    /// The node's source id, as replies carry it.
    private let source: String

    /// The roles that may save through the node (others are refused with FORBIDDEN).
    static let writers: Set<Role> = [.service, .supervisor, .caseworker]
    /// The roles that may save protection cases through the node: a service key is for
    /// replication, so it may save the other records but not cases.
    static let caseWriters: Set<Role> = [.supervisor, .caseworker]

    /// Binds `endpoint`; with `keys`, as a CURVE server in the sync ZAP domain of `context`,
    /// whose ZAP handler (the publisher's) admits the keys of `allowList` only.
    init(endpoint requested: String, keys: CurveKeyPair?, allowList: ClientAllowList?, context: Context, iom: IOM, logger: Logger,
         window: Int = NodeSave.window) throws(ZMQError) {
        self.window = max(1, window)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ZMQError(operation: "pipe", code: errno, message: "cannot create the wake pipe") }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        do {
            let socket = try context.socket(.router)
            // A frame over 1 MiB drops the connection before it is buffered.
            try socket.set(.maxMessageSize, Int64(NodeSave.maximumRequestSize))
            try socket.set(.receiveHighWaterMark, NodeSave.receiveHighWaterMark)
            // Room for every answer of a full window (a ROUTER drops what does not fit).
            try socket.set(.sendHighWaterMark, Int32(max(window, NodeSave.window) * 4))
            // The last reply (sent just before a shutdown) still leaves.
            try socket.set(.linger, .seconds(1))
            if let keys {
                try socket.set(.curveServer, true)
                try socket.set(.curveSecretKey, keys.secretKey)
                try socket.set(.zapDomain, ClientAllowList.syncDomain)
            }
            try socket.bind(requested)
            endpoint = try socket.lastEndpoint
            self.socket = SocketActor(socket, name: "iom.node.accept")
        } catch {
            close(fds[0]); close(fds[1])
            if let error = error as? ZMQError { throw error }
            throw ZMQError(operation: "bind", code: 0, message: "\(error)")
        }
        self.iom = iom
        self.source = iom.store.source.description
        self.logger = logger
        self.allowList = allowList
        self.audit = BridgeAudit(trail: iom.security.auditTrail, logger: logger)
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// A request read from the socket.
    struct IncomingRequest: Sendable {
        var envelope: [[UInt8]]
        var frames: [[UInt8]]
        var userID: String?
        var size: Int
    }

    /// Answers requests until ``stop()``, then the ones already read. Its work — the socket
    /// loop, each connection's line of saves, and forgetting old request ids — is held here, as
    /// child tasks of this call.
    func run() async {
        defer { audit.flush(force: true) }
        let (newLines, newLine) = AsyncStream.makeStream(of: (line: ConnectionLine, key: [UInt8]).self)
        await withDiscardingTaskGroup { group in
            group.addTask { await self.forgetOldRequests() }
            group.addTask {
                await self.serve(starting: { newLine.yield(($0, $1)) })
                newLine.finish()
            }
            for await (line, key) in newLines { group.addTask { await self.drain(line, key: key) } }
            group.cancelAll()  // every line is answered (serve returned): only the forgetting is left
        }
    }

    /// The socket loop, on the socket's own thread from start to end (no task hop per read):
    /// reads requests, puts each on its connection's line (a new line goes to `start`), and sends
    /// replies; returns once stopped and everything read is answered.
    private func serve(starting start: @escaping @Sendable (ConnectionLine, [UInt8]) -> Void) async {
        let wake = wakeRead
        // Who sent a request matters only with CURVE (the allow-list's key; `iom serve` passes
        // an allow-list exactly when it has keys): otherwise no property is asked, which libzmq
        // would look up, and miss, on every frame.
        let userIDProperty = allowList == nil ? [] : ["User-Id"]
        do {
            try await socket.withSocket { socket in
                var wakeBytes = [UInt8](repeating: 0, count: 256)
                while true {
                    self.audit.flush()
                    let stop = self.stopping.load(ordering: .acquiring)
                    let busy = !self.lines.withLock { $0.isEmpty }
                    let replies = self.outbox.withLock { outbox in
                        defer { outbox.removeAll(keepingCapacity: true) }
                        return outbox
                    }
                    if stop && !busy && replies.isEmpty { return }
                    for reply in replies { _ = try socket.send(reply, wait: .never) }
                    // Stopping, the socket is not read any more: only answers wake the thread.
                    var poller = Poller()
                    let wakeIndex = poller.add(fileDescriptor: wake, for: .readable)
                    let socketIndex = stop ? nil : poller.add(socket, for: .readable)
                    guard try poller.poll(timeout: .milliseconds(100)) > 0 else { continue }
                    if poller.events(at: wakeIndex).contains(.readable) {
                        while read(wake, &wakeBytes, 256) > 0 {}
                    }
                    guard let socketIndex, poller.events(at: socketIndex).contains(.readable) else { continue }
                    // Everything already queued: [routing id, (empty delimiter,) frames…].
                    var received = 0
                    while received < 1024, let (request, properties) = try socket.receive(wait: .never, properties: userIDProperty) {
                        received += 1
                        guard request.count >= 2 else { continue }
                        let envelope = request[1].isEmpty ? Array(request[0...1]) : [request[0]]
                        let incoming = IncomingRequest(envelope: envelope, frames: Array(request[envelope.count...]),
                                                       userID: properties["User-Id"], size: request.reduce(0) { $0 + $1.count })
                        if let line = self.dispatch(incoming) { start(line, envelope[0]) }
                    }
                }
            }
        } catch {
            logger.error("node-save endpoint failed; it stops answering", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
        }
    }

    /// Makes ``run()`` return once the requests already read are answered; it reads no more.
    func stop() {
        stopping.store(true, ordering: .releasing)
        wakeUp()
    }

    private func wakeUp() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func send(_ replies: [[[UInt8]]]) {
        guard !replies.isEmpty else { return }
        let wasEmpty = outbox.withLock { outbox in
            defer { outbox += replies }
            return outbox.isEmpty
        }
        if wasEmpty { wakeUp() }
    }

    /// Puts a request on its connection's line, or answers BUSY past the window or byte budget.
    /// Returns the line when it is new: the caller starts its drain.
    private func dispatch(_ request: IncomingRequest) -> ConnectionLine? {
        let key = request.envelope[0]
        let total = queuedBytes.add(request.size, ordering: .relaxed).newValue
        let (admitted, signal, isNew): (ConnectionLine?, Bool, Bool) = lines.withLock { lines in
            let existing = lines[key]
            guard (existing?.unanswered ?? 0) < window, total <= NodeSave.nodeBytes else { return (nil, false, false) }
            let line = existing ?? ConnectionLine()
            if existing == nil { lines[key] = line }
            line.unanswered += 1
            line.queue.append(request)
            // The decoder takes the whole queue when signalled: one signal per emptied queue.
            return (line, line.queue.count == 1, existing == nil)
        }
        guard let admitted else {
            queuedBytes.subtract(request.size, ordering: .relaxed)
            let id = NodeSave.requestID(in: request.frames)
            let reason = total > NodeSave.nodeBytes
                ? "the node holds \(NodeSave.nodeBytes >> 20) MiB of unanswered requests"
                : "this connection has \(window) unanswered requests"
            send([request.envelope + NodeSave.error(.busy, "\(reason): nothing was saved; wait for answers and send it again (Protocols/node-save.md, Pipelining)",
                                                    id: id, extra: [("window", String(window))])])
            return nil
        }
        if signal { admitted.read.yield() }
        return isNew ? admitted : nil
    }

    /// Works a line until every request it was given is answered. This task decodes and checks
    /// requests as they arrive, a batch at a time. A batch of creations only (or of requests
    /// refused before saving) is queued for the store's writer at once, and its replies are made
    /// when it commits, so the writer commits one batch while the next is decoded. Any other
    /// batch (updates and protection cases read the stored record) waits until every earlier one
    /// is answered, then is saved here. Replies leave in the order of the batches.
    private func drain(_ line: ConnectionLine, key: [UInt8]) async {
        await withDiscardingTaskGroup { group in
            // Batches with a refused creation: their replies may need the store (a repeated id).
            group.addTask {
                for await refused in line.refusals {
                    self.deliver(refused.number, refused.batch, await self.creationReplies(refused.batch, refused.outcomes), line: line, key: key)
                }
            }
            var number = 0
            for await _ in line.reads {
                while true {
                    let requests = lines.withLock { _ in
                        defer { line.queue.removeAll(keepingCapacity: true) }
                        return line.queue
                    }
                    if requests.isEmpty { break }
                    var batch: [(request: IncomingRequest, preparation: Preparation)] = []
                    batch.reserveCapacity(requests.count)
                    for request in requests { batch.append((request, prepare(request.frames, userID: request.userID))) }
                    let turn = number
                    number += 1
                    if batch.allSatisfy(\.preparation.createsOrRefuses) {
                        queueCreations(batch, number: turn, line: line, key: key)
                    } else {
                        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                            if !lines.withLock({ _ in line.park(until: turn, continuation) }) { continuation.resume() }
                        }
                        deliver(turn, batch, await answer(batch), line: line, key: key)
                    }
                }
            }
            line.refusal.finish()
        }
    }

    /// Queues a batch of creations (and requests refused before saving) for the writer; its
    /// replies are made on the store's commit thread once committed, or by the line's refusal task
    /// when one of its creations was refused.
    private func queueCreations(_ batch: [(request: IncomingRequest, preparation: Preparation)], number: Int,
                                line: ConnectionLine, key: [UInt8]) {
        var creations: [Creation] = []
        creations.reserveCapacity(batch.count)
        for item in batch {
            if case .save(let save) = item.preparation { creations.append(Creation(record: save.record, requestKey: save.requestKey)) }
        }
        guard !creations.isEmpty else {
            return deliver(number, batch, batch.map { if case .reply(let reply) = $0.preparation { reply } else { [] } }, line: line, key: key)
        }
        iom.enqueueCreations(creations) { outcomes in
            guard outcomes.allSatisfy({ if case .success = $0 { true } else { false } }) else {
                line.refusal.yield((number, batch, outcomes))
                return
            }
            var sequences = outcomes.lazy.compactMap { try? $0.get() }.makeIterator()  // all succeeded
            let replies = batch.map { item -> [[UInt8]] in
                switch item.preparation {
                case .reply(let reply): reply
                case .save(let save): self.saved(save, version: 1, sequence: sequences.next()!)
                }
            }
            self.deliver(number, batch, replies, line: line, key: key)
        }
    }

    /// The replies of a batch of creations, some refused, from their outcomes.
    private func creationReplies(_ batch: [(request: IncomingRequest, preparation: Preparation)],
                                 _ outcomes: [Result<UInt64, IOMError>]) async -> [[[UInt8]]] {
        var outcomes = outcomes.makeIterator()
        var replies: [[[UInt8]]] = []
        replies.reserveCapacity(batch.count)
        for item in batch {
            switch item.preparation {
            case .reply(let reply):
                replies.append(reply)
            case .save(let save):
                // `enqueueCreations` gives one outcome per creation, in order.
                replies.append(await creationReply(outcomes.next()!, save))
            }
        }
        return replies
    }

    /// Sends the replies of batch `number` once every earlier batch's are sent (they wait in
    /// the line until then); retires the line when nothing of it is left unanswered.
    private func deliver(_ number: Int, _ batch: [(request: IncomingRequest, preparation: Preparation)], _ replies: [[[UInt8]]],
                         line: ConnectionLine, key: [UInt8]) {
        let ready = zip(batch, replies).map { $0.request.envelope + $1 }
        let size = batch.reduce(0) { $0 + $1.request.size }
        // Counted as answered before the replies leave (a client answered may send again at
        // once), but retired only after: the socket loop stops once there are neither lines nor
        // replies.
        let (outgoing, freed, waiter) = lines.withLock { _ in line.complete(number, replies: ready, size: size) }
        queuedBytes.subtract(freed, ordering: .relaxed)
        send(outgoing)
        let retired = lines.withLock { lines in
            guard line.unanswered == 0 else { return false }
            lines[key] = nil
            return true
        }
        if retired { line.read.finish() }
        waiter?.resume()
    }

    /// The replies to one connection's batch, in its order. Consecutive creations of records
    /// other than protection cases go to the store in one submission (``IOMKit/IOM/createEach(_:)``);
    /// the other saves (updates, protection cases) are split into runs of distinct records, each
    /// run saved concurrently but queued for the writer in the order sent. Each part waits for the
    /// one before it to be committed, so a request sees the effect of every earlier one.
    private func answer(_ batch: [(request: IncomingRequest, preparation: Preparation)]) async -> [[[UInt8]]] {
        var replies = [[[UInt8]]?](repeating: nil, count: batch.count)
        var creations: [(index: Int, save: Prepared)] = []
        var run: [(index: Int, save: Prepared)] = []
        var records: Set<String> = []
        for (index, (_, preparation)) in batch.enumerated() {
            switch preparation {
            case .reply(let reply): replies[index] = reply
            case .save(let save):
                if save.isCreation {
                    if !run.isEmpty {
                        for (index, reply) in await saveRun(run) { replies[index] = reply }
                        run.removeAll()
                        records.removeAll()
                    }
                    creations.append((index, save))
                    continue
                }
                if !creations.isEmpty {
                    for (index, reply) in await createEach(creations) { replies[index] = reply }
                    creations.removeAll()
                }
                if records.contains(save.recordKey) {
                    for (index, reply) in await saveRun(run) { replies[index] = reply }
                    run.removeAll()
                    records.removeAll()
                }
                records.insert(save.recordKey)
                run.append((index, save))
            }
        }
        for (index, reply) in await createEach(creations) { replies[index] = reply }
        for (index, reply) in await saveRun(run) { replies[index] = reply }
        return replies.map { $0! }
    }

    /// Creates consecutive records in one submission to the store; their replies.
    private func createEach(_ items: [(index: Int, save: Prepared)]) async -> [(Int, [[UInt8]])] {
        guard !items.isEmpty else { return [] }
        let outcomes = await iom.createEach(items.map { Creation(record: $0.save.record, requestKey: $0.save.requestKey) })
        var replies: [(Int, [[UInt8]])] = []
        replies.reserveCapacity(items.count)
        for ((index, request), outcome) in zip(items, outcomes) { replies.append((index, await creationReply(outcome, request))) }
        return replies
    }

    /// The reply to a creation from its outcome.
    private func creationReply(_ outcome: Result<UInt64, IOMError>, _ request: Prepared) async -> [[UInt8]] {
        switch outcome {
        case .success(let sequence): saved(request, version: 1, sequence: sequence)
        case .failure(let error): await refusal(error, request)
        }
    }

    private func saveRun(_ run: [(index: Int, save: Prepared)]) async -> [(Int, [[UInt8]])] {
        if run.isEmpty { return [] }
        if run.count == 1 { return [(run[0].index, await save(run[0].save, context: SaveContext(requestKey: run[0].save.requestKey)))] }
        let order = SaveOrder()
        return await withTaskGroup(of: (Int, [[UInt8]]).self, returning: [(Int, [[UInt8]])].self) { group in
            for (position, (index, prepared)) in run.enumerated() {
                group.addTask {
                    defer { order.finish(position) }
                    return (index, await self.save(prepared, context: SaveContext(requestKey: prepared.requestKey, order: order.ticket(position))))
                }
            }
            var results: [(Int, [[UInt8]])] = []
            for await result in group { results.append(result) }
            return results
        }
    }

    /// A request ready to save.
    fileprivate struct Prepared: Sendable {
        var id: String?
        var type: RecordType
        var record: AnyRecord
        var principal: Principal
        /// Create or update, when the request says (otherwise version 1 creates).
        var operation: RecordSaving.Operation?
        /// `principal` and `id`: what the store remembers the request by.
        var requestKey: String? { id.map { "\(principal.role.rawValue):\(principal.id) \($0)" } }
        var recordKey: String { "\(type.rawValue)\n\(record.recordID)" }
        /// A creation of a record that is not a protection case: saved with others in one submission.
        var isCreation: Bool { type != .protectionCase && (operation ?? .implied(by: record)) == .create }
    }

    fileprivate enum Preparation: Sendable {
        case reply([[UInt8]])
        case save(Prepared)

        /// A creation (saved with others in one submission) or a request answered without saving.
        var createsOrRefuses: Bool {
            switch self {
            case .reply: true
            case .save(let save): save.isCreation
            }
        }
    }

    /// Checks a request: who sends it, its frames and record. Never throws: every failure is an ERROR reply.
    private func prepare(_ frames: [[UInt8]], userID: String?) -> Preparation {
        // The params frame, read once (a request id is only read from a request of 4 frames).
        let params = frames.count == 4 ? ParamLines.decode(frames[3]) : [:]
        let id = params["id"].flatMap { NodeSave.isValidRequestID($0) ? $0 : nil }
        var principal = RecordSaving.principal
        if let allowList {
            guard let userID, let admitted = allowList.principal(userID: userID) else {
                return .reply(NodeSave.error(.forbidden, "this client key is not in the node's allow-list", id: id))
            }
            guard Self.writers.contains(admitted.role) else {
                audit.record(principal: admitted, action: "node.save", outcome: .forbidden, detail: "reason=role")
                return .reply(NodeSave.error(.forbidden, "\(admitted) may not save through the node (roles that may: \(Self.writers.map(\.rawValue).sorted().joined(separator: ", ")))", id: id))
            }
            principal = admitted
        }
        guard frames.count == 3 || frames.count == 4 else {
            return .reply(NodeSave.error(.badRequest, "a save request has 3 frames (iom.v1.save, record type, record JSON) or 4 (and params: id=REQUEST-ID and/or operation=create|update), got \(frames.count); see Protocols/node-save.md"))
        }
        guard frames[0] == Array(NodeSave.tag.utf8) else {
            return .reply(NodeSave.error(.unsupportedVersion, "frame 0 must be iom.v1.save", id: id, extra: [("supported", NodeSave.tag)]))
        }
        let typeName = String(decoding: frames[1], as: UTF8.self)
        guard let type = RecordType(rawValue: typeName) ?? RecordTypeArgument(argument: typeName)?.recordType else {
            return .reply(NodeSave.error(.badRequest, "unknown record type \"\(typeName)\"; use one of \(RecordType.allCases.map(\.rawValue).joined(separator: ", "))",
                                         id: id, extra: [("param", "type")]))
        }
        if type == .protectionCase && allowList != nil && !Self.caseWriters.contains(principal.role) {
            audit.record(principal: principal, action: "node.save", outcome: .forbidden, detail: "reason=role type=protectionCase")
            return .reply(NodeSave.error(.forbidden, "\(principal) may not save protection cases through the node: a service key is for replication; cases are saved by caseworkers and supervisors", id: id))
        }
        var operation: RecordSaving.Operation?
        if frames.count == 4 {
            if params.isEmpty || (params["id"] != nil && id == nil) {
                return .reply(NodeSave.error(.badRequest, "frame 3 (params) holds id=REQUEST-ID (1 to \(NodeSave.maximumRequestIDLength) printable ASCII characters without space) and/or operation=create|update",
                                             extra: [("param", "id")]))
            }
            for (name, value) in params {
                switch name {
                case "id":
                    break
                case "operation":
                    guard let op = RecordSaving.Operation(rawValue: value) else {
                        return .reply(NodeSave.error(.badRequest, "operation must be create or update, not \"\(IdentifierGrammar.printable(value))\"", id: id,
                                                     extra: [("param", "operation")]))
                    }
                    operation = op
                default:
                    return .reply(NodeSave.error(.badRequest, "unknown parameter \"\(IdentifierGrammar.printable(name))\"; a save request knows id and operation",
                                                 id: id, extra: [("param", name)]))
                }
            }
        }
        // ASCII is UTF-8; anything else is checked as such.
        guard frames[2].allSatisfy({ $0 < 0x80 }) || String(validating: frames[2], as: UTF8.self) != nil else {
            return .reply(NodeSave.error(.badRequest, "the record is not UTF-8 text; it must be protobuf JSON", id: id))
        }
        let record: AnyRecord
        do { record = try WireCodec.decodeRecord(jsonUTF8: frames[2], type: type) } catch let error as IOMDomain.ValidationError {
            return .reply(NodeSave.error(.invalid, RecordSaving.message(for: .invalid(error), type: type, input: "the request"), id: id))
        } catch {
            return .reply(NodeSave.error(.badRequest, """
                the request is not valid protobuf JSON for \(WireCodec.messageName(of: type)): \(error)
                See Protocols/iom/v1 for the fields and Protocols/vectors/*.json for examples; check the record type (\(type.rawValue)).
                """, id: id))
        }
        return .save(Prepared(id: id, type: type, record: record, principal: principal, operation: operation))
    }

    /// Saves a checked request and answers it; a request id already remembered gets its first answer.
    private func save(_ request: Prepared, context: SaveContext) async -> [[UInt8]] {
        let (record, principal) = (request.record, request.principal)
        do {
            let saved = try await iom.withSaveContext(context) { () async throws(IOMError) in
                try await RecordSaving.save(record, into: iom, as: principal, operation: request.operation)
            }
            return self.saved(request, version: saved.version, sequence: saved.sequence)
        } catch {
            return await refusal(error, request)
        }
    }

    /// The OK reply to a saved request (logged at debug level).
    private func saved(_ request: Prepared, version: UInt64, sequence: UInt64) -> [[UInt8]] {
        if logger.logLevel <= .debug {
            logger.debug("saved through the node", metadata: ["type": "\(request.type.rawValue)", "record": "\(request.record.recordID)",
                                                              "id": "\(request.id ?? "-")", "version": "\(version)", "sequence": "\(sequence)",
                                                              "principal": "\(request.principal)"])
        }
        return NodeSave.ok(id: request.id, type: request.type, record: request.record.recordID, version: version, sequence: sequence, source: source)
    }

    /// The reply to a request whose save failed: the first answer of a repeated request id, or the error.
    private func refusal(_ error: IOMError, _ request: Prepared) async -> [[UInt8]] {
        let (id, type, record, principal) = (request.id, request.type, request.record, request.principal)
        // A repeated request: its first save is remembered (the refusal may be a conflict with
        // its own first change, or the store's duplicate-request refusal).
        if let key = request.requestKey, let remembered = try? await iom.store.request(key) {
            guard remembered.recordType == type.rawValue, remembered.recordID == record.recordID else {
                return NodeSave.error(.badRequest, """
                    request id \(id ?? "") was used before for \(remembered.recordType) \(remembered.recordID) (sequence \(remembered.sequence)); \
                    a request id names one request: choose a new one for a new record
                    """, id: id, extra: [("param", "id")])
            }
            logger.debug("answered a repeated request", metadata: ["id": "\(id ?? "-")", "sequence": "\(remembered.sequence)", "principal": "\(principal)"])
            return NodeSave.ok(id: id, type: type, record: remembered.recordID, version: remembered.version, sequence: remembered.sequence,
                               source: source, repeated: true)
        }
        let code = RecordSaving.code(for: error)
        if code == .forbidden {
            audit.record(principal: principal, action: "node.save", outcome: .forbidden, detail: "reason=policy type=\(type.rawValue)")
        } else {
            logger.notice("refused a node-save request", metadata: ["type": "\(type.rawValue)", "record": "\(record.recordID)", "error": "\(error)"])
        }
        return NodeSave.error(code, RecordSaving.message(for: error, type: type, input: "the request"), id: id)
    }

    /// Forgets request ids older than the idempotency window, now and every minute.
    private func forgetOldRequests() async {
        while !Task.isCancelled {
            let window = Double(NodeSave.idempotencyWindow.components.seconds)
            do {
                let forgotten = try await iom.store.forgetRequests(before: Date(timeIntervalSinceNow: -window))
                if forgotten > 0 { logger.debug("forgot old request ids", metadata: ["count": "\(forgotten)"]) }
            } catch {
                logger.warning("could not forget old request ids", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: NodeSave.forgetInterval)
        }
    }
}

/// One connection's requests in progress. Its state is guarded by the server's `lines` lock.
private final class ConnectionLine: @unchecked Sendable {
    typealias Batch = [(request: NodeSaveServer.IncomingRequest, preparation: NodeSaveServer.Preparation)]

    /// Read and not yet decoded.
    var queue: [NodeSaveServer.IncomingRequest] = []
    /// Read and not yet answered (queued, being decoded or saved, or answered but waiting for
    /// an earlier batch's answers).
    var unanswered = 0
    /// The number of the next batch whose replies may leave.
    private var nextDelivery = 0
    /// Replies of later batches, waiting for ``nextDelivery``'s: by batch number, with their
    /// count and the bytes of their requests.
    private var waiting: [Int: (replies: [[[UInt8]]], size: Int)] = [:]
    /// The line's task, waiting until every batch before `number` is answered.
    private var turnWaiter: (number: Int, continuation: CheckedContinuation<Void, Never>)?

    /// Signals the decoding task that `queue` has requests; finished when the line retires.
    let reads: AsyncStream<Void>
    let read: AsyncStream<Void>.Continuation
    /// Batches of creations with a refusal among them, for the line's refusal task.
    let refusals: AsyncStream<(number: Int, batch: Batch, outcomes: [Result<UInt64, IOMError>])>
    let refusal: AsyncStream<(number: Int, batch: Batch, outcomes: [Result<UInt64, IOMError>])>.Continuation

    init() {
        (reads, read) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        (refusals, refusal) = AsyncStream.makeStream()
    }

    /// Records batch `number`'s replies (under the lock): returns the replies that may leave
    /// now, in order, the bytes of their requests, and the waiter to resume (after unlocking).
    func complete(_ number: Int, replies: [[[UInt8]]], size: Int) -> ([[[UInt8]]], Int, CheckedContinuation<Void, Never>?) {
        waiting[number] = (replies, size)
        var outgoing: [[[UInt8]]] = []
        var freed = 0
        while let next = waiting.removeValue(forKey: nextDelivery) {
            outgoing += next.replies
            freed += next.size
            unanswered -= next.replies.count
            nextDelivery += 1
        }
        guard let waiter = turnWaiter, waiter.number == nextDelivery else { return (outgoing, freed, nil) }
        turnWaiter = nil
        return (outgoing, freed, waiter.continuation)
    }

    /// Keeps `continuation` to resume once every batch before `number` is answered (under the
    /// lock); `false` when they are already: the caller resumes it.
    func park(until number: Int, _ continuation: CheckedContinuation<Void, Never>) -> Bool {
        guard nextDelivery < number else { return false }
        turnWaiter = (number, continuation)
        return true
    }
}
