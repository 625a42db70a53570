/// The consumers a bus operation must wake, collected while the bus's lock is held and resumed
/// after it is released.
///
/// The common case is zero or one continuation per publish, and a publish wakes each parked
/// subscription at most once, so the first four live inline (on the caller's stack): waking
/// four or fewer consumers allocates nothing. More (a shutdown, a publish that wakes five or
/// more parked consumers at once) go to a block of memory that ``run(_:)`` frees. Every stored
/// property is a plain value (no reference to release), so a list that stays empty — the hot
/// path — costs a few stores and one test.
///
/// Not copyable, so a continuation cannot be resumed twice through a copy; ``run(_:)``
/// consumes it and must be called on every list (that is what frees the overflow block).
/// Generic over the continuation so that its tests can use plain values.
@usableFromInline
struct WakeList<Continuation>: ~Copyable {
    @usableFromInline var c0: Continuation?
    @usableFromInline var c1: Continuation?
    @usableFromInline var c2: Continuation?
    @usableFromInline var c3: Continuation?
    /// Continuations beyond the inline four, `count - 4` of them initialised.
    @usableFromInline var overflow: UnsafeMutablePointer<Continuation>?
    @usableFromInline var overflowCapacity = 0
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
        default: appendToOverflow(continuation)
        }
        count &+= 1
    }

    /// The rare case: a fifth or later continuation.
    @usableFromInline
    mutating func appendToOverflow(_ continuation: Continuation) {
        let index = count - Self.inlineCapacity
        if index == overflowCapacity {
            let capacity = Swift.max(8, overflowCapacity * 2)
            let grown = UnsafeMutablePointer<Continuation>.allocate(capacity: capacity)
            if let overflow {
                grown.moveInitialize(from: overflow, count: index)
                overflow.deallocate()
            }
            overflow = grown
            overflowCapacity = capacity
        }
        (overflow.unsafelyUnwrapped + index).initialize(to: continuation)
    }

    /// Calls `body` with each continuation, in the order they were added, and frees the
    /// overflow block. Call it after the lock is released.
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
        if let overflow { Self.runOverflow(overflow, count: count - Self.inlineCapacity, body) }
    }

    @usableFromInline
    static func runOverflow(_ overflow: UnsafeMutablePointer<Continuation>, count: Int, _ body: (Continuation) -> Void) {
        for i in 0..<count { body(overflow[i]) }
        overflow.deinitialize(count: count)
        overflow.deallocate()
    }
}

extension WakeList where Continuation == UnsafeContinuation<Void, Never> {
    /// Resumes every continuation. Call it after the lock is released.
    @inlinable @inline(__always)
    consuming func resumeAll() {
        run { $0.resume() }
    }
}
