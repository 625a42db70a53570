import Foundation
import IOMKit
import ZeroMQ

/// The client side of `Protocols/node-save.md`, for `iom save --node`.
enum NodeSaveClient {
    /// What the node answered.
    enum Reply {
        case saved(version: UInt64, sequence: UInt64)
        /// `code` is `nil` for a code this client does not know (treated as INTERNAL).
        case refused(code: NodeSave.Code?, message: String)
    }

    /// Sends one record and waits up to `timeout` for the answer.
    ///
    /// - Throws: ``CommandFailure`` 69 when the node does not answer in time, 64 for a
    ///   malformed endpoint.
    static func send(type: RecordType, json: String, operation: RecordSaving.Operation? = nil, to endpoint: String, keys: (client: CurveKeyPair, server: CurveKey)?,
                     timeout: Duration) async throws -> Reply {
        let actor: SocketActor
        do {
            let context = try Context()
            let socket = try context.socket(.dealer)
            try socket.set(.maxMessageSize, Int64(NodeSave.maximumRequestSize))
            if let keys {
                try socket.set(.curveServerKey, keys.server)
                try socket.set(.curvePublicKey, keys.client.publicKey)
                try socket.set(.curveSecretKey, keys.client.secretKey)
            }
            try socket.connect(endpoint)
            actor = SocketActor(socket, name: "iom.save.node")
        } catch let error as ZMQError {
            throw EndpointFailure.make("--node", endpoint, error)
        }
        // The REQ envelope (an empty delimiter frame), so the node answers as it answers REQ clients.
        let options = operation.map { [ParamLines.encode([("operation", $0.rawValue)])] } ?? []
        let request = [[], Array(NodeSave.tag.utf8), Array(type.rawValue.utf8), Array(json.utf8)] + options
        let frames: [[UInt8]]?
        do {
            let sent = try await actor.withSocket { try $0.send(request, timeout: timeout) }
            frames = sent ? try await actor.receive(timeout: timeout).map { $0.first?.isEmpty == true ? Array($0.dropFirst()) : $0 } : nil
        } catch {
            throw CommandFailure(.unavailable, "talking to the node at \(endpoint) failed: \(error)")
        }
        guard let frames else {
            throw CommandFailure(.unavailable, """
                the node at \(endpoint) did not answer within \(timeout): is iom serve running with --accept \(endpoint)? \
                Its security must match too (--insecure on both sides, or --server-key/--secret-key here for a node with --secret-key). \
                Nothing was saved by this command.
                """)
        }
        guard frames.count == 3, frames[0] == Array(NodeSave.tag.utf8) else {
            throw CommandFailure(.unavailable, "\(endpoint) answered something that is not a node-save reply (\(frames.count) frames); is it an iom serve --accept endpoint?")
        }
        let params = ParamLines.decode(frames[2])
        switch String(decoding: frames[1], as: UTF8.self) {
        case "OK":
            guard let version = params["version"].flatMap(UInt64.init), let sequence = params["sequence"].flatMap(UInt64.init) else {
                throw CommandFailure(.failure, "the node's OK reply lacks version or sequence: \(params)")
            }
            return .saved(version: version, sequence: sequence)
        default:
            return .refused(code: params["code"].flatMap(NodeSave.Code.init(rawValue:)),
                            message: params["message"] ?? "the node refused the record (\(params["code"] ?? "no code"))")
        }
    }
}
