import Foundation
import GRDB

/// Collects concurrent `apply` calls and writes them in one transaction (group commit).
///
/// A dedicated writer thread — never a thread of Swift's cooperative pool — takes every pending
/// group (up to `maximumGroupSize` mutations), writes it with GRDB's synchronous API in one
/// SQLite transaction where each caller's mutations sit in their own savepoint (a failing caller
/// is rolled back alone) and commits. Then its ``CommitLane`` (a second thread) calls `onCommit`
/// with the committed entries in journal order and resumes the callers, while the writer
/// already writes the next group. `onCommit` may block (a bus waiting for a full `.wait`
/// subscriber) without starving async code; the writer waits once the lane holds
/// ``CommitLane/capacity`` commits. The queue holds at most one group per waiting caller, so it is
/// bounded by the number of concurrent callers.
///
/// The threads start with the first submission and end after a second without work, so an idle
/// store holds no thread. The writer ends only once its lane has run everything, so commits are
/// handed on in journal order even across a restart of the threads.
final class GroupCommitter: Sendable {
    /// One submission: groups applied one after another, each all-or-nothing on its own.
    private struct Pending: Sendable {
        let groups: [[Mutation]]
        /// Mutations in all groups.
        let count: Int
        /// Called once, on the commit lane's thread, with each group's outcome (or the failure of all).
        let completion: Completion
    }

    /// What a submitter is told when its groups are committed or refused.
    typealias Completion = @Sendable (Result<[Result<[JournalEntry], StoreError>], StoreError>) -> Void

    private struct State {
        var queue: [Pending] = []
        var writerRunning = false
        var closed = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The state and the condition that guards it. `state` is read and written only while
    /// `condition` is locked, which is what makes the `@unchecked Sendable` sound.
    private final class Shared: @unchecked Sendable {
        let condition = NSCondition()
        var state = State()
    }

    private let shared = Shared()
    private let writer: any DatabaseWriter
    private let source: SourceID
    private let maximumGroupSize: Int
    private let onCommit: (@Sendable ([JournalEntry]) -> Void)?
    private let faultInjection: (@Sendable (Mutation) throws -> Void)?
    private let idleWithBusyLane: (@Sendable () -> Void)?
    /// How long the writer thread waits for work before it ends.
    private static let idleTimeout: TimeInterval = 1

    init(writer: any DatabaseWriter, source: SourceID, configuration: StoreConfiguration) {
        self.writer = writer
        self.source = source
        self.maximumGroupSize = max(1, configuration.maximumGroupSize)
        self.onCommit = configuration.onCommit
        self.faultInjection = configuration._faultInjection
        self.idleWithBusyLane = configuration._writerIdleWithBusyLane
    }

    /// Queues `mutations` (applied all-or-nothing) and returns their entries once committed.
    func submit(_ mutations: [Mutation]) async throws -> [JournalEntry] {
        try await submit(groups: [mutations])[0].get()
    }

    /// Queues `groups` as one submission: they are written one after another in the same
    /// transaction (so their sequences follow their order), each group all-or-nothing on its own
    /// (a refused group is rolled back alone and gets its failure). Returns each group's outcome
    /// once committed; throws only when nothing could be written (closed, storage failure).
    func submit(groups: [[Mutation]]) async throws -> [Result<[JournalEntry], StoreError>] {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(groups: groups) { continuation.resume(with: $0) }
        }
    }

    /// Queues `groups` as one submission, like ``submit(groups:)``, and returns at once:
    /// `completion` gets the outcome on the commit lane's thread once committed (after
    /// `onCommit`), or here when the committer is closed. Calls made one after another are written in that order.
    func enqueue(groups: [[Mutation]], completion: @escaping Completion) {
        let count = groups.reduce(0) { $0 + $1.count }
        shared.condition.lock()
        let startWriter: Bool?
        if shared.state.closed {
            startWriter = nil
        } else {
            shared.state.queue.append(Pending(groups: groups, count: count, completion: completion))
            if shared.state.writerRunning {
                shared.condition.signal()
                startWriter = false
            } else {
                shared.state.writerRunning = true
                startWriter = true
            }
        }
        shared.condition.unlock()
        if startWriter != nil {
            for group in groups { for mutation in group { mutation.onQueued?() } }
        }
        switch startWriter {
        case nil: completion(.failure(.closed))
        case true?:
            let thread = Thread { self.runWriter() }
            thread.name = "iom.store.writer"
            thread.start()
        case false?: break
        }
    }

    /// Whether ``close()`` was called: new work is refused.
    var isClosed: Bool {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        return shared.state.closed
    }

    /// Refuses new work and waits until queued work is written.
    func close() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            shared.condition.lock()
            shared.state.closed = true
            let idle = !shared.state.writerRunning
            if !idle {
                shared.state.idleWaiters.append(waiter)
                shared.condition.signal()
            }
            shared.condition.unlock()
            if idle { waiter.resume() }
        }
    }

    // MARK: The writer thread

    private func runWriter() {
        let lane = CommitLane(name: "iom.store.commits")
        while let group = nextGroup(lane) { write(group, lane) }
        lane.finish()
    }

    /// The next group to write, waiting for one up to ``idleTimeout``; `nil` ends the thread.
    /// Whoever waits for the queue to empty (``close()``) is resumed once the lane has handed on
    /// every commit; the thread ends only then, so a new writer never overtakes its lane.
    private func nextGroup(_ lane: CommitLane) -> [Pending]? {
        // Every read of the state is a fresh access under the lock: nothing of it is held across
        // `wait`, during which the submitting threads change it.
        shared.condition.lock()
        defer { shared.condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: Self.idleTimeout)
        while shared.state.queue.isEmpty {
            if !shared.state.idleWaiters.isEmpty {
                let waiters = shared.state.idleWaiters
                shared.state.idleWaiters = []
                shared.condition.unlock()
                lane.waitUntilEmpty()
                for waiter in waiters { waiter.resume() }
                shared.condition.lock()
                continue
            }
            guard shared.state.closed || !shared.condition.wait(until: deadline) else { continue }
            guard shared.state.queue.isEmpty else { break }
            // Idle. The writer gives up its role (submitters start a new one only once
            // `writerRunning` is false) only once its lane has run everything, so a new writer's
            // lane never overtakes it. A lane still busy (an `onCommit` held by a full `.wait`
            // subscriber) is looked at again every 10 ms, while new saves are still written.
            if !lane.isIdle {
                if shared.state.closed {
                    // Nothing new can come: wait for the lane itself.
                    shared.condition.unlock()
                    lane.waitUntilEmpty()
                    shared.condition.lock()
                } else {
                    idleWithBusyLane?()
                    _ = shared.condition.wait(until: Date(timeIntervalSinceNow: 0.01))
                }
                continue
            }
            if shared.state.idleWaiters.isEmpty {
                shared.state.writerRunning = false
                return nil
            }
        }
        var count = 0
        var taken = 0
        for pending in shared.state.queue {
            if taken > 0 && count + pending.count > maximumGroupSize { break }
            count += pending.count
            taken += 1
        }
        let group = Array(shared.state.queue[..<taken])
        shared.state.queue.removeFirst(taken)
        return group
    }

    /// Writes one group synchronously (this is the writer thread), then hands it to the lane,
    /// which publishes it and resumes its callers.
    private func write(_ group: [Pending], _ lane: CommitLane) {
        let groups = group.count == 1 ? group[0].groups : group.flatMap(\.groups)
        let source = self.source
        let faultInjection = self.faultInjection
        let results: [Result<[JournalEntry], StoreError>]
        do {
            results = try writer.write { db in
                try Writing.applyGroups(groups, source: source, faultInjection: faultInjection, in: db)
            }
        } catch {
            let failure = StoreError.storage(String(describing: error))
            lane.push { for pending in group { pending.completion(.failure(failure)) } }
            return
        }
        lane.push { [onCommit] in
            if let onCommit {
                var committed: [JournalEntry] = []
                for result in results { if case let .success(entries) = result { committed += entries } }
                if !committed.isEmpty { onCommit(committed) }
            }
            var start = 0
            for pending in group {
                let end = start + pending.groups.count
                pending.completion(.success(Array(results[start..<end])))
                start = end
            }
        }
    }
}
