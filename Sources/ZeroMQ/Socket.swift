import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A ZeroMQ socket: bind or connect it, then send and receive multipart messages of
/// byte frames.
///
/// libzmq sockets are **not thread-safe**: one thread at a time may use a socket. This is
/// enforced by the type system: `Socket` is a class that is *not* `Sendable`, so Swift 6
/// refuses to capture it in two concurrent tasks. A socket can still be handed over as a
/// whole to another isolation domain (a `sending` value), which is what ``SocketActor``
/// does to let async code use a socket from one dedicated thread.
///
/// Frames are plain bytes (`[UInt8]`) of any size; a message is `[[UInt8]]`.
///
/// ```swift
/// let context = try Context()
/// let pull = try context.socket(.pull)
/// try pull.bind("tcp://127.0.0.1:*")
/// let push = try context.socket(.push)
/// try push.connect(try pull.lastEndpoint)
/// try push.send([Array("topic".utf8), [1, 2, 3]])
/// let message = try pull.receive()   // [[116, 111, 112, 105, 99], [1, 2, 3]]
/// ```
///
/// A new socket has a linger period of zero: closing it discards unsent messages instead
/// of blocking the process. Set ``SocketOption/linger`` to keep them.
package final class Socket {
    /// The context the socket belongs to (kept alive by the socket).
    package let context: Context
    /// The socket's pattern.
    package let type: SocketType
    let handle: UnsafeMutableRawPointer
    /// One `zmq_msg_t` reused by every receive, so receiving allocates only the frame bytes.
    private let scratch: UnsafeMutablePointer<zmq_msg_t>

    init(context: Context, type: SocketType) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket(\(type))")
        }
        var zero: Int32 = 0
        zmq_setsockopt(handle, ZMQ_LINGER, &zero, MemoryLayout<Int32>.size)
        self.context = context
        self.type = type
        self.handle = handle
        scratch = .allocate(capacity: 1)
        zmq_msg_init(scratch)
    }

    deinit {
        zmq_msg_close(scratch)
        scratch.deallocate()
        zmq_close(handle)
    }

    // MARK: Endpoints

    /// Binds to `endpoint`, for example `tcp://127.0.0.1:*` (any free port), `ipc:///tmp/x.sock`
    /// or `inproc://name`. Read the real endpoint back with ``lastEndpoint``.
    ///
    /// - Throws: ``ZMQError`` naming the endpoint: `EINVAL` for a malformed endpoint,
    ///   `EADDRINUSE` (``ZMQError/isAddressInUse``) when the port is taken,
    ///   `EPROTONOSUPPORT` for an unknown transport.
    package func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw ZMQError.last("bind(\"\(endpoint)\")") }
    }

    /// Connects to `endpoint`. The connection itself is made in the background and retried
    /// by libzmq; only a malformed endpoint fails here.
    package func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw ZMQError.last("connect(\"\(endpoint)\")") }
    }

    /// Stops listening on an endpoint given to ``bind(_:)`` (use the resolved endpoint
    /// from ``lastEndpoint`` for wildcard binds).
    package func unbind(_ endpoint: String) throws {
        guard zmq_unbind(handle, endpoint) == 0 else { throw ZMQError.last("unbind(\"\(endpoint)\")") }
    }

    /// Drops a connection made with ``connect(_:)``.
    package func disconnect(_ endpoint: String) throws {
        guard zmq_disconnect(handle, endpoint) == 0 else { throw ZMQError.last("disconnect(\"\(endpoint)\")") }
    }

    /// The endpoint of the last bind or connect, with wildcards resolved:
    /// `tcp://127.0.0.1:*` reads back as `tcp://127.0.0.1:41235`.
    package var lastEndpoint: String {
        get throws { try get(.lastEndpoint) }
    }

    // MARK: Sending

    /// Sends a multipart message, waiting as long as needed for room (high-water mark).
    ///
    /// - Throws: ``ZMQError``; an empty message is refused (`EINVAL`): send `[[]]` for one
    ///   empty frame.
    package func send(_ message: [[UInt8]]) throws {
        _ = try send(message, wait: .forever)
    }

    /// Sends a multipart message without waiting. Returns `false` when the message could not
    /// be queued right now (high-water mark reached, or no peer for patterns that need one).
    package func trySend(_ message: [[UInt8]]) throws -> Bool {
        try send(message, wait: .never)
    }

    /// Sends a multipart message, waiting at most `timeout` for room. Returns `false` on timeout.
    package func send(_ message: [[UInt8]], timeout: Duration) throws -> Bool {
        try send(message, wait: .until(timeout))
    }

    /// Sends one frame of a message straight from memory, with no intermediate array:
    /// `more: true` means further frames of the same message follow.
    /// Returns `false` only when `wait` is not ``Wait/forever`` and the frame could not be queued.
    @discardableResult
    package func send(bytes: UnsafeRawBufferPointer, more: Bool = false, wait: Wait = .forever) throws -> Bool {
        if case .until(let timeout) = wait, try !self.wait(for: ZMQ_POLLOUT, timeout: timeout) {
            return false
        }
        let flags = (more ? ZMQ_SNDMORE : 0) | (wait == .forever ? 0 : ZMQ_DONTWAIT)
        while zmq_send(handle, bytes.baseAddress, bytes.count, flags) < 0 {
            let code = zmq_errno()
            if code == EINTR { continue }
            if code == EAGAIN && wait != .forever { return false }
            throw ZMQError.last("send(\(type), \(bytes.count) bytes)")
        }
        return true
    }

    /// Sends one frame from an array; see ``send(bytes:more:wait:)``.
    @discardableResult
    package func send(frame: [UInt8], more: Bool = false, wait: Wait = .forever) throws -> Bool {
        try frame.withUnsafeBytes { try send(bytes: $0, more: more, wait: wait) }
    }

    /// Sends a multipart message, waiting as `wait` says for room; returns `false` when it could
    /// not be queued in that time (nothing was sent).
    @discardableResult
    public func send(_ message: [[UInt8]], wait: Wait) throws -> Bool {
        guard let first = message.first else {
            throw ZMQError.invalidArgument("send(\(type))", "a message needs at least one frame")
        }
        guard try send(frame: first, more: message.count > 1, wait: wait) else { return false }
        // Once the first frame is queued libzmq accepts the rest of the message atomically.
        for index in message.indices.dropFirst() {
            try send(frame: message[index], more: index < message.count - 1, wait: .forever)
        }
        return true
    }

    // MARK: Receiving

    /// Receives one whole multipart message, waiting as long as needed.
    package func receive() throws -> [[UInt8]] {
        // `.forever` never returns nil.
        try receive(wait: .forever)!
    }

    /// Receives a message if one is ready, or returns `nil` at once.
    package func tryReceive() throws -> [[UInt8]]? {
        try receive(wait: .never)
    }

    /// Receives a message, waiting at most `timeout`; `nil` on timeout.
    package func receive(timeout: Duration) throws -> [[UInt8]]? {
        try receive(wait: .until(timeout))
    }

    /// Receives one frame and hands its bytes to `body` without copying them into an array.
    /// The buffer is valid only inside `body`. `more` tells whether further frames of the same
    /// message follow. Returns `nil` when `wait` allows giving up and nothing arrived.
    package func receiveFrame<Result>(
        wait: Wait = .forever,
        _ body: (_ bytes: UnsafeRawBufferPointer, _ more: Bool) throws -> Result
    ) throws -> Result? {
        if case .until(let timeout) = wait, try !self.wait(for: ZMQ_POLLIN, timeout: timeout) {
            return nil
        }
        let flags = wait == .forever ? 0 : ZMQ_DONTWAIT
        while zmq_msg_recv(scratch, handle, flags) < 0 {
            let code = zmq_errno()
            if code == EINTR { continue }
            if code == EAGAIN && wait != .forever { return nil }
            throw ZMQError.last("receive(\(type))")
        }
        let bytes = UnsafeRawBufferPointer(start: zmq_msg_data(scratch), count: zmq_msg_size(scratch))
        return try body(bytes, zmq_msg_more(scratch) != 0)
    }

    /// Receives a multipart message, waiting as `wait` says; `nil` when none arrived in that time.
    public func receive(wait: Wait) throws -> [[UInt8]]? {
        var message: [[UInt8]] = []
        func keep(_ bytes: UnsafeRawBufferPointer, _ more: Bool) -> Bool {
            message.append(Array(bytes))
            return more
        }
        guard var more = try receiveFrame(wait: wait, keep) else { return nil }
        // The rest of a multipart message is already here: libzmq delivers messages whole.
        while more { more = try receiveFrame(wait: .forever, keep)! }
        return message
    }

    /// Waits until the socket is readable (`ZMQ_POLLIN`) or writable (`ZMQ_POLLOUT`).
    func wait(for events: Int32, timeout: Duration) throws -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(events), revents: 0)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let remaining = max(clock.now.duration(to: deadline), .zero)
            let rc = zmq_poll(&item, 1, remaining.roundedUpMilliseconds)
            if rc > 0 { return true }
            if rc == 0 { return false }
            if zmq_errno() != EINTR { throw ZMQError.last("poll(\(type))") }
        }
    }
}

/// How long a send or receive may wait.
package enum Wait: Sendable, Hashable {
    /// Block until the operation can be done.
    case forever
    /// Do not wait at all.
    case never
    /// Wait at most this long.
    case until(Duration)
}

@available(*, unavailable, message: "A libzmq socket may be used by one thread at a time; hand it to a SocketActor to use it from async code.")
extension Socket: Sendable {}

extension Duration {
    /// Milliseconds, rounded up so that a positive duration never becomes a zero wait.
    var roundedUpMilliseconds: Int {
        let (seconds, attoseconds) = components
        let millis = seconds * 1_000 + attoseconds / 1_000_000_000_000_000
        let remainder = attoseconds % 1_000_000_000_000_000
        return Int(clamping: remainder > 0 ? millis + 1 : millis)
    }
}
