/// The consumer side of one subscription as a pure state machine: whether its consumer is
/// parked (and with which continuation) and whether — and how — the subscription has ended.
///
/// It never resumes anything and takes no lock. The bus calls it while holding its lock; every
/// transition that must wake the consumer *returns* the parked continuation, and the caller
/// resumes it after releasing the lock (as swift-nio's async sequences do). A parked
/// continuation is handed out exactly once: whichever of ``delivered()`` and
/// ``finish(failure:)`` comes first takes it.
///
/// Generic over the continuation so that its tests can drive it with plain values.
@usableFromInline
struct ConsumerState<Continuation> {
    /// The consumer's continuation while it waits for changes.
    @usableFromInline var parked: Continuation?
    /// The subscription has ended (shutdown, cancel, cut-off); nothing more will arrive.
    @usableFromInline var finished = false
    /// What the consumer throws once it has taken everything pending (first ending wins).
    @usableFromInline var failure: ChangeBusError?

    @inlinable
    init() {}

    /// What a consumer whose local batch is empty does next.
    @usableFromInline
    enum Next: Equatable, Sendable {
        /// Take the pending changes (and the missed range) as the next batch.
        case take
        /// Nothing is pending and the subscription ended with this error: throw it.
        case fail(ChangeBusError)
        /// Nothing is pending and the subscription finished: return `nil`.
        case end
        /// Nothing is pending yet: park (see ``park(_:hasPending:)``).
        case park
    }

    /// Whether a consumer is parked.
    @inlinable
    var isParked: Bool { parked != nil }

    /// Decides what a consumer with an empty local batch does. Pending changes come first,
    /// even after the subscription ended, so a consumer drains them before it sees the end.
    @inlinable
    func next(hasPending: Bool) -> Next {
        if hasPending { return .take }
        if let failure { return .fail(failure) }
        if finished { return .end }
        return .park
    }

    /// Parks the consumer's continuation — unless changes arrived or the subscription ended
    /// since ``next(hasPending:)`` said `.park`: then it is returned, to be resumed at once.
    ///
    /// A subscription is consumed from one task: a second consumer parking while one is
    /// parked is a programming error (its wake-up would be lost), so it stops the process.
    @inlinable
    mutating func park(_ continuation: Continuation, hasPending: Bool) -> Continuation? {
        precondition(parked == nil, "ChangeBus: two iterators of one subscription wait at once; consume a subscription from one task")
        if hasPending || finished { return continuation }
        parked = continuation
        return nil
    }

    /// A change (or a gap) was added to the subscription: the parked continuation to resume,
    /// if a consumer is parked.
    @inlinable @inline(__always)
    mutating func delivered() -> Continuation? {
        guard let continuation = parked else { return nil }
        parked = nil
        return continuation
    }

    /// The subscription ends. `failure`, if given, is what the consumer throws after the
    /// pending changes — unless an earlier ending already decided. Returns the parked
    /// continuation to resume, if any.
    @inlinable
    mutating func finish(failure: ChangeBusError?) -> Continuation? {
        finished = true
        if self.failure == nil { self.failure = failure }
        return delivered()
    }
}
