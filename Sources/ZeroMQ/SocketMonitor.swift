import CZeroMQ
import Synchronization

/// Something that happened to a socket's connections, reported by a ``SocketMonitor``.
package struct MonitorEvent: Sendable, Hashable, CustomStringConvertible {
    /// The kind of event.
    package let kind: Kind
    /// The event's value: a file descriptor, an errno, or a reconnect interval, by kind.
    package let value: UInt32
    /// The endpoint the event concerns.
    package let endpoint: String

    /// The connection events a monitor reports.
    package enum Kind: Sendable, Hashable {
        /// An outgoing connection was established.
        case connected
        /// An outgoing connection attempt is pending.
        case connectDelayed
        /// A reconnection attempt was scheduled.
        case connectRetried
        /// The socket is listening on an endpoint.
        case listening
        /// A bind failed.
        case bindFailed
        /// An incoming connection was accepted.
        case accepted
        /// An incoming connection could not be accepted.
        case acceptFailed
        /// A connection was closed.
        case closed
        /// A connection could not be closed.
        case closeFailed
        /// A peer went away unexpectedly.
        case disconnected
        /// The ZMTP handshake (and, with security, authentication) succeeded.
        case handshakeSucceeded
        /// The handshake failed for a reason libzmq does not detail (for example a timeout).
        case handshakeFailed
        /// The handshake failed because the peer broke the protocol (for example CURVE with
        /// the wrong server key, or a plain peer talking to a CURVE server).
        case handshakeFailedProtocol
        /// Authentication failed: the ZAP handler refused the peer.
        case authenticationFailed
        /// The monitor stopped.
        case monitorStopped
        /// An event this wrapper does not name.
        case other(UInt16)
    }

    package var description: String { "\(kind) \(endpoint) (\(value))" }
}

extension MonitorEvent.Kind {
    init(code: UInt16) {
        switch Int32(code) {
        case ZMQ_EVENT_CONNECTED: self = .connected
        case ZMQ_EVENT_CONNECT_DELAYED: self = .connectDelayed
        case ZMQ_EVENT_CONNECT_RETRIED: self = .connectRetried
        case ZMQ_EVENT_LISTENING: self = .listening
        case ZMQ_EVENT_BIND_FAILED: self = .bindFailed
        case ZMQ_EVENT_ACCEPTED: self = .accepted
        case ZMQ_EVENT_ACCEPT_FAILED: self = .acceptFailed
        case ZMQ_EVENT_CLOSED: self = .closed
        case ZMQ_EVENT_CLOSE_FAILED: self = .closeFailed
        case ZMQ_EVENT_DISCONNECTED: self = .disconnected
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: self = .handshakeSucceeded
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: self = .handshakeFailed
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: self = .handshakeFailedProtocol
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: self = .authenticationFailed
        case ZMQ_EVENT_MONITOR_STOPPED: self = .monitorStopped
        default: self = .other(code)
        }
    }
}

/// Receives a socket's connection events (`zmq_socket_monitor`) on an internal PAIR socket.
///
/// ```swift
/// let monitor = try publisher.monitor()
/// while let event = try monitor.next(timeout: .seconds(1)) {
///     if event.kind == .authenticationFailed { print("refused", event.endpoint) }
/// }
/// ```
package final class SocketMonitor {
    private static let counter = Atomic<UInt64>(0)
    private let socket: Socket
    /// The inproc endpoint libzmq publishes the events on.
    package let endpoint: String

    init(monitoring target: Socket) throws {
        let number = Self.counter.wrappingAdd(1, ordering: .relaxed).newValue
        endpoint = "inproc://iomkit.monitor.\(number)"
        guard zmq_socket_monitor(target.handle, endpoint, ZMQ_EVENT_ALL) == 0 else {
            throw ZMQError.last("zmq_socket_monitor(\(target.type))")
        }
        socket = try target.context.socket(.pair)
        try socket.connect(endpoint)
    }

    /// The next event, waiting at most `timeout`; `nil` when none came in time.
    package func next(timeout: Duration) throws -> MonitorEvent? {
        guard let frames = try socket.receive(timeout: timeout) else { return nil }
        return try Self.parse(frames)
    }

    /// The next event if one is waiting.
    package func tryNext() throws -> MonitorEvent? {
        guard let frames = try socket.tryReceive() else { return nil }
        return try Self.parse(frames)
    }

    static func parse(_ frames: [[UInt8]]) throws -> MonitorEvent {
        guard frames.count == 2, frames[0].count == 6 else {
            throw ZMQError.invalidArgument("SocketMonitor", "unexpected monitor message of \(frames.count) frames")
        }
        let head = frames[0]
        let code = UInt16(head[0]) | UInt16(head[1]) << 8
        let value = UInt32(head[2]) | UInt32(head[3]) << 8 | UInt32(head[4]) << 16 | UInt32(head[5]) << 24
        return MonitorEvent(kind: .init(code: code), value: value, endpoint: String(decoding: frames[1], as: UTF8.self))
    }
}

@available(*, unavailable, message: "A monitor owns a socket, which belongs to one thread at a time.")
extension SocketMonitor: Sendable {}

extension Socket {
    /// Starts monitoring this socket's connections. Keep the returned monitor and read it
    /// from the same thread as the socket or hand it to its own thread.
    package func monitor() throws -> SocketMonitor {
        try SocketMonitor(monitoring: self)
    }
}
