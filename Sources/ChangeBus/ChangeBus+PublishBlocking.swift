#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ChangeBus {
    /// Publishes `events` in order from a thread that may block — a store's writer, a
    /// socket thread; async code uses ``publishWaiting(_:)`` instead.
    ///
    /// The batch goes out under one lock when every matching `.wait` subscription has room for
    /// it. Otherwise (a subscription may even be smaller than the batch) the events are handed
    /// over one at a time as the subscribers make room, sleeping `pause` between tries, until
    /// all are published or `giveUp()` returns `true`.
    ///
    /// ```swift
    /// let published = try bus.publishBlocking(contentsOf: batch) { stopFlag.isStopped }
    /// ```
    ///
    /// - Returns: how many of `events` were published (all of them unless `giveUp` said so).
    /// - Throws: ``ChangeBusError/shutDown`` after ``shutdown()``.
    ///
    /// Inlinable, so that the usual case — the whole batch fits — is specialized for the
    /// caller's event type (no generic metadata look-ups per event).
    @inlinable @discardableResult
    public func publishBlocking(contentsOf events: [Event], pause: Duration = .microseconds(200),
                                giveUp: () -> Bool) throws(ChangeBusError) -> Int {
        do {
            try publish(contentsOf: events)
            return events.count
        } catch .subscriberFullUseAsyncPublish {
            return try publishOneByOne(events, pause: pause, giveUp: giveUp)
        }
    }

    /// The slow path of ``publishBlocking(contentsOf:pause:giveUp:)``: one event at a time as
    /// the subscribers make room.
    @usableFromInline
    func publishOneByOne(_ events: [Event], pause: Duration, giveUp: () -> Bool) throws(ChangeBusError) -> Int {
        let micros = useconds_t(max(1, pause.components.seconds * 1_000_000 + pause.components.attoseconds / 1_000_000_000_000))
        var published = 0
        while published < events.count {
            do {
                try publish(events[published])
                published += 1
            } catch .subscriberFullUseAsyncPublish {
                if giveUp() { return published }
                usleep(micros)
            }
        }
        return published
    }
}
