import Foundation

/// A serial executor that runs its jobs on one dedicated OS thread.
///
/// Blocking libzmq calls made by an actor on this executor block that thread only, never a
/// thread of Swift's cooperative pool. The thread ends when ``stop()`` is called, which
/// ``SocketActor`` does when it is released.
package final class SocketThread: SerialExecutor, @unchecked Sendable {
    // All mutable state is guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    /// Starts a thread named `name`.
    package init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    package func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Lets the thread finish the jobs already queued and exit.
    package func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty && stopped {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedSerialExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}

/// Uses a ``Socket`` from async code without blocking Swift's cooperative thread pool.
///
/// The actor owns the socket and runs on its own ``SocketThread``, so every call reaches
/// the socket from that one thread — libzmq's rule — and a blocking receive parks only that
/// thread. Receives check for task cancellation every `pollInterval`.
///
/// ```swift
/// let subscriber = try context.socket(.sub)
/// try subscriber.set(.subscribe, [])
/// try subscriber.connect(endpoint)
/// let actor = SocketActor(subscriber)
/// let message = try await actor.receive()          // suspends the task, not a pool thread
/// try await actor.withSocket { try $0.set(.subscribe, Array("iom.".utf8)) }
/// ```
package actor SocketActor {
    private let socket: Socket
    private let thread: SocketThread
    /// The pattern of the owned socket.
    package nonisolated let type: SocketType

    package nonisolated var unownedExecutor: UnownedSerialExecutor {
        thread.asUnownedSerialExecutor()
    }

    /// Takes ownership of `socket`; the caller can no longer use it.
    package init(_ socket: sending Socket, name: String? = nil) {
        self.type = socket.type
        self.thread = SocketThread(name: name ?? "zmq.\(socket.type)")
        self.socket = socket
    }

    deinit {
        thread.stop()
    }

    /// Runs `body` with the socket on the actor's thread. Use it for options, bind, connect
    /// and for batches of work that should not hop between threads per message.
    package func withSocket<Result: Sendable>(_ body: @Sendable (Socket) throws -> Result) throws -> Result {
        try body(socket)
    }

    /// Sends a multipart message, waiting as long as needed for room.
    package func send(_ message: [[UInt8]]) throws {
        try socket.send(message)
    }

    /// Receives the next message. The wait happens on the actor's own thread; the calling
    /// task is suspended, and cancelling it ends the wait within `pollInterval` with
    /// `CancellationError`.
    package func receive(pollInterval: Duration = .milliseconds(50)) throws -> [[UInt8]] {
        while true {
            try Task.checkCancellation()
            if let message = try socket.receive(timeout: pollInterval) { return message }
        }
    }

    /// Receives the next message, waiting at most `timeout`; `nil` on timeout.
    package func receive(timeout: Duration) throws -> [[UInt8]]? {
        try socket.receive(timeout: timeout)
    }
}
