
/// Ends a subscription when the last `Subscription`/iterator value referring to it goes away.
@usableFromInline
final class SubscriptionHandle<Event: BusEvent>: Sendable {
    @usableFromInline let bus: ChangeBus<Event>
    @usableFromInline let sub: ChangeBus<Event>.SubState
    init(bus: ChangeBus<Event>, sub: ChangeBus<Event>.SubState) {
        self.bus = bus
        self.sub = sub
    }
    deinit { bus.remove(sub) }
}

extension ChangeBus {
    /// A subscription: an `AsyncSequence` of ``Element`` values, in publish order.
    ///
    /// Consume it from one task (two iterators waiting at once is a programming error and stops
    /// the process: one of them would never be woken). Cancelling that task (or dropping the
    /// subscription and its iterator) ends the subscription and frees its buffer. After
    /// ``ChangeBus/shutdown(failing:)`` the iterator returns what is pending, then `nil` — or
    /// throws the failure given to the shutdown. Under `.disconnect` it throws
    /// ``ChangeBusError/disconnectedSlowSubscriber(subscription:capacity:lastDelivered:)``.
    @usableFromInline package struct Subscription: AsyncSequence, Sendable {
        @usableFromInline package typealias Failure = ChangeBusError
        let handle: SubscriptionHandle<Event>

        /// The subscription's identifier, as named in errors.
        @usableFromInline package var id: Int { handle.sub.id }

        /// Ends the subscription now and frees its buffer; its iterator then returns `nil`.
        @usableFromInline package func cancel() { handle.bus.remove(handle.sub) }

        @usableFromInline package func makeAsyncIterator() -> Iterator { Iterator(handle: handle) }

        /// Serves batches taken from the subscription without suspending between elements.
        @usableFromInline package struct Iterator: AsyncIteratorProtocol {
            @usableFromInline package typealias Failure = ChangeBusError
            @usableFromInline let handle: SubscriptionHandle<Event>
            @usableFromInline let local = ElementRing<Element>()
            @usableFromInline var done = false

            @usableFromInline
            init(handle: SubscriptionHandle<Event>) { self.handle = handle }

            @inlinable @inline(__always)
            package mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(ChangeBusError) -> Element? {
                if local.count > 0 { return local.removeFirstUnchecked() }
                return try await refill(isolation: actor)
            }

            @usableFromInline package mutating func next() async throws(ChangeBusError) -> Element? {
                try await next(isolation: nil)
            }

            /// How many elements the iterator holds already: that many ``next(isolation:)`` calls
            /// return without suspending (a consumer taking a batch stops there).
            @usableFromInline package var buffered: Int { local.count }

            @inlinable
            mutating func refill(isolation actor: isolated (any Actor)?) async throws(ChangeBusError) -> Element? {
                if done { return nil }
                let sub = handle.sub
                let bus = handle.bus
                while true {
                    var room: RoomWakeups<ChangeBus.Continuation>? = nil
                    bus.state.lock()
                    let r = bus.state.value.pointee.take(from: sub, into: local, room: &room)
                    bus.state.unlock()
                    if let room = room.take() { room.run(bus.roomForThreads) }
                    switch r {
                    case .ready(let missed):
                        if let missed { return .missed(missed) }
                        if let e = local.popFirst() { return e }
                    case .failed(let f):
                        done = true
                        throw f
                    case .end:
                        done = true
                        return nil
                    case .park:
                        if Task.isCancelled {
                            bus.remove(sub)
                            continue
                        }
                        await withTaskCancellationHandler {
                            await withUnsafeContinuation(isolation: actor) { (c: UnsafeContinuation<Void, Never>) in
                                // Parks unless something arrived (or the end came) since the
                                // check above; then the continuation comes back to resume now.
                                bus.state.lock()
                                let resumeNow = sub.consumer.park(c, hasPending: sub.hasPending)
                                bus.state.unlock()
                                resumeNow?.resume()
                            }
                        } onCancel: {
                            bus.remove(sub)
                        }
                    }
                }
            }
        }
    }
}
