import Foundation
import IOMBridge
import IOMKit
import ZeroMQ

/// Turns a failure to bind or connect an endpoint into a message saying what to do, with the
/// exit code scripts can test (64 malformed address, 69 unavailable).
enum EndpointFailure {
    static func make(_ option: String, _ endpoint: String, _ error: ZMQError) -> CommandFailure {
        let what = "\(option) \(endpoint): \(error.message)"
        switch error.code {
        case EADDRINUSE:
            return CommandFailure(.unavailable, "\(what). Another socket or process uses that address: choose another port, or tcp://127.0.0.1:* for any free one")
        case EADDRNOTAVAIL, ENODEV:
            return CommandFailure(.unavailable, "\(what). No network interface of this machine has that address: use 127.0.0.1, 0.0.0.0 (every interface) or one of its addresses")
        case EINVAL, EPROTONOSUPPORT:
            return CommandFailure(.usage, "\(what). Write endpoints as tcp://HOST:PORT (PORT may be *), ipc:///path/to/socket or inproc://name")
        case EACCES:
            return CommandFailure(.unavailable, "\(what). Permission denied: use a port above 1023 or a writable ipc path")
        default:
            return CommandFailure(.unavailable, what)
        }
    }

    /// A bridge that could not start, reported by IOMBridge directly or through the facade
    /// (``IOMError/Code/bridge``).
    static func make(_ error: any Error, options: [String: String]) -> CommandFailure {
        let bridgeError = (error as? IOMError)?.underlying as? BridgeError ?? error as? BridgeError
        if let bridgeError, bridgeError.code == .endpoint, let endpoint = bridgeError.endpoint, let zmq = bridgeError.zmq {
            return make(options[endpoint] ?? "endpoint", endpoint, zmq)
        }
        if let bridgeError, bridgeError.code == .configuration {
            return CommandFailure(.usage, bridgeError.message)
        }
        return CommandFailure(.unavailable, "the bridge could not start: \(error)")
    }

    /// Rejects what is obviously not a ZeroMQ endpoint before any socket is made.
    static func validate(_ endpoint: String, option: String) throws {
        let schemes = ["tcp://", "ipc://", "inproc://"]
        guard schemes.contains(where: { endpoint.hasPrefix($0) }), endpoint.count > 8 else {
            throw CommandFailure(.usage, "\(option) \(endpoint) is not an endpoint: write tcp://HOST:PORT (PORT may be *), ipc:///path/to/socket or inproc://name")
        }
    }
}
