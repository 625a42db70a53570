
extension ChangeBus {
    /// Publishes one change and returns its sequence number. Never waits.
    ///
    /// - Throws: ``ChangeBusError/shutDown`` after ``shutdown(failing:)``;
    ///   ``ChangeBusError/subscriberFullUseAsyncPublish(subscription:)`` when a matching `.wait`
    ///   subscription is full (nothing is published then — use ``publishWaiting(_:)`` to wait).
    @inlinable @discardableResult
    package func publish(_ event: Event) throws(ChangeBusError) -> UInt64 {
        var wakes = Wakeups()
        state.lock()
        let outcome = state.value.pointee.tryAppend(event, waking: &wakes)
        state.unlock()
        wakes.resumeAll()
        switch outcome {
        case .done(let seq): return seq
        case .shut: throw .shutDown
        case .blocked(let id, _): throw .subscriberFullUseAsyncPublish(subscription: id)
        }
    }

    /// Publishes a batch under one lock and returns the sequence numbers it got
    /// (`nil` for an empty batch). All or nothing: if a matching `.wait` subscription has no
    /// room for its share of the batch, nothing is published.
    @inlinable @discardableResult
    package func publish(contentsOf events: some Collection<Event>) throws(ChangeBusError) -> ClosedRange<UInt64>? {
        var wakes = Wakeups()
        state.lock()
        let result = state.value.pointee.appendAll(events, waking: &wakes)
        state.unlock()
        wakes.resumeAll()
        return try result.get()
    }

    /// Publishes one change, waiting while a matching `.wait` subscription is full — up to
    /// that subscription's timeout. Returns the change's sequence number.
    ///
    /// Runs on the caller's executor (`nonisolated(nonsending)`): the usual case, where
    /// nothing is full, takes the lock once and does not suspend — except that, once it has
    /// woken a parked consumer, it yields once every 256 publishes so that a consumer sharing
    /// this thread or actor gets to run with a small batch.
    ///
    /// - Throws: ``ChangeBusError/publishTimedOut(subscription:timeout:)`` when the timeout
    ///   passes (nothing is published), ``ChangeBusError/shutDown`` after ``shutdown(failing:)``.
    @inlinable @inline(__always) @discardableResult
    nonisolated(nonsending) package func publishWaiting(_ event: Event) async throws(ChangeBusError) -> UInt64 {
        // Fast path: synchronous, inlined into the caller. `event` is not used after any
        // suspension point (a blocked attempt hands a boxed copy to the slow path), so the
        // caller need not copy it into its async frame.
        switch publishAttempt(event) {
        case .published(let seq, let yieldNow):
            if yieldNow { await Task.yield() }
            return seq
        case .shut:
            throw .shutDown
        case .blocked(let retry):
            return try await publishWaitingSlow(retry)
        }
    }

    /// One locked publish attempt for ``publishWaiting(_:)``.
    @inlinable @inline(__always)
    func publishAttempt(_ event: Event) -> Attempt {
        var wakes = Wakeups()
        state.lock()
        let outcome = state.value.pointee.tryAppend(event, waking: &wakes)
        let yieldNow = state.value.pointee.shouldYield()
        state.unlock()
        wakes.resumeAll()
        switch outcome {
        case .done(let seq): return .published(seq, yieldNow)
        case .shut: return .shut
        case .blocked(let id, let timeout): return .blocked(Retry(event: event, outcome: .blocked(id, timeout)))
        }
    }

    /// What ``publishAttempt(_:)`` did.
    @usableFromInline
    enum Attempt {
        /// Published with this sequence number; `true` if the publisher should yield now.
        case published(UInt64, Bool)
        case shut
        /// A `.wait` subscription is full; the event travels to the slow path in a box.
        case blocked(Retry)
    }

    /// A blocked event on its way to ``publishWaitingSlow(_:)`` (allocated only when blocked).
    @usableFromInline
    final class Retry: @unchecked Sendable {
        @usableFromInline let event: Event
        @usableFromInline let outcome: PublishOutcome
        @usableFromInline
        init(event: Event, outcome: PublishOutcome) {
            self.event = event
            self.outcome = outcome
        }
    }

    /// The part of ``publishWaiting(_:)`` that waits: retries until published, shut down or timed out.
    @usableFromInline
    func publishWaitingSlow(_ retry: Retry) async throws(ChangeBusError) -> UInt64 {
        let event = retry.event
        var deadline: ContinuousClock.Instant?
        var outcome = retry.outcome
        while true {
            switch outcome {
            case .done(let seq): return seq
            case .shut: throw .shutDown
            case .blocked(let id, let timeout):
                let clock = ContinuousClock()
                let until = deadline ?? clock.now.advanced(by: timeout)
                deadline = until
                if clock.now >= until { throw .publishTimedOut(subscription: id, timeout: timeout) }
                await waitForRoom(for: event, until: until)
            }
            var wakes = Wakeups()
            state.lock()
            outcome = state.value.pointee.tryAppend(event, waking: &wakes)
            state.unlock()
            wakes.resumeAll()
        }
    }

    /// Publishes a batch, waiting for room as ``publishWaiting(_:)`` does.
    /// Changes are published in order; on failure the ones already published stay published.
    @inlinable @discardableResult
    package func publishWaiting(contentsOf events: some Sequence<Event>) async throws(ChangeBusError) -> ClosedRange<UInt64>? {
        var first: UInt64?
        var last: UInt64 = 0
        for e in events {
            last = try await publishWaiting(e)
            if first == nil { first = last }
        }
        guard let first else { return nil }
        return first...last
    }

    @usableFromInline
    func waitForRoom(for event: Event, until deadline: ContinuousClock.Instant) async {
        let token: UInt64 = state.withLock { st in st.room.makeToken() }
        // The deadline is a child task of this wait (structured): it gives up the parked waiter
        // when it passes, and is cancelled as soon as room was made.
        await withDiscardingTaskGroup { group in
            group.addTask { [weak self] in
                try? await Task.sleep(until: deadline, clock: .continuous)
                self?.state.withLock { st in st.room.cancel(token: token) }?.resume()
            }
            await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { st in
                    if st.isShutDown || st.blocking(event) == nil { return true }
                    if ContinuousClock.now >= deadline { return true }
                    st.room.park(c, token: token)
                    return false
                }
                if resumeNow { c.resume() }
            }
            group.cancelAll()
        }
    }
}

extension ChangeBus.State {
    /// Publishes a batch, all or nothing (see ``ChangeBus/publish(contentsOf:)``); parked
    /// consumers are added to `wakes`.
    @inlinable
    mutating func appendAll(_ events: some Collection<Event>, waking wakes: inout ChangeBus.Wakeups) -> Result<ClosedRange<UInt64>?, ChangeBusError> {
        if isShutDown { return .failure(.shutDown) }
        if events.isEmpty { return .success(nil) }
        if waitSubCount > 0 {
            for sub in subs where sub.isWait {
                var needed = 0
                for e in events where sub.matches(e) { needed += 1 }
                if needed > 0 && sub.buffer.count + needed > sub.capacity {
                    return .failure(.subscriberFullUseAsyncPublish(subscription: sub.id))
                }
            }
        }
        let first = next
        for e in events { _ = append(e, waking: &wakes) }
        return .success(first...(next - 1))
    }
}

/// What one locked publish attempt did.
@usableFromInline
enum PublishOutcome { case done(UInt64), shut, blocked(Int, Duration) }
