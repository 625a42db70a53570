/// The publishers waiting for a full `.wait` subscription to make room, as a pure state type:
/// tasks in `publishWaiting` (each parked with a continuation under a token, so that its timer
/// can take it back) and threads in `publishBlocking` (parked on the bus's condition variable).
///
/// The bus changes it under its lock. When a `.wait` subscription's consumer takes a batch,
/// when a `.wait` subscription goes away and at shutdown, ``roomMade()`` hands out everyone to
/// wake as a ``RoomWakeups`` value that the bus runs after releasing the lock. Each parked
/// task is handed out once: by ``roomMade()`` or by ``cancel(token:)``, whichever comes first.
@usableFromInline
struct RoomWaiters<Continuation> {
    /// Parked tasks by token.
    @usableFromInline var tasks: [UInt64: Continuation] = [:]
    @usableFromInline var lastToken: UInt64 = 0
    /// Threads waiting on the bus's condition variable.
    @usableFromInline var blockedThreads = 0

    @inlinable
    init() {}

    /// Whether nobody waits (checked on every batch a `.wait` consumer takes).
    @inlinable @inline(__always)
    var isEmpty: Bool { blockedThreads == 0 && tasks.isEmpty }

    /// A token for a task about to park (its timer uses it to take the task back).
    @inlinable
    mutating func makeToken() -> UInt64 {
        lastToken &+= 1
        return lastToken
    }

    /// Parks a task's continuation under `token`.
    @inlinable
    mutating func park(_ continuation: Continuation, token: UInt64) {
        tasks[token] = continuation
    }

    /// Takes a parked task back (its deadline passed): the continuation to resume, or `nil`
    /// if room was made first and it was handed out already.
    @inlinable
    mutating func cancel(token: UInt64) -> Continuation? {
        tasks.removeValue(forKey: token)
    }

    /// A thread is about to wait on the condition variable.
    @inlinable
    mutating func threadWillWait() { blockedThreads += 1 }

    /// A thread stopped waiting (woken or timed out).
    @inlinable
    mutating func threadDidWait() {
        precondition(blockedThreads > 0, "ChangeBus: more threads stopped waiting than started")
        blockedThreads -= 1
    }

    /// Room was made (or the bus shut down): everyone who waits is to be woken. Parked tasks
    /// leave the list; blocked threads stay counted until they stop waiting, but are signalled.
    @inlinable
    mutating func roomMade() -> RoomWakeups<Continuation> {
        var woken: [UInt64: Continuation] = [:]
        if !tasks.isEmpty { swap(&woken, &tasks) }
        return RoomWakeups(tasks: woken, signalThreads: blockedThreads > 0)
    }
}

/// Publishers to wake because room was made: what ``RoomWaiters/roomMade()`` decided under the
/// lock, run after it is released. Not copyable, so nobody is woken twice.
@usableFromInline
struct RoomWakeups<Continuation>: ~Copyable {
    /// Parked tasks to resume.
    @usableFromInline var tasks: [UInt64: Continuation]
    /// Whether to signal the threads waiting on the condition variable.
    @usableFromInline var signalThreads: Bool

    @inlinable
    init(tasks: [UInt64: Continuation] = [:], signalThreads: Bool = false) {
        self.tasks = tasks
        self.signalThreads = signalThreads
    }

    /// Whether there is anyone to wake.
    @inlinable
    var isEmpty: Bool { !signalThreads && tasks.isEmpty }

    /// Resumes each task with `resume` and, if threads wait, calls `signal` once.
    @inlinable
    consuming func run(resume: (Continuation) -> Void, signal: () -> Void) {
        for (_, continuation) in tasks { resume(continuation) }
        if signalThreads { signal() }
    }
}

extension RoomWakeups where Continuation == UnsafeContinuation<Void, Never> {
    /// Resumes the parked tasks and wakes the threads waiting on `condition`. After unlocking.
    @inlinable
    consuming func run(_ condition: PThreadCondition) {
        run(resume: { $0.resume() }, signal: { condition.broadcast() })
    }
}
