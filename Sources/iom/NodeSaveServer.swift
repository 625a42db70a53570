import Foundation
import IOMKit
import IOMWire
import Logging
import Synchronization
import ZeroMQ

/// The `--accept` endpoint of `iom serve`: a ROUTER socket taking node-save requests
/// (`Protocols/node-save.md`) from REQ clients (or DEALERs sending the REQ envelope), one at a
/// time, and saving them through the node's own IOMKit — so the node's publisher sends the
/// change like any other.
///
/// The socket lives on its own thread (a ``ZeroMQ/SocketActor``); ``run()`` answers requests
/// until ``stop()``. Stopping is not task cancellation on purpose: a save in progress is
/// finished and answered (cancelling it would abandon the commit), and only then does `run()`
/// return.
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

    /// The roles that may save through the node (others are refused with FORBIDDEN).
    static let writers: Set<Role> = [.service, .supervisor, .caseworker]
    /// The roles that may save protection cases through the node: a service key is for
    /// replication, so it may save the other records but not cases.
    static let caseWriters: Set<Role> = [.supervisor, .caseworker]

    /// Binds `endpoint`; with `keys`, as a CURVE server in the sync ZAP domain of `context`,
    /// whose ZAP handler (the publisher's) admits the keys of `allowList` only.
    init(endpoint requested: String, keys: CurveKeyPair?, allowList: ClientAllowList?, context: Context, iom: IOM, logger: Logger) throws(ZMQError) {
        do {
            let socket = try context.socket(.router)
            // A frame over 1 MiB drops the connection before it is buffered, and a connection
            // queues a bounded number of requests: saves are answered one at a time anyway.
            try socket.set(.maxMessageSize, Int64(NodeSave.maximumRequestSize))
            try socket.set(.receiveHighWaterMark, NodeSave.receiveHighWaterMark)
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
        } catch let error as ZMQError {
            throw error
        } catch {
            throw ZMQError(operation: "bind", code: 0, message: "\(error)")
        }
        self.iom = iom
        self.logger = logger
        self.allowList = allowList
        self.audit = BridgeAudit(trail: iom.security.auditTrail, logger: logger)
    }

    /// Answers requests until ``stop()``.
    func run() async {
        defer { audit.flush(force: true) }
        while !stopping.load(ordering: .acquiring) {
            audit.flush()
            let received: (frames: [[UInt8]], properties: [String: String])?
            do {
                received = try await socket.withSocket { try $0.receive(wait: .until(.milliseconds(100)), properties: ["User-Id"]) }
            } catch {
                logger.error("node-save endpoint failed; it stops answering", metadata: ["endpoint": "\(endpoint)", "error": "\(error)"])
                return
            }
            // [routing id, (empty delimiter of a REQ client,) request frames…]
            guard let (request, properties) = received, request.count >= 2 else { continue }
            let envelope = request[1].isEmpty ? Array(request[0...1]) : [request[0]]
            let reply = await answer(Array(request[envelope.count...]), userID: properties["User-Id"])
            do { _ = try await socket.withSocket { try $0.send(envelope + reply, timeout: .seconds(1)) } } catch {
                logger.warning("could not send a node-save reply", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Makes ``run()`` return after the request in progress, if any, is answered.
    func stop() { stopping.store(true, ordering: .releasing) }

    /// The reply to one request. Never throws: every failure is an ERROR reply.
    func answer(_ frames: [[UInt8]], userID: String?) async -> [[UInt8]] {
        var principal = RecordSaving.principal
        if let allowList {
            guard let userID, let admitted = allowList.principal(userID: userID) else {
                return NodeSave.error(.forbidden, "this client key is not in the node's allow-list")
            }
            guard Self.writers.contains(admitted.role) else {
                audit.record(principal: admitted, action: "node.save", outcome: .forbidden, detail: "reason=role")
                return NodeSave.error(.forbidden, "\(admitted) may not save through the node (roles that may: \(Self.writers.map(\.rawValue).sorted().joined(separator: ", ")))")
            }
            principal = admitted
        }
        guard frames.count == 3 || frames.count == 4 else {
            return NodeSave.error(.badRequest, "a save request has 3 frames (iom.v1.save, record type, record JSON) and optionally a 4th (params), got \(frames.count); see Protocols/node-save.md")
        }
        guard frames[0] == Array(NodeSave.tag.utf8) else {
            return NodeSave.error(.unsupportedVersion, "frame 0 must be iom.v1.save", extra: [("supported", NodeSave.tag)])
        }
        let typeName = String(decoding: frames[1], as: UTF8.self)
        guard let type = RecordType(rawValue: typeName) ?? RecordTypeArgument(argument: typeName)?.recordType else {
            return NodeSave.error(.badRequest, "unknown record type \"\(typeName)\"; use one of \(RecordType.allCases.map(\.rawValue).joined(separator: ", "))",
                                  extra: [("param", "type")])
        }
        if type == .protectionCase && allowList != nil && !Self.caseWriters.contains(principal.role) {
            audit.record(principal: principal, action: "node.save", outcome: .forbidden, detail: "reason=role type=protectionCase")
            return NodeSave.error(.forbidden, "\(principal) may not save protection cases through the node: a service key is for replication; cases are saved by caseworkers and supervisors")
        }
        var operation: RecordSaving.Operation?
        if frames.count == 4 {
            for (name, value) in ParamLines.decode(frames[3]) {
                guard name == "operation" else {
                    return NodeSave.error(.badRequest, "unknown parameter \"\(IdentifierGrammar.printable(name))\"; a save request knows only operation", extra: [("param", name)])
                }
                guard let op = RecordSaving.Operation(rawValue: value) else {
                    return NodeSave.error(.badRequest, "operation must be create or update, not \"\(IdentifierGrammar.printable(value))\"", extra: [("param", "operation")])
                }
                operation = op
            }
        }
        guard let json = String(validating: frames[2], as: UTF8.self) else {
            return NodeSave.error(.badRequest, "the record is not UTF-8 text; it must be protobuf JSON")
        }
        let record: AnyRecord
        do { record = try WireCodec.decodeRecord(json: json, type: type) } catch let error as IOMDomain.ValidationError {
            return NodeSave.error(.invalid, RecordSaving.message(for: .invalid(error), type: type, input: "the request"))
        } catch {
            return NodeSave.error(.badRequest, """
                the request is not valid protobuf JSON for \(WireCodec.messageName(of: type)): \(error)
                See Protocols/iom/v1 for the fields and Protocols/vectors/*.json for examples; check the record type (\(type.rawValue)).
                """)
        }
        do {
            let saved = try await RecordSaving.save(record, into: iom, as: principal, operation: operation)
            logger.info("saved through the node", metadata: ["type": "\(type.rawValue)", "record": "\(record.recordID)",
                                                             "version": "\(saved.version)", "sequence": "\(saved.sequence)", "principal": "\(principal)"])
            return NodeSave.ok(type: type, record: record.recordID, version: saved.version, sequence: saved.sequence,
                               source: iom.store.source.description)
        } catch {
            let code = RecordSaving.code(for: error)
            if code == .forbidden {
                audit.record(principal: principal, action: "node.save", outcome: .forbidden, detail: "reason=policy type=\(type.rawValue)")
            } else {
                logger.notice("refused a node-save request", metadata: ["type": "\(type.rawValue)", "record": "\(record.recordID)", "error": "\(error)"])
            }
            return NodeSave.error(code, RecordSaving.message(for: error, type: type, input: "the request"))
        }
    }
}
