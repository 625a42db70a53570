/// Why a ``ChangeBus`` operation failed. Every case says what happened and what to do.
@usableFromInline package enum ChangeBusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `publish` was called after ``ChangeBus/shutdown(failing:)``.
    case shutDown
    /// A subscription was asked for with a capacity below 1.
    case invalidCapacity(Int)
    /// A subscription's capacity is larger than the bus allows.
    case capacityTooLarge(requested: Int, maximum: Int)
    /// A subscriber asked to start from a sequence number the replay window no longer holds.
    case sequenceNoLongerHeld(requested: UInt64, oldestHeld: UInt64)
    /// A subscriber asked to start from a sequence number that has not been published yet.
    case sequenceNotYetPublished(requested: UInt64, next: UInt64)
    /// A `.wait` subscriber stayed full for longer than its timeout.
    case publishTimedOut(subscription: Int, timeout: Duration)
    /// The synchronous `publish` met a full `.wait` subscriber; use `publishWaiting` to wait.
    case subscriberFullUseAsyncPublish(subscription: Int)
    /// The subscription used `.disconnect` and fell `capacity` changes behind.
    case disconnectedSlowSubscriber(subscription: Int, capacity: Int, lastDelivered: UInt64)
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// The bus's producer stopped because it cannot go on (``ChangeBus/shutdown(failing:)``);
    /// the reason says what failed and where.
    case producerFailed(String)

    @usableFromInline package var description: String {
        switch self {
        case .shutDown:
            return "ChangeBus: the bus has been shut down; publishing is no longer possible"
        case .invalidCapacity(let c):
            return "ChangeBus: subscription capacity must be at least 1, got \(c)"
        case .capacityTooLarge(let r, let m):
            return "ChangeBus: subscription capacity \(r) exceeds the bus maximum \(m)"
        case .sequenceNoLongerHeld(let r, let o):
            return "ChangeBus: sequence \(r) is no longer held in the replay window; oldest held is \(o)"
        case .sequenceNotYetPublished(let r, let n):
            return "ChangeBus: sequence \(r) has not been published yet; next sequence is \(n)"
        case .publishTimedOut(let s, let t):
            return "ChangeBus: subscription \(s) stayed full for \(t) (policy .wait); publish gave up"
        case .subscriberFullUseAsyncPublish(let s):
            return "ChangeBus: subscription \(s) is full and uses .wait; call publishWaiting to wait for it"
        case .disconnectedSlowSubscriber(let s, let c, let l):
            return "ChangeBus: subscription \(s) fell \(c) changes behind (policy .disconnect) and was cut off after sequence \(l)"
        case .invalidConfiguration(let m):
            return "ChangeBus: invalid configuration: \(m)"
        case .producerFailed(let reason):
            return "ChangeBus: the producer stopped: \(reason)"
        }
    }
}
