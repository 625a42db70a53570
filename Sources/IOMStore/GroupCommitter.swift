import Foundation
import GRDB

/// Collects concurrent `apply` calls and writes them in one transaction (group commit).
///
/// A dedicated writer thread — never a thread of Swift's cooperative pool — takes every pending
/// group (up to `maximumGroupSize` mutations), writes it with GRDB's synchronous API in one
/// SQLite transaction where each caller's mutations sit in their own savepoint (a failing caller
/// is rolled back alone), commits, calls `onCommit` with the committed entries in journal order,
/// then resumes the callers. `onCommit` may therefore block (a bus waiting for a full `.wait`
/// subscriber) without starving async code. The queue holds at most one group per waiting
/// caller, so it is bounded by the number of concurrent callers.
///
/// The thread starts with the first submission and ends after a second without work, so an
/// idle store holds no thread.
final class GroupCommitter: Sendable {
    private struct Pending {
        let mutations: [Mutation]
        let continuation: CheckedContinuation<[JournalEntry], any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var writerRunning = false
        var closed = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Guarded(State())
    private let writer: any DatabaseWriter
    private let source: SourceID
    private let maximumGroupSize: Int
    private let onCommit: (@Sendable ([JournalEntry]) -> Void)?
    private let faultInjection: (@Sendable (Mutation) throws -> Void)?
    /// How long the writer thread waits for work before it ends.
    private static let idleTimeout: TimeInterval = 1

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
            let startWriter: Bool? = state.withLock { state, condition in
                if state.closed { return nil }
                state.queue.append(Pending(mutations: mutations, continuation: continuation))
                if state.writerRunning {
                    condition.signal()
                    return false
                }
                state.writerRunning = true
                return true
            }
            switch startWriter {
            case nil: continuation.resume(throwing: StoreError.closed)
            case true?:
                let thread = Thread { self.runWriter() }
                thread.name = "iom.store.writer"
                thread.start()
            case false?: break
            }
        }
    }

    /// Refuses new work and waits until queued work is written.
    func close() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state, condition -> Bool in
                state.closed = true
                guard state.writerRunning else { return true }
                state.idleWaiters.append(waiter)
                condition.signal()
                return false
            }
            if idle { waiter.resume() }
        }
    }

    // MARK: The writer thread

    private func runWriter() {
        while let group = nextGroup() { write(group) }
    }

    /// The next group to write, waiting for one up to ``idleTimeout``; `nil` ends the thread
    /// (after resuming whoever waits for the queue to empty).
    private func nextGroup() -> [Pending]? {
        var waiters: [CheckedContinuation<Void, Never>] = []
        defer { for waiter in waiters { waiter.resume() } }
        return state.withLock { state, condition -> [Pending]? in
            let deadline = Date(timeIntervalSinceNow: Self.idleTimeout)
            while state.queue.isEmpty {
                if !state.idleWaiters.isEmpty {
                    waiters = state.idleWaiters
                    state.idleWaiters = []
                }
                if state.closed || !condition.wait(until: deadline), state.queue.isEmpty {
                    state.writerRunning = false
                    waiters += state.idleWaiters
                    state.idleWaiters = []
                    return nil
                }
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

    /// Writes one group synchronously (this is the writer thread), publishes it, resumes its callers.
    private func write(_ group: [Pending]) {
        let groups = group.map(\.mutations)
        let source = self.source
        let faultInjection = self.faultInjection
        let results: [Result<[JournalEntry], StoreError>]
        do {
            results = try writer.write { db in
                try Writing.applyGroups(groups, source: source, faultInjection: faultInjection, in: db)
            }
        } catch {
            let failure = StoreError.storage(String(describing: error))
            for pending in group { pending.continuation.resume(throwing: failure) }
            return
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

/// A value guarded by a condition lock: `withLock` hands the closure the value and the
/// condition, so it can wait for or signal changes while holding the lock.
final class Guarded<Value>: @unchecked Sendable {
    private var value: Value
    private let condition = NSCondition()

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value, NSCondition) throws -> R) rethrows -> R {
        condition.lock()
        defer { condition.unlock() }
        return try body(&value, condition)
    }
}
