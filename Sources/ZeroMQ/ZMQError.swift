import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An error reported by libzmq, or by this wrapper when an argument is invalid.
///
/// Every failing libzmq call becomes a ``ZMQError`` carrying the operation that failed,
/// the C `errno` and libzmq's own explanation (`zmq_strerror`). Nothing in this module
/// traps or returns a silent `nil` on failure.
///
/// ```swift
/// do {
///     try socket.bind("tcp://127.0.0.1:not-a-port")
/// } catch let error as ZMQError {
///     print(error)  // bind("tcp://127.0.0.1:not-a-port"): Invalid argument (errno 22)
/// }
/// ```
package struct ZMQError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The libzmq call or wrapper operation that failed, with its argument when useful.
    package let operation: String
    /// The C `errno` value (for example `EADDRINUSE`, `EINVAL`, `EAGAIN`, `ETERM`).
    package let code: Int32
    /// libzmq's description of `code`.
    package let message: String

    /// Creates an error for `operation` with an explicit `code` and `message`.
    package init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// The error libzmq just reported for `operation` (reads `zmq_errno`).
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        let code = zmq_errno()
        return ZMQError(operation: operation(), code: code, message: String(cString: zmq_strerror(code)))
    }

    /// An invalid argument detected by the wrapper before calling libzmq.
    static func invalidArgument(_ operation: String, _ reason: String) -> ZMQError {
        ZMQError(operation: operation, code: EINVAL, message: reason)
    }

    package var description: String { "\(operation): \(message) (errno \(code))" }

    /// `true` when the context was terminated (`ETERM`): the socket can no longer be used.
    package var isContextTerminated: Bool { code == ETERM }
    /// `true` when a non-blocking call would have blocked (`EAGAIN`).
    package var isWouldBlock: Bool { code == EAGAIN }
    /// `true` when the address is already in use by another socket or process (`EADDRINUSE`).
    package var isAddressInUse: Bool { code == EADDRINUSE }
}
