import IOMStore
import Synchronization

/// How the saves made inside ``IOM/withSaveContext(_:_:)`` reach the store: remembered under a
/// request key (idempotent requests), and queued in a caller-chosen order (pipelined requests
/// saved concurrently but journaled in the order they were sent).
///
/// ```swift
/// let order = SaveOrder()
/// await withTaskGroup(of: Void.self) { group in
///     for (index, record) in records.enumerated() {      // distinct records
///         group.addTask {
///             let context = SaveContext(requestKey: "service:replica \(index)", order: order.ticket(index))
///             defer { order.finish(index) }
///             _ = try? await iom.withSaveContext(context) { try await iom.missions.save(record) }
///         }
///     }
/// }
/// ```
package struct SaveContext: Sendable {
    /// Remembered with the change in its transaction; a save under a remembered key fails with
    /// `IOMError.store(.duplicateRequest(key:))` and changes nothing (``IOMStore/Mutation/requestKey``).
    package var requestKey: String?
    /// The place of the save in an ordered stream: it is queued for the writer only after every
    /// earlier ticket of the same ``SaveOrder`` was queued or finished.
    package var order: SaveOrder.Ticket?

    /// Creates a context.
    package init(requestKey: String? = nil, order: SaveOrder.Ticket? = nil) {
        self.requestKey = requestKey
        self.order = order
    }

    @TaskLocal static var current: SaveContext?
}

/// Turns for an ordered stream of saves (numbered from 0): save `n` is queued for the store's
/// writer only after saves `0..<n` were queued or finished, so their sequences follow the
/// numbering while their reads, checks and commits overlap. Every number must eventually be
/// ``finish(_:)``ed (a save that fails before it reaches the store gives up its turn that way).
package final class SaveOrder: Sendable {
    /// One save's place in the order.
    package struct Ticket: Sendable {
        let order: SaveOrder
        let index: Int
    }

    private struct State {
        var next: Int
        var done: Set<Int> = []
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let state: Mutex<State>

    /// An order whose first save is number `first`.
    package init(first: Int = 0) { state = Mutex(State(next: first)) }

    /// The ticket of save number `index`.
    package func ticket(_ index: Int) -> Ticket { Ticket(order: self, index: index) }

    /// Marks save `index` as queued or finished: later saves may go.
    package func finish(_ index: Int) {
        let resumed: [CheckedContinuation<Void, Never>] = state.withLock { state in
            guard index >= state.next else { return [] }
            state.done.insert(index)
            var resumed: [CheckedContinuation<Void, Never>] = []
            while state.done.remove(state.next) != nil {
                state.next += 1
                if let waiter = state.waiters.removeValue(forKey: state.next) { resumed.append(waiter) }
            }
            return resumed
        }
        for waiter in resumed { waiter.resume() }
    }

    /// Waits until every save before `index` is queued or finished.
    func waitForTurn(_ index: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if index <= state.next { return true }
                state.waiters[index] = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }
}

extension IOM {
    /// Runs `body` with `context` applying to every save it makes through this facade's
    /// repositories (see ``SaveContext``).
    package func withSaveContext<T: Sendable>(_ context: SaveContext, _ body: () async throws(IOMError) -> T) async throws(IOMError) -> T {
        let result: Result<T, IOMError> = await SaveContext.$current.withValue(context) {
            do throws(IOMError) { return .success(try await body()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

extension Mutation {
    /// The mutation with the current ``SaveContext`` applied; waits for its turn when ordered.
    func inSaveContext() async -> Mutation {
        guard let context = SaveContext.current else { return self }
        var copy = self
        copy.requestKey = context.requestKey
        if let ticket = context.order {
            await ticket.order.waitForTurn(ticket.index)
            copy.onQueued = { ticket.order.finish(ticket.index) }
        }
        return copy
    }
}
