import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which readiness a ``Poller`` waits for.
package struct PollEvents: OptionSet, Sendable, Hashable {
    package let rawValue: Int16
    package init(rawValue: Int16) { self.rawValue = rawValue }
    /// A message can be received without blocking.
    package static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// A message can be sent without blocking.
    package static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// Waits on several sockets at once (`zmq_poll`).
///
/// Like a socket, a poller belongs to one thread at a time.
///
/// ```swift
/// var poller = Poller()
/// let events = poller.add(eventsSocket, for: .readable)
/// let replies = poller.add(replySocket, for: .readable)
/// if try poller.poll(timeout: .milliseconds(100)) > 0 {
///     if poller.events(at: events).contains(.readable) { … }
/// }
/// ```
package struct Poller {
    private var sockets: [Socket] = []
    private var items: [zmq_pollitem_t] = []

    /// An empty poller.
    package init() {}

    /// Adds `socket`, returns its index for ``events(at:)``.
    @discardableResult
    package mutating func add(_ socket: Socket, for events: PollEvents) -> Int {
        sockets.append(socket)
        items.append(zmq_pollitem_t(socket: socket.handle, fd: 0, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Adds a file descriptor (a pipe's read end that another thread writes to wake the poller,
    /// for instance), returns its index for ``events(at:)``.
    @discardableResult
    package mutating func add(fileDescriptor: Int32, for events: PollEvents) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// The number of sockets and file descriptors in the poller.
    package var count: Int { items.count }

    /// Waits until at least one socket is ready or `timeout` passes (`nil` waits forever).
    /// Returns how many sockets are ready.
    package mutating func poll(timeout: Duration?) throws -> Int {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        while true {
            let millis = deadline.map { max(clock.now.duration(to: $0), .zero).roundedUpMilliseconds } ?? -1
            let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), millis) }
            if rc >= 0 { return Int(rc) }
            if zmq_errno() != EINTR { throw ZMQError.last("zmq_poll(\(items.count) sockets)") }
        }
    }

    /// What the socket at `index` was ready for after the last ``poll(timeout:)``.
    package func events(at index: Int) -> PollEvents {
        PollEvents(rawValue: items[index].revents)
    }
}

@available(*, unavailable, message: "A poller holds sockets, which belong to one thread at a time.")
extension Poller: Sendable {}
