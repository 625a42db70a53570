import ChangeBus
import ZeroMQ

/// Why a bridge could not start, or why a bridge subscriber's change sequence ended.
///
/// Its ``code`` says what happened; ``endpoint`` and ``errno`` say where, when an endpoint is
/// the problem. New codes may come in any release, so a `switch` over codes ends with `default:`.
///
/// ```swift
/// do { let replica = try Replica.start(configuration) } catch {
///     if error.code == .endpoint, error.isAddressInUse { print("\(error.endpoint!) is taken") }
/// }
/// ```
public struct BridgeError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Compare with `==` or `switch` over the static members; a `switch`
    /// needs a `default:` (codes may be added).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// An endpoint could not be bound or connected (malformed address, address in use, bad
        /// key): ``BridgeError/endpoint`` and ``BridgeError/errno`` say which and why.
        public static let endpoint = Code("endpoint")
        /// A setting is out of range or inconsistent; the message says which and why.
        public static let configuration = Code("configuration")
        /// The subscriber met a change it can never deliver (the publisher's journal gives it
        /// undecodable, or replays keep leaving it out) and stopped (`Protocols/bridge.md` §8.8);
        /// the message names the source, sequence and reason.
        public static let undeliverable = Code("undeliverable")
        /// A change sequence fell `capacity` changes behind and was cut off.
        public static let subscriberTooSlow = Code("subscriberTooSlow")
        /// A change sequence asked to start from a sequence that is no longer (or not yet) held.
        public static let replayUnavailable = Code("replayUnavailable")
        /// An argument is out of range (a capacity below 1 or above the maximum).
        public static let invalidArgument = Code("invalidArgument")

        /// The code's name, as in `BridgeError.Code.endpoint`.
        public var description: String { name }
    }

    /// What went wrong.
    public let code: Code
    /// The endpoint concerned (``Code/endpoint``).
    public let endpoint: String?
    /// The C `errno` libzmq reported for the endpoint (``Code/endpoint``), e.g. `EADDRINUSE`.
    public let errno: Int32?
    /// What happened, in words.
    public let message: String
    /// The libzmq failure behind an endpoint error.
    package let zmq: ZMQError?

    package init(_ code: Code, endpoint: String? = nil, zmq: ZMQError? = nil, message: String) {
        self.code = code
        self.endpoint = endpoint
        self.errno = zmq?.code
        self.zmq = zmq
        self.message = message
    }

    /// `true` when the endpoint's address is already in use by another socket or process.
    public var isAddressInUse: Bool { zmq?.isAddressInUse ?? false }

    /// What happened and what to do.
    public var description: String {
        switch code {
        case .endpoint:
            if isAddressInUse, let endpoint { return "\(endpoint) is already in use: pick another port, or `tcp://127.0.0.1:*` for any free one" }
            return "\(endpoint ?? "endpoint"): \(message)"
        case .configuration: return "bad bridge configuration: \(message)"
        default: return message
        }
    }

    package static func endpoint(_ endpoint: String, _ error: ZMQError) -> BridgeError {
        BridgeError(.endpoint, endpoint: endpoint, zmq: error, message: error.description)
    }

    package static func configuration(_ message: String) -> BridgeError {
        BridgeError(.configuration, message: message)
    }

    package static func bus(_ error: ChangeBusError) -> BridgeError {
        let code: Code = switch error {
        case .producerFailed: .undeliverable
        case .disconnectedSlowSubscriber: .subscriberTooSlow
        case .sequenceNoLongerHeld, .sequenceNotYetPublished: .replayUnavailable
        default: .invalidArgument
        }
        return BridgeError(code, message: "\(error)")
    }
}
