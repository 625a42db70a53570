import Foundation
import IOMBridge
import ZeroMQ

/// Asks a publisher's sync endpoint for INFO (`Protocols/bridge.md` §9.6): its source, latest
/// and oldest sequences. `iom tail` uses `latest` to show replay progress.
enum SyncInfo {
    /// The INFO params, or `nil` when no answer came within `timeout`.
    static func fetch(_ endpoint: String, security: SubscriberSecurity, timeout: Duration) async -> [String: String]? {
        guard let context = try? Context(), let socket = try? context.socket(.dealer) else { return nil }
        do {
            try socket.set(.maxMessageSize, Int64(BridgeProtocol.maximumMessageSize))
            if case .curve(let client, let server) = security {
                try socket.set(.curveServerKey, server)
                try socket.set(.curvePublicKey, client.publicKey)
                try socket.set(.curveSecretKey, client.secretKey)
            }
            try socket.connect(endpoint)
        } catch {
            return nil
        }
        let actor = SocketActor(socket, name: "iom.tail.info")
        let requestID = Array("tail-info".utf8)
        do {
            try await actor.send([Array("iom.v1.sync".utf8), Array("INFO".utf8), requestID, []])
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                guard let reply = try await actor.receive(timeout: .milliseconds(100)) else { continue }
                guard reply.count >= 4, reply[2] == requestID else { continue }
                guard reply[1] == Array("INFO".utf8) else { return nil }
                return ParamLines.decode(reply[3])
            }
        } catch {
            return nil
        }
        return nil
    }
}
