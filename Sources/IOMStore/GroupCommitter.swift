import Foundation
import GRDB

/// Collects concurrent `apply` calls and writes them in one transaction (group commit).
///
/// One drain task at a time takes every pending group (up to `maximumGroupSize` mutations),
/// writes it in one SQLite transaction where each caller's mutations sit in their own savepoint
/// (a failing caller is rolled back alone), commits, calls `onCommit` with the committed entries
/// in journal order, then resumes the callers. The queue holds at most one group per waiting
/// caller, so it is bounded by the number of concurrent callers.
final class GroupCommitter: Sendable {
    private struct Pending {
        let mutations: [Mutation]
        let continuation: CheckedContinuation<[JournalEntry], any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var draining = false
        var closed = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Locked(State())
    private let writer: any DatabaseWriter
    private let source: SourceID
    private let maximumGroupSize: Int
    private let onCommit: (@Sendable ([JournalEntry]) -> Void)?
    private let faultInjection: (@Sendable (Mutation) throws -> Void)?

    init(writer: any DatabaseWriter, source: SourceID, configuration: StoreConfiguration) {
        self.writer = writer
        self.source = source
        self.maximumGroupSize = max(1, configuration.maximumGroupSize)
        self.onCommit = configuration.onCommit
        self.faultInjection = configuration._faultInjection
    }

    /// Queues `mutations` (applied all-or-nothing) and returns their entries once committed.
    func submit(_ mutations: [Mutation]) async throws -> [JournalEntry] {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain: Bool? = state.withLock { state in
                if state.closed { return nil }
                state.queue.append(Pending(mutations: mutations, continuation: continuation))
                if state.draining { return false }
                state.draining = true
                return true
            }
            switch startDrain {
            case nil: continuation.resume(throwing: StoreError.closed)
            case true?: Task { await self.drain() }
            case false?: break
            }
        }
    }

    /// Refuses new work and waits until queued work is written.
    func close() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state -> Bool in
                state.closed = true
                if state.draining {
                    state.idleWaiters.append(waiter)
                    return false
                }
                return true
            }
            if idle { waiter.resume() }
        }
    }

    private func takeGroup() -> [Pending]? {
        state.withLock { state -> [Pending]? in
            if state.queue.isEmpty {
                state.draining = false
                let waiters = state.idleWaiters
                state.idleWaiters = []
                for waiter in waiters { waiter.resume() }
                return nil
            }
            var count = 0
            var taken = 0
            for pending in state.queue {
                if taken > 0 && count + pending.mutations.count > maximumGroupSize { break }
                count += pending.mutations.count
                taken += 1
            }
            if taken == state.queue.count {
                let group = state.queue
                state.queue = []
                return group
            }
            let group = Array(state.queue[..<taken])
            state.queue.removeFirst(taken)
            return group
        }
    }

    private func drain() async {
        while let group = takeGroup() {
            let groups = group.map(\.mutations)
            let source = self.source
            let faultInjection = self.faultInjection
            let results: [Result<[JournalEntry], StoreError>]
            do {
                results = try await writer.write { db in
                    try Writing.applyGroups(groups, source: source, faultInjection: faultInjection, in: db)
                }
            } catch {
                let failure = StoreError.storage(String(describing: error))
                for pending in group { pending.continuation.resume(throwing: failure) }
                continue
            }
            if let onCommit {
                var committed: [JournalEntry] = []
                for result in results { if case let .success(entries) = result { committed += entries } }
                if !committed.isEmpty { onCommit(committed) }
            }
            for (pending, result) in zip(group, results) {
                pending.continuation.resume(with: result.mapError { $0 as any Error })
            }
        }
    }
}
