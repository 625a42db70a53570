extension ChangeBus {
    /// Publishes `events` in order, **blocking the calling thread** while a matching `.wait`
    /// subscription is full. For threads that may block — a store's writer, a socket thread.
    ///
    /// - Important: Never call it from async code (it is unavailable there): a thread of
    ///   Swift's cooperative pool that blocks here cannot run the consumer that would make
    ///   room, and on a small machine the pool has only a thread or two. Async code uses
    ///   ``publishWaiting(_:)`` or ``publishWaiting(contentsOf:)``, which suspend instead.
    ///
    /// The batch goes out under one lock when every matching `.wait` subscription has room for
    /// it. Otherwise (a subscription may even be smaller than the batch) the events are handed
    /// over in order as the subscribers make room: as many as fit under each hold of the lock,
    /// then the thread sleeps on a condition variable that a consumer taking a batch (or a
    /// `.wait` subscription going away, or ``shutdown(failing:)``) signals. It does not poll:
    /// it wakes as soon as there is room, and at the latest after `pause` to ask `giveUp()`.
    ///
    /// ```swift
    /// let published = try bus.publishBlocking(contentsOf: batch) { stopFlag.isStopped }
    /// ```
    ///
    /// - Parameters:
    ///   - events: the changes to publish, in order.
    ///   - pause: the longest the thread sleeps before asking `giveUp()` again while it waits
    ///     for room (room itself wakes it at once). Default 10 ms.
    ///   - giveUp: asked, without the bus's lock held, each time the thread finds no room and
    ///     after each `pause`; return `true` to stop waiting (a stop flag, a deadline).
    /// - Returns: how many of `events` were published (all of them unless `giveUp` said so).
    /// - Throws: ``ChangeBusError/shutDown`` after ``shutdown(failing:)``; what was published before
    ///   stays published.
    ///
    /// Inlinable, so that the usual case — the whole batch fits — is specialized for the
    /// caller's event type (no generic metadata look-ups per event).
    @available(*, noasync, message: "publishBlocking blocks its thread; use publishWaiting in async code")
    @inlinable @discardableResult
    package func publishBlocking(contentsOf events: [Event], pause: Duration = .milliseconds(10),
                                giveUp: () -> Bool) throws(ChangeBusError) -> Int {
        do {
            try publish(contentsOf: events)
            return events.count
        } catch .subscriberFullUseAsyncPublish {
            return try publishAsRoomIsMade(events, pause: pause, giveUp: giveUp)
        }
    }

    /// The slow path of ``publishBlocking(contentsOf:pause:giveUp:)``: publishes as many
    /// events as there is room for under each hold of the lock; when a `.wait` subscription is
    /// full, resumes the consumers it woke, asks `giveUp`, and waits on ``roomForThreads``.
    @usableFromInline
    func publishAsRoomIsMade(_ events: [Event], pause: Duration, giveUp: () -> Bool) throws(ChangeBusError) -> Int {
        var published = 0
        var askedGiveUp = false
        while true {
            var wakes = Wakeups()
            state.lock()
            var outcome = appendWhileRoom(events, from: &published, waking: &wakes)
            // Wait only once `giveUp` has been asked since the last attempt, and only when no
            // consumer is waiting to be resumed by us (it is what will make room).
            if case .blocked = outcome, askedGiveUp, wakes.isEmpty {
                state.value.pointee.room.threadWillWait()
                roomForThreads.wait(releasing: state, timeout: pause)
                state.value.pointee.room.threadDidWait()
                outcome = appendWhileRoom(events, from: &published, waking: &wakes)
            }
            state.unlock()
            wakes.resumeAll()
            switch outcome {
            case .done:
                return published
            case .shut:
                throw .shutDown
            case .blocked:
                if giveUp() { return published }
                askedGiveUp = true
            }
        }
    }

    /// Appends `events[published...]` in order until one is blocked or the bus is shut down,
    /// advancing `published`. `.done` when all are published. Under the lock.
    @usableFromInline
    func appendWhileRoom(_ events: [Event], from published: inout Int, waking wakes: inout Wakeups) -> PublishOutcome {
        while published < events.count {
            let outcome = state.value.pointee.tryAppend(events[published], waking: &wakes)
            guard case .done = outcome else { return outcome }
            published += 1
        }
        return .done(0)
    }
}
