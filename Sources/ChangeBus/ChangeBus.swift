import Synchronization

/// A typed, ordered, bounded in-process publish/subscribe bus.
///
/// Every published event gets the bus's next sequence number (strictly increasing, starting
/// at `startSequence`). Each subscription sees the events it selected in publish order, each
/// exactly once, as an `AsyncSequence` of ``Element`` values.
///
/// ```swift
/// let bus = ChangeBus<Change>()
/// let missions = try bus.subscribe(.topic(.mission), capacity: 1024, whenFull: .dropOldest)
/// Task { for try await element in missions { if case .change(let seq, let change) = element { … } } }
/// try bus.publish(Change(topic: .mission, kind: .created))
/// ```
///
/// ## Design
/// - One short lock (a `pthread_mutex_t`) per publish **call** (a batch publish takes it
///   once for the whole batch) assigns sequence numbers, appends to the bounded replay window
///   and appends the event to the pending buffer of every matching subscription. Publishers
///   never wait for consumers except through the `.wait` policy.
/// - Each subscription owns a bounded ring of pending changes (`ElementRing`: one block of
///   memory, written in place). Its iterator *swaps* the ring's contents with its own empty
///   ring under the lock (one lock per batch, no copy, no allocation in steady state) and then
///   serves the local batch synchronously, without suspending, until it is empty.
/// - A consumer only suspends when nothing is pending; it leaves its continuation in its
///   subscription and the next publisher that feeds it takes it out under the lock it already
///   holds ("parked" check — no extra cost when nobody is parked) and resumes it right after
///   releasing the lock. No continuation is ever resumed while the lock is held: decisions are
///   made under the lock, wake-ups run after it.
/// - After waking a consumer, ``publishWaiting(_:)`` yields once every 256 publishes, so a
///   consumer that shares the publisher's thread (or actor) drains small, cache-hot batches
///   instead of waiting until its whole capacity is full.
/// - When a subscription's pending buffer holds `capacity` changes its policy applies:
///   `.wait` makes ``publishWaiting(_:)`` wait until the consumer takes a batch, up to a
///   timeout; `.dropOldest` drops the oldest pending change and records the dropped sequence
///   numbers, delivered as a ``Element/missed(_:)`` element before the newer changes;
///   `.disconnect` ends the subscription with ``ChangeBusError/disconnectedSlowSubscriber(subscription:capacity:lastDelivered:)``.
///   A subscription therefore holds at most `capacity` pending plus one batch (≤ `capacity`)
///   being consumed.
/// - The replay window is a bounded ring of the last `replayWindow` events, so a subscriber
///   can start from a sequence number still held.
@usableFromInline package final class ChangeBus<Event: BusEvent>: Sendable {
    /// What a subscription yields: a change with its sequence number, or the sequence numbers
    /// it missed because it was too slow under `.dropOldest`.
    @usableFromInline package enum Element: Sendable {
        /// A published change and its bus sequence number.
        case change(sequence: UInt64, event: Event)
        /// The subscription missed these changes (first...last of the dropped ones it had selected).
        case missed(ClosedRange<UInt64>)

        /// The change's sequence number, or `nil` for ``missed(_:)``.
        @usableFromInline package var sequence: UInt64? {
            if case .change(let s, _) = self { return s }
            return nil
        }
        /// The change, or `nil` for ``missed(_:)``.
        @usableFromInline package var event: Event? {
            if case .change(_, let e) = self { return e }
            return nil
        }
    }

    /// Which changes a subscription receives.
    @usableFromInline package enum Filter: Sendable {
        /// Every change.
        case all
        /// Changes whose topic (record type) is in the set.
        case topics(Set<Event.Topic>)
        /// Changes whose kind is in the set.
        case kinds(Set<Event.Kind>)
        /// Changes for which the predicate returns `true`. Keep it cheap: it runs inside publish.
        case matching(@Sendable (Event) -> Bool)

        /// Changes of one topic.
        @usableFromInline package static func topic(_ topic: Event.Topic) -> Filter { .topics([topic]) }
        /// Changes of one kind.
        @usableFromInline package static func kind(_ kind: Event.Kind) -> Filter { .kinds([kind]) }

        @inline(__always)
        @inlinable
        func matches(_ event: borrowing Event) -> Bool {
            switch self {
            case .all: return true
            case .topics(let set): return set.contains(event.topic)
            case .kinds(let set): return set.contains(event.kind)
            case .matching(let predicate): return predicate(event)
            }
        }
    }

    /// What happens when a subscription's buffer is full.
    @usableFromInline package enum FullPolicy: Sendable, Equatable {
        /// The publisher waits (async `publish` only) up to `timeout` for the subscriber to make
        /// room, then fails with ``ChangeBusError/publishTimedOut(subscription:timeout:)``.
        case wait(timeout: Duration)
        /// The oldest pending change is dropped; the subscriber receives ``Element/missed(_:)``.
        case dropOldest
        /// The subscription ends with ``ChangeBusError/disconnectedSlowSubscriber(subscription:capacity:lastDelivered:)``.
        case disconnect
    }

    /// Where a new subscription starts.
    @usableFromInline package enum Start: Sendable, Equatable {
        /// With the next change published.
        case now
        /// With this sequence number, which must still be in the replay window (or be the next one).
        case sequence(UInt64)
    }

    @usableFromInline let state: PThreadLock<State>
    /// Signalled (after unlocking) when a `.wait` subscription makes room or the bus shuts
    /// down; the threads in ``publishBlocking(contentsOf:pause:giveUp:)`` wait on it.
    @usableFromInline let roomForThreads = PThreadCondition()
    /// Number of recent events kept for subscribers that start from a past sequence.
    @usableFromInline package let replayWindow: Int
    /// The largest capacity a subscription may ask for.
    @usableFromInline package let maximumCapacity: Int

    /// Creates a bus.
    /// - Parameters:
    ///   - startSequence: the sequence number of the first published change (e.g. one past the
    ///     journal's last sequence). Must be at least 1.
    ///   - replayWindow: how many recent changes are kept for late subscribers (0 disables replay).
    ///   - maximumCapacity: upper bound for a subscription's capacity.
    @usableFromInline package init(startSequence: UInt64 = 1, replayWindow: Int = 1024, maximumCapacity: Int = 1 << 20) throws(ChangeBusError) {
        guard startSequence >= 1 else { throw .invalidConfiguration("startSequence must be at least 1") }
        guard replayWindow >= 0 else { throw .invalidConfiguration("replayWindow must not be negative, got \(replayWindow)") }
        guard maximumCapacity >= 1 else { throw .invalidConfiguration("maximumCapacity must be at least 1, got \(maximumCapacity)") }
        self.replayWindow = replayWindow
        self.maximumCapacity = maximumCapacity
        self.state = PThreadLock(State(next: startSequence, replayWindow: replayWindow))
    }

    /// The sequence number the next published change will get.
    @usableFromInline package var nextSequence: UInt64 { state.withLock { $0.next } }

    /// Number of live subscriptions (cancelled, disconnected and dropped ones are gone).
    @usableFromInline package var subscriberCount: Int { state.withLock { $0.subs.count } }

    /// Whether ``shutdown(failing:)`` has been called.
    @usableFromInline package var isShutDown: Bool { state.withLock { $0.isShutDown } }

    /// The oldest sequence number still held in the replay window, or `nil` if none is held.
    @usableFromInline package var oldestHeldSequence: UInt64? { state.withLock { $0.replay.isEmpty ? nil : $0.replay.sequence(at: 0) } }

    /// Subscribes to changes.
    ///
    /// - Parameters:
    ///   - filter: which changes to receive (default: all).
    ///   - capacity: how many changes may wait for this subscriber before `policy` applies (≥ 1).
    ///   - policy: what to do when full.
    ///   - start: `.now` or a sequence number still held in the replay window.
    /// - Throws: ``ChangeBusError`` for a bad capacity, a sequence no longer held, or a shut-down bus.
    @usableFromInline package func subscribe(
        _ filter: Filter = .all,
        capacity: Int = 1024,
        whenFull policy: FullPolicy = .dropOldest,
        from start: Start = .now
    ) throws(ChangeBusError) -> Subscription {
        guard capacity >= 1 else { throw .invalidCapacity(capacity) }
        guard capacity <= maximumCapacity else { throw .capacityTooLarge(requested: capacity, maximum: maximumCapacity) }
        let result: Result<SubState, ChangeBusError> = state.withLock { st in
            if st.isShutDown { return .failure(.shutDown) }
            let backlog = ElementRing<Element>(minimumCapacity: Swift.min(capacity, 1024))
            if case .sequence(let from) = start {
                if from > st.next { return .failure(.sequenceNotYetPublished(requested: from, next: st.next)) }
                let oldest = st.replay.isEmpty ? st.next : st.replay.sequence(at: 0)
                if from < oldest { return .failure(.sequenceNoLongerHeld(requested: from, oldestHeld: oldest)) }
                for i in 0..<st.replay.count {
                    let seq = st.replay.sequence(at: i)
                    let element = st.replay.value(at: i)
                    if seq >= from, let event = element.pointee.event, filter.matches(event) {
                        backlog.appendSlot(sequence: seq).initialize(to: element.pointee)
                    }
                }
            }
            let sub = SubState(id: st.nextID, filter: filter, capacity: capacity, policy: policy, buffer: backlog)
            st.nextID += 1
            st.add(sub)
            return .success(sub)
        }
        switch result {
        case .success(let sub): return Subscription(handle: SubscriptionHandle(bus: self, sub: sub))
        case .failure(let error): throw error
        }
    }

    /// Finishes every subscription: consumers receive what is already pending, then their
    /// iterators return `nil` — or throw `failure` when one is given, so that a consumer can
    /// tell a producer that failed from one that finished. Parked consumers are woken.
    /// Waiting publishers (tasks in ``publishWaiting(_:)``, threads in
    /// ``publishBlocking(contentsOf:pause:giveUp:)``) wake and fail with
    /// ``ChangeBusError/shutDown``; later publishes fail with the same error. Idempotent: only
    /// the first call decides how subscriptions end (a subscription cut off before keeps its
    /// own error).
    ///
    /// ```swift
    /// bus.shutdown(failing: .producerFailed("source 3f…: sequence 42 cannot be delivered"))
    /// ```
    @usableFromInline package func shutdown(failing failure: ChangeBusError? = nil) {
        var wakes = Wakeups()
        state.lock()
        let room = state.value.pointee.shutdown(failing: failure, waking: &wakes)
        state.unlock()
        wakes.resumeAll()
        room.run(roomForThreads)
    }

    // MARK: - Internals

    /// Ends a subscription (cancel, or its last reference went away). Its parked consumer and,
    /// for a `.wait` subscription, the publishers waiting for it are woken after unlocking.
    @usableFromInline
    func remove(_ sub: SubState) {
        var wakes = Wakeups()
        state.lock()
        let madeRoom = state.value.pointee.detach(sub, failure: nil, waking: &wakes)
        let room = madeRoom ? state.value.pointee.room.roomMade() : RoomWakeups()
        state.unlock()
        wakes.resumeAll()
        room.run(roomForThreads)
    }
}

