import Synchronization

extension ChangeBus {
    /// A subscription's shared state. Every mutable field is read and written only while
    /// holding the bus lock, which is what makes the `@unchecked Sendable` sound.
    @usableFromInline
    final class SubState: @unchecked Sendable {
        @usableFromInline let id: Int
        @usableFromInline let filter: Filter
        @usableFromInline let capacity: Int
        @usableFromInline let policy: FullPolicy
        @usableFromInline let isAll: Bool
        /// Pending changes. The object never changes (a `let`, so the publisher reads it without
        /// retaining); the consumer takes a batch by swapping its *contents* with its own ring.
        @usableFromInline let buffer: ElementRing<Element>
        @exclusivity(unchecked) @usableFromInline var missed: ClosedRange<UInt64>?
        @exclusivity(unchecked) @usableFromInline var parked: UnsafeContinuation<Void, Never>?
        @exclusivity(unchecked) @usableFromInline var failure: ChangeBusError?
        @exclusivity(unchecked) @usableFromInline var finished = false
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
        }

        @inlinable @inline(__always)
        func matches(_ event: Event) -> Bool {
            if isAll { return true }
            return filter.matches(event)
        }

        @inlinable @inline(__always)
        func wake() {
            if let c = parked {
                parked = nil
                c.resume()
            }
        }
    }

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
        @usableFromInline var waiters: [UInt64: UnsafeContinuation<Void, Never>] = [:]
        @usableFromInline var nextWaiter: UInt64 = 0
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

        @inlinable
        mutating func wakeWaiters() {
            guard !waiters.isEmpty else { return }
            for (_, c) in waiters { c.resume() }
            waiters.removeAll()
        }

        /// The first `.wait` subscription that has no room for `event`, if any.
        @inlinable
        mutating func blocking(_ event: Event) -> SubState? {
            guard waitSubCount > 0, mayHaveFullWaitSub else { return nil }
            var anyFull = false
            for i in hot.indices {
                let (full, blocks) = hot[i]._withUnsafeGuaranteedRef { sub -> (Bool, Bool) in
                    guard case .wait = sub.policy, sub.buffer.count >= sub.capacity else { return (false, false) }
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
            if case .wait = sub.policy {
                waitSubCount += 1
                if sub.buffer.count >= sub.capacity { mayHaveFullWaitSub = true }  // a replay backlog
            }
        }

        /// Publishes one event unless the bus is shut down or a matching `.wait` subscription is full.
        @inlinable @inline(__always)
        mutating func tryAppend(_ event: Event) -> PublishOutcome {
            if isShutDown { return .shut }
            if waitSubCount > 0, let full = blocking(event), case .wait(let timeout) = full.policy {
                return .blocked(full.id, timeout)
            }
            return .done(append(event))
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
        /// The element is built once and copied into each destination slot.
        @inlinable @inline(__always)
        mutating func append(_ event: Event) -> UInt64 {
            let seq = next
            next &+= 1
            var element = Element.change(sequence: seq, event: event)
            let (disconnects, woke) = withUnsafePointer(to: &element) { source in
                appendElement(source, sequence: seq, event: event)
            }
            if disconnects { detachCutOff() }
            if woke { wokeConsumer = true }
            return seq
        }

        @inlinable @inline(__always)
        mutating func appendElement(_ source: UnsafePointer<Element>, sequence seq: UInt64, event: Event) -> (Bool, Bool) {
            if replayWindow > 0 {
                if replay.count == replayWindow { replay.removeFirst() }
                Self.copy(source, to: replay.appendSlot(sequence: seq))
            }
            var disconnects = false
            var woke = false
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
                    if buffer.count >= sub.capacity, case .wait = sub.policy { filledWait = true }
                    if sub.parked != nil {
                        sub.wake()
                        woke = true
                    }
                }
            }
            if filledWait { mayHaveFullWaitSub = true }
            return (disconnects, woke)
        }

        /// Detaches the `.disconnect` subscriptions that `append` found full.
        @usableFromInline
        mutating func detachCutOff() {
            for sub in subs where sub.cutOff {
                detach(sub, failure: .disconnectedSlowSubscriber(
                    subscription: sub.id, capacity: sub.capacity, lastDelivered: sub.lastTaken))
            }
        }

        /// Removes a subscription, frees its buffer and ends its consumer.
        @usableFromInline
        mutating func detach(_ sub: SubState, failure: ChangeBusError?) {
            guard let index = subs.firstIndex(where: { $0 === sub }) else { return }
            subs.remove(at: index)
            hot.remove(at: index)
            if case .wait = sub.policy { waitSubCount -= 1 }
            sub.finished = true
            if let failure {
                sub.failure = failure
                sub.buffer.release()
                sub.missed = nil
            }
            sub.wake()
            wakeWaiters()
        }
    }
}
