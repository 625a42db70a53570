import Foundation
import IOMKit
import ZeroMQ

/// A pipelined client of `Protocols/node-save.md`: sends many save requests on one DEALER
/// connection, at most `window` unanswered, each with its own request id, and matches the
/// answers by id. Used by `iom save --node` for a stream of records and by `iom demo`.
///
/// The whole exchange runs on the socket's own thread (one ``ZeroMQ/SocketActor`` hop), so no
/// cooperative-pool thread waits on the network.
///
/// ```swift
/// let pipeline = try NodeSavePipeline(endpoint: "tcp://127.0.0.1:5672", keys: nil)
/// let answers = try await pipeline.save(requests) { index, reply in print(index, reply) }
/// ```
final class NodeSavePipeline: Sendable {
    /// One record to send.
    struct Request: Sendable {
        /// The request id (`id=` in the params frame): unique for this client's principal.
        var id: String
        var type: RecordType
        var json: String
    }

    /// What the node answered one request.
    enum Reply: Sendable, Equatable {
        case saved(record: String, version: UInt64, sequence: UInt64, repeated: Bool)
        /// `code` is `nil` for a code this client does not know (treated as INTERNAL).
        case refused(code: NodeSave.Code?, message: String)
    }

    let endpoint: String
    let window: Int
    private let socket: SocketActor

    /// Connects a DEALER to `endpoint` (with `keys`, as a CURVE client of the node's key).
    ///
    /// - Throws: ``CommandFailure`` 64 for a malformed endpoint.
    init(endpoint: String, keys: (client: CurveKeyPair, server: CurveKey)?, window: Int = NodeSave.window / 2) throws {
        self.endpoint = endpoint
        self.window = max(1, min(window, NodeSave.window))
        do {
            let context = try Context()
            let socket = try context.socket(.dealer)
            try socket.set(.maxMessageSize, Int64(NodeSave.maximumRequestSize))
            try socket.set(.linger, .zero)
            try socket.set(.sendHighWaterMark, Int32(NodeSave.window * 2))
            try socket.set(.receiveHighWaterMark, Int32(NodeSave.window * 2))
            if let keys {
                try socket.set(.curveServerKey, keys.server)
                try socket.set(.curvePublicKey, keys.client.publicKey)
                try socket.set(.curveSecretKey, keys.client.secretKey)
            }
            try socket.connect(endpoint)
            self.socket = SocketActor(socket, name: "iom.save.pipeline")
        } catch let error as ZMQError {
            throw EndpointFailure.make("--node", endpoint, error)
        }
    }

    /// Sends every request, keeping at most ``window`` unanswered, and calls `onReply` (on the
    /// socket's thread) for each answer as it arrives. A BUSY answer is sent again (the same id)
    /// once fewer are in flight. Returns the answers in request order.
    ///
    /// - Throws: ``CommandFailure`` 69 when the node answers nothing for `timeout` while requests
    ///   are unanswered (the ones answered before were reported through `onReply`).
    func save(_ requests: [Request], timeout: Duration = .seconds(10),
              onReply: @escaping @Sendable (Int, Reply) -> Void = { _, _ in }) async throws -> [Reply] {
        let endpoint = self.endpoint, window = self.window
        return try await socket.withSocket { socket in
            var replies = [Reply?](repeating: nil, count: requests.count)
            var indexByID: [String: Int] = [:]
            indexByID.reserveCapacity(requests.count)
            for (index, request) in requests.enumerated() { indexByID[request.id] = index }
            var next = 0, inFlight = 0, answered = 0
            var retry: [Int] = []
            let tag = Array(NodeSave.tag.utf8)
            while answered < requests.count {
                // Fill the window, then take every answer that is there (waiting for one).
                while inFlight < window {
                    let index: Int
                    if !retry.isEmpty {
                        index = retry.removeFirst()
                    } else if next < requests.count {
                        index = next
                        next += 1
                    } else {
                        break
                    }
                    let request = requests[index]
                    let message = [[], tag, Array(request.type.rawValue.utf8), Array(request.json.utf8), ParamLines.encode([("id", request.id)])]
                    guard try socket.send(message, wait: .until(timeout)) else { throw Self.unanswered(endpoint, timeout, answered, requests.count) }
                    inFlight += 1
                }
                var wait: Wait = .until(timeout)
                while let frames = try socket.receive(wait: wait) {
                    wait = .never
                    // [empty delimiter, iom.v1.save, OK/ERROR, params]
                    let body = frames.first?.isEmpty == true ? Array(frames.dropFirst()) : frames
                    guard body.count == 3, body[0] == tag else {
                        throw CommandFailure(.unavailable, "\(endpoint) answered something that is not a node-save reply (\(body.count) frames); is it an iom serve --accept endpoint?")
                    }
                    let params = ParamLines.decode(body[2])
                    guard let id = params["id"], let index = indexByID[id], replies[index] == nil else { continue }
                    inFlight -= 1
                    let reply = Self.reply(status: body[1], params: params)
                    if case .refused(.busy?, _) = reply {
                        retry.append(index)
                        continue
                    }
                    replies[index] = reply
                    answered += 1
                    onReply(index, reply)
                    if inFlight == 0 { break }
                }
                if wait != .never { throw Self.unanswered(endpoint, timeout, answered, requests.count) }
            }
            return replies.map { $0! }
        }
    }

    static func reply(status: [UInt8], params: [String: String]) -> Reply {
        if status == Array("OK".utf8), let version = params["version"].flatMap(UInt64.init), let sequence = params["sequence"].flatMap(UInt64.init) {
            return .saved(record: params["record"] ?? "", version: version, sequence: sequence, repeated: params["repeated"] == "1")
        }
        return .refused(code: params["code"].flatMap(NodeSave.Code.init(rawValue:)),
                        message: params["message"] ?? "the node refused the record (\(params["code"] ?? "no code"))")
    }

    private static func unanswered(_ endpoint: String, _ timeout: Duration, _ answered: Int, _ total: Int) -> CommandFailure {
        CommandFailure(.unavailable, """
            the node at \(endpoint) answered nothing for \(timeout) (\(answered) of \(total) requests answered): \
            is iom serve running with --accept \(endpoint), with matching security? \
            The unanswered records may or may not be saved: send them again with the same request ids (safe: a repeated id gets its first answer).
            """)
    }
}
