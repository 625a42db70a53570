import ChangeBus
import IOMChanges
import IOMDomain

/// The typed changes of one record type: an `AsyncSequence` of `RecordChange`.
///
/// Consume it from one task; cancelling the task ends the subscription.
public struct RecordChanges<Record: DomainRecord>: AsyncSequence, Sendable {
    public typealias Element = RecordChange<Record>
    public typealias Failure = IOMError
    let subscription: ChangeBus<CommittedChange>.Subscription

    /// Ends the subscription now.
    public func cancel() { subscription.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(base: subscription.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Failure = IOMError
        var base: ChangeBus<CommittedChange>.Subscription.Iterator

        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(IOMError) -> RecordChange<Record>? {
            while true {
                let element: ChangeBus<CommittedChange>.Element?
                do { element = try await base.next(isolation: actor) } catch { throw .bus(error) }
                guard let element else { return nil }
                // The subscription is `.disconnect`, so `.missed` cannot occur; skip it if it did.
                if let committed = element.event, let change = RecordChange<Record>(committed) { return change }
            }
        }

        public mutating func next() async throws(IOMError) -> RecordChange<Record>? {
            try await next(isolation: nil)
        }
    }
}
