import Synchronization

extension ChangeBus {
    /// How a parked consumer or publisher task waits.
    @usableFromInline
    typealias Continuation = UnsafeContinuation<Void, Never>
    /// Consumers to resume once the lock is released.
    @usableFromInline
    typealias Wakeups = WakeList<Continuation>

    /// A subscription's shared state. Every mutable field is read and written only while
    /// holding the bus lock, which is what makes the `@unchecked Sendable` sound.
    @usableFromInline
    final class SubState: @unchecked Sendable {
        @usableFromInline let id: Int
        @usableFromInline let filter: Filter
        @usableFromInline let capacity: Int
        @usableFromInline let policy: FullPolicy
        @usableFromInline let isAll: Bool
        /// Whether `policy` is `.wait` (the only policy that makes publishers wait).
        @usableFromInline let isWait: Bool
        /// Pending changes. The object never changes (a `let`, so the publisher reads it without
        /// retaining); the consumer takes a batch by swapping its *contents* with its own ring.
        @usableFromInline let buffer: ElementRing<Element>
        @exclusivity(unchecked) @usableFromInline var missed: ClosedRange<UInt64>?
        /// Whether the consumer is parked, and how the subscription ended.
        @exclusivity(unchecked) @usableFromInline var consumer = ConsumerState<Continuation>()
        @exclusivity(unchecked) @usableFromInline var lastTaken: UInt64 = 0
        /// Set by a publish that found this `.disconnect` subscription full; detached right after.
        @exclusivity(unchecked) @usableFromInline var cutOff = false

        init(id: Int, filter: Filter, capacity: Int, policy: FullPolicy, buffer: ElementRing<Element>) {
            self.id = id
            self.filter = filter
            self.capacity = capacity
            self.policy = policy
            self.buffer = buffer
            if case .all = filter { isAll = true } else { isAll = false }
            if case .wait = policy { isWait = true } else { isWait = false }
        }

        @inlinable @inline(__always)
        func matches(_ event: Event) -> Bool {
            if isAll { return true }
            return filter.matches(event)
        }

        /// Whether the consumer has something to take: changes or a gap.
        @inlinable @inline(__always)
        var hasPending: Bool { !buffer.isEmpty || missed != nil }
    }

    /// The bus's state, guarded by its lock. Its operations decide; they never resume a
    /// continuation or signal a thread. What must be woken is collected in a ``WakeList``
    /// (consumers) or returned as ``RoomWakeups`` (publishers waiting for room), and the caller
    /// runs it after releasing the lock.
    @usableFromInline
    struct State: ~Copyable {
        @usableFromInline var next: UInt64
        @usableFromInline let replayWindow: Int
        @usableFromInline var replay: ElementRing<Element>
        /// Live subscriptions (owning references), in subscription order.
        @usableFromInline var subs: [SubState] = []
        /// The same subscriptions, unowned, for the publish loop: `_withUnsafeGuaranteedRef`
        /// reads them without a retain/release pair per subscription per event. Always
        /// changed together with `subs` (see `add` and `detach`).
        @usableFromInline var hot: [Unmanaged<SubState>] = []
        @usableFromInline var nextID = 1
        @usableFromInline var waitSubCount = 0
        /// `false` only when no `.wait` subscription can be full: set by an append that fills
        /// one, cleared by a `blocking` scan that finds none full. Saves the scan per publish.
        @usableFromInline var mayHaveFullWaitSub = false
        @usableFromInline var isShutDown = false
        /// Publishers (tasks and threads) waiting for a `.wait` subscription to make room.
        @usableFromInline var room = RoomWaiters<Continuation>()
        /// Set when a publish resumed a parked consumer; cleared when `publishWaiting` yields.
        @usableFromInline var wokeConsumer = false
        /// Publishes since `wokeConsumer` was set.
        @usableFromInline var publishedSinceWake = 0

        /// How many events `publishWaiting` publishes after waking a consumer before it yields
        /// once, so that a consumer sharing the publisher's thread runs while its batch is
        /// still in the CPU cache (instead of only when its whole capacity is full).
        @usableFromInline static var yieldInterval: Int { 256 }

        /// Whether `publishWaiting` should yield now (see ``yieldInterval``). Under the lock.
        @inlinable @inline(__always)
        mutating func shouldYield() -> Bool {
            guard wokeConsumer else { return false }
            publishedSinceWake &+= 1
            guard publishedSinceWake >= Self.yieldInterval else { return false }
            wokeConsumer = false
            publishedSinceWake = 0
            return true
        }

        init(next: UInt64, replayWindow: Int) {
            self.next = next
            self.replayWindow = replayWindow
            self.replay = ElementRing(minimumCapacity: replayWindow)
        }

        /// The first `.wait` subscription that has no room for `event`, if any.
        @inlinable
        mutating func blocking(_ event: Event) -> SubState? {
            guard waitSubCount > 0, mayHaveFullWaitSub else { return nil }
            var anyFull = false
            for i in hot.indices {
                let (full, blocks) = hot[i]._withUnsafeGuaranteedRef { sub -> (Bool, Bool) in
                    guard sub.isWait, sub.buffer.count >= sub.capacity else { return (false, false) }
                    return (true, sub.matches(event))
                }
                if blocks { return subs[i] }
                anyFull = anyFull || full
            }
            if !anyFull { mayHaveFullWaitSub = false }
            return nil
        }

        /// Adds a subscription.
        @usableFromInline
        mutating func add(_ sub: SubState) {
            subs.append(sub)
            hot.append(Unmanaged.passUnretained(sub))
            if sub.isWait {
                waitSubCount += 1
                if sub.buffer.count >= sub.capacity { mayHaveFullWaitSub = true }  // a replay backlog
            }
        }

        /// Publishes one event unless the bus is shut down or a matching `.wait` subscription
        /// is full. Consumers to wake are added to `wakes`.
        @inlinable @inline(__always)
        mutating func tryAppend(_ event: Event, waking wakes: inout Wakeups) -> PublishOutcome {
            if isShutDown { return .shut }
            if waitSubCount > 0, let full = blocking(event), case .wait(let timeout) = full.policy {
                return .blocked(full.id, timeout)
            }
            return .done(append(event, waking: &wakes))
        }

        /// Copies an element into an uninitialised slot: one plain memory copy when the
        /// element holds no references (the compiler then knows the size and inlines it).
        @inlinable @inline(__always)
        static func copy(_ source: UnsafePointer<Element>, to slot: UnsafeMutablePointer<Element>) {
            if _isPOD(Element.self) {
                UnsafeMutableRawPointer(slot).copyMemory(from: source, byteCount: MemoryLayout<Element>.size)
            } else {
                slot.initialize(to: source.pointee)
            }
        }

        /// Appends one event: sequence, replay window, every matching subscription.
        /// The element is built once and copied into each destination slot. Parked consumers
        /// of the matching subscriptions are added to `wakes`.
        @inlinable @inline(__always)
        mutating func append(_ event: Event, waking wakes: inout Wakeups) -> UInt64 {
            let seq = next
            next &+= 1
            var element = Element.change(sequence: seq, event: event)
            let woken = wakes.count
            let disconnects = withUnsafePointer(to: &element) { source in
                appendElement(source, sequence: seq, event: event, waking: &wakes)
            }
            if disconnects { detachCutOff(waking: &wakes) }
            if wakes.count != woken { wokeConsumer = true }
            return seq
        }

        /// Returns whether a `.disconnect` subscription was found full (to detach).
        @inlinable @inline(__always)
        mutating func appendElement(_ source: UnsafePointer<Element>, sequence seq: UInt64, event: Event,
                                    waking wakes: inout Wakeups) -> Bool {
            if replayWindow > 0 {
                if replay.count == replayWindow { replay.removeFirst() }
                Self.copy(source, to: replay.appendSlot(sequence: seq))
            }
            var disconnects = false
            var filledWait = false
            for i in hot.indices {
                hot[i]._withUnsafeGuaranteedRef { sub in
                    guard sub.matches(event) else { return }
                    let buffer = sub.buffer
                    if buffer.count >= sub.capacity {
                        switch sub.policy {
                        case .wait:
                            break  // only reachable for replay backlogs; the bound is the replay window
                        case .dropOldest:
                            let dropped = buffer.sequence(at: 0)
                            buffer.removeFirst()
                            sub.missed = (sub.missed?.lowerBound ?? dropped)...dropped
                        case .disconnect:
                            sub.cutOff = true
                            disconnects = true
                            return
                        }
                    }
                    Self.copy(source, to: buffer.appendSlot(sequence: seq))
                    if sub.isWait, buffer.count >= sub.capacity { filledWait = true }
                    if sub.consumer.isParked, let continuation = sub.consumer.delivered() {
                        wakes.append(continuation)
                    }
                }
            }
            if filledWait { mayHaveFullWaitSub = true }
            return disconnects
        }

        /// Detaches the `.disconnect` subscriptions that `append` found full. They are not
        /// `.wait` subscriptions, so no publisher waits for them.
        @usableFromInline
        mutating func detachCutOff(waking wakes: inout Wakeups) {
            for sub in subs where sub.cutOff {
                _ = detach(sub, failure: .disconnectedSlowSubscriber(
                    subscription: sub.id, capacity: sub.capacity, lastDelivered: sub.lastTaken), waking: &wakes)
            }
        }

        /// Removes a subscription, ends its consumer (added to `wakes` if parked) and — when
        /// `failure` is given — drops what is pending and frees its buffer. Returns whether
        /// publishers waiting for room must be woken (a `.wait` subscription went away).
        @usableFromInline
        mutating func detach(_ sub: SubState, failure: ChangeBusError?, waking wakes: inout Wakeups) -> Bool {
            guard let index = subs.firstIndex(where: { $0 === sub }) else { return false }
            subs.remove(at: index)
            hot.remove(at: index)
            if sub.isWait { waitSubCount -= 1 }
            if failure != nil {
                sub.buffer.release()
                sub.missed = nil
            }
            if let continuation = sub.consumer.finish(failure: failure) { wakes.append(continuation) }
            return sub.isWait
        }

        /// Shuts the bus down: every subscription finishes (with `failure`, if given, unless it
        /// ended already), its parked consumer is added to `wakes`; every waiting publisher is
        /// to be woken (it then finds the bus shut). Only the first call changes anything.
        @usableFromInline
        mutating func shutdown(failing failure: ChangeBusError?, waking wakes: inout Wakeups) -> RoomWakeups<Continuation> {
            isShutDown = true
            for sub in subs {
                if let continuation = sub.consumer.finish(failure: failure) { wakes.append(continuation) }
            }
            subs.removeAll()
            hot.removeAll()
            waitSubCount = 0
            return room.roomMade()
        }

        /// What a consumer with an empty local batch does: take the pending batch into `local`
        /// (swapping ring contents), fail, end or park. Taking a batch from a `.wait`
        /// subscription makes room: the publishers waiting for it are returned in `room`.
        @inlinable
        mutating func take(from sub: SubState, into local: ElementRing<Element>,
                           room roomWakeups: inout RoomWakeups<Continuation>?) -> Refill {
            switch sub.consumer.next(hasPending: sub.hasPending) {
            case .take:
                local.swapContents(with: sub.buffer)
                if !local.isEmpty { sub.lastTaken = local.sequence(at: local.count - 1) }
                let missed = sub.missed
                sub.missed = nil
                if sub.isWait, !room.isEmpty { roomWakeups = room.roomMade() }
                return .ready(missed)
            case .fail(let failure):
                return .failed(failure)
            case .end:
                return .end
            case .park:
                return .park
            }
        }
    }

    /// What a consumer with an empty local batch does next (see ``State/take(from:into:room:)``).
    @usableFromInline
    enum Refill {
        /// A batch was taken (possibly only a gap, reported first).
        case ready(ClosedRange<UInt64>?)
        case failed(ChangeBusError)
        case end
        case park
    }
}
