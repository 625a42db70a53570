/// The consumers a bus operation must wake, collected while the bus's lock is held and resumed
/// after it is released.
///
/// The common case is zero or one continuation per publish, and a publish wakes each parked
/// subscription at most once, so the first four live inline (on the caller's stack): waking
/// four or fewer consumers allocates nothing. More (a shutdown, a publish that wakes five or
/// more parked consumers at once) go to an array.
///
/// Not copyable, so a continuation cannot be resumed twice through a copy; ``run(_:)``
/// consumes it. Generic over the continuation so that its tests can use plain values.
@usableFromInline
struct WakeList<Continuation>: ~Copyable {
    @usableFromInline var c0: Continuation?
    @usableFromInline var c1: Continuation?
    @usableFromInline var c2: Continuation?
    @usableFromInline var c3: Continuation?
    @usableFromInline var overflow: [Continuation]?
    /// How many continuations the list holds.
    @usableFromInline var count = 0

    /// How many continuations live inline before the list allocates.
    @inlinable
    static var inlineCapacity: Int { 4 }

    @inlinable @inline(__always)
    init() {}

    @inlinable @inline(__always)
    var isEmpty: Bool { count == 0 }

    /// Adds a continuation to resume later.
    @inlinable @inline(__always)
    mutating func append(_ continuation: Continuation) {
        switch count {
        case 0: c0 = continuation
        case 1: c1 = continuation
        case 2: c2 = continuation
        case 3: c3 = continuation
        default:
            if overflow == nil { overflow = [] }
            overflow!.append(continuation)
        }
        count &+= 1
    }

    /// Calls `body` with each continuation, in the order they were added. Call it after the
    /// lock is released.
    @inlinable @inline(__always)
    consuming func run(_ body: (Continuation) -> Void) {
        guard count > 0 else { return }
        body(c0.unsafelyUnwrapped)
        guard count > 1 else { return }
        body(c1.unsafelyUnwrapped)
        guard count > 2 else { return }
        body(c2.unsafelyUnwrapped)
        guard count > 3 else { return }
        body(c3.unsafelyUnwrapped)
        if let overflow { for continuation in overflow { body(continuation) } }
    }
}

extension WakeList where Continuation == UnsafeContinuation<Void, Never> {
    /// Resumes every continuation. Call it after the lock is released.
    @inlinable @inline(__always)
    consuming func resumeAll() {
        run { $0.resume() }
    }
}
