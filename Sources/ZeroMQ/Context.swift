import CZeroMQ

/// A libzmq context: the container of I/O threads that every ``Socket`` belongs to.
///
/// A context is thread-safe and `Sendable`: share one per process (or one per component
/// that must shut down on its own). It stays alive as long as any of its sockets does;
/// when the last reference goes, the context is terminated.
///
/// ```swift
/// let context = try Context()
/// let publisher = try context.socket(.pub)
/// ```
package final class Context: Sendable {
    // libzmq contexts are documented as thread-safe; the pointer itself never changes.
    nonisolated(unsafe) let handle: UnsafeMutableRawPointer

    /// Creates a context with `ioThreads` background I/O threads (libzmq's default is 1,
    /// enough for about a gigabyte per second of traffic).
    package init(ioThreads: Int32 = 1) throws {
        guard ioThreads >= 0 else {
            throw ZMQError.invalidArgument("Context(ioThreads: \(ioThreads))", "ioThreads must not be negative")
        }
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        if ioThreads != 1, zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) != 0 {
            let error = ZMQError.last("zmq_ctx_set(ZMQ_IO_THREADS, \(ioThreads))")
            zmq_ctx_term(handle)
            throw error
        }
        self.handle = handle
    }

    deinit {
        // Sockets keep their context alive, so by now every socket is closed and
        // this call does not block on open sockets.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// Opens a new socket of `type` in this context.
    package func socket(_ type: SocketType) throws -> Socket {
        try Socket(context: self, type: type)
    }

    /// Makes every blocking call on this context's sockets return ``ZMQError`` with
    /// `ETERM` (``ZMQError/isContextTerminated``), so threads blocked in `receive` wake up.
    /// Sockets must still be released afterwards.
    package func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    /// The libzmq version this process runs against, for example `(4, 3, 4)`.
    package static var libraryVersion: (major: Int32, minor: Int32, patch: Int32) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (major, minor, patch)
    }

    /// Whether libzmq was built with `capability`, for example `"curve"` or `"ipc"`.
    package static func has(_ capability: String) -> Bool {
        zmq_has(capability) != 0
    }
}
