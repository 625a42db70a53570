import ZeroMQ

/// Why a bridge could not start or a sync request failed.
public enum BridgeError: Error, Sendable, CustomStringConvertible {
    /// An endpoint could not be bound or connected (malformed address, address in use, bad key).
    case endpoint(String, ZMQError)
    /// A setting is out of range; the message says which and why.
    case configuration(String)
    /// The publisher answered a sync request with ERROR (`Protocols/bridge.md` §9.5).
    case refused(code: String, message: String)
    /// The store behind a publisher failed.
    case store(String)
    /// The bridge was stopped.
    case stopped

    public var description: String {
        switch self {
        case .endpoint(let endpoint, let error):
            if error.isAddressInUse { return "\(endpoint) is already in use: pick another port, or `tcp://127.0.0.1:*` for any free one" }
            return "\(endpoint): \(error)"
        case .configuration(let message): return "bad bridge configuration: \(message)"
        case .refused(let code, let message): return "publisher refused the request: \(code): \(message)"
        case .store(let message): return "store: \(message)"
        case .stopped: return "the bridge is stopped"
        }
    }
}
