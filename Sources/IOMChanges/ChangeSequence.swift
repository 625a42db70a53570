import ChangeBus

/// Committed changes as they are delivered: an `AsyncSequence`, in sequence order, each once.
///
/// The facade's ``IOM/changes(capacity:from:)`` gives one of ``CommittedChange`` and
/// `changes(of:)` one of ``RecordChange`` (its `Failure` is `IOMError`); a bridge subscriber's
/// `changes()` gives the remote changes it delivers (its `Failure` is `BridgeError`).
///
/// Consume it from one task. Cancelling that task, calling ``cancel()``, or dropping the
/// sequence and its iterator ends the subscription and frees its buffer. When its producer
/// stops for good (the store or the subscriber closes) the sequence returns what is pending, then `nil`.
///
/// ```swift
/// for try await change in try iom.changes(of: Mission.self) {
///     print(change.sequence, change.kind, change.after?.status ?? "deleted")
/// }
/// ```
public struct ChangeSequence<Element: Sendable, Failure: Error>: AsyncSequence, Sendable {
    let subscription: ChangeBus<CommittedChange>.Subscription
    let transform: @Sendable (CommittedChange) -> Element?
    let failure: @Sendable (ChangeBusError) -> Failure

    /// A sequence of the bus subscription's changes, each turned into an element by `transform`
    /// (`nil` skips it), the subscription's errors turned into `Failure` by `failure`.
    package init(_ subscription: ChangeBus<CommittedChange>.Subscription,
                 transform: @escaping @Sendable (CommittedChange) -> Element?,
                 failure: @escaping @Sendable (ChangeBusError) -> Failure) {
        self.subscription = subscription
        self.transform = transform
        self.failure = failure
    }

    /// Ends the subscription now and frees its buffer; its iterator then returns `nil`.
    public func cancel() { subscription.cancel() }

    /// The iterator; make one, from one task.
    public func makeAsyncIterator() -> Iterator {
        Iterator(base: subscription.makeAsyncIterator(), transform: transform, failure: failure)
    }

    /// Takes the subscription's pending changes in batches and hands them out one by one.
    public struct Iterator: AsyncIteratorProtocol {
        var base: ChangeBus<CommittedChange>.Subscription.Iterator
        let transform: @Sendable (CommittedChange) -> Element?
        let failure: @Sendable (ChangeBusError) -> Failure

        /// The next change, or `nil` when the subscription ended.
        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(Failure) -> Element? {
            while true {
                let element: ChangeBus<CommittedChange>.Element?
                do { element = try await base.next(isolation: actor) } catch { throw failure(error) }
                guard let element else { return nil }
                // The subscriptions behind a change sequence are `.disconnect`: `.missed` cannot occur.
                if let committed = element.event, let change = transform(committed) { return change }
            }
        }

        /// The next change, or `nil` when the subscription ended.
        public mutating func next() async throws(Failure) -> Element? { try await next(isolation: nil) }
    }
}

extension ChangeSequence where Element == CommittedChange {
    /// Every change of the subscription, as it is.
    package init(_ subscription: ChangeBus<CommittedChange>.Subscription, failure: @escaping @Sendable (ChangeBusError) -> Failure) {
        self.init(subscription, transform: { $0 }, failure: failure)
    }
}

extension ChangeBus<CommittedChange>.Start {
    /// `.now` for `nil`, `.sequence(n)` otherwise: the public APIs take a sequence number.
    package init(_ sequence: UInt64?) {
        self = sequence.map { .sequence($0) } ?? .now
    }
}
