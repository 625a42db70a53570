import Foundation

/// The second half of the store's writer: a thread of its own that runs, in the order given,
/// what follows each commit — publishing the committed entries (`onCommit`) and resuming the
/// callers — while the writer thread already writes the next group.
///
/// It holds at most ``capacity`` commits (the one running and those waiting): past that,
/// ``push(_:)`` waits. So a slow `onCommit` (a bus waiting for a full `.wait` subscriber) stops
/// the writer once it has committed one group more than that, and the memory of committed groups
/// not yet handed on stays bounded.
///
/// Only the writer thread calls ``push(_:)``, ``waitUntilEmpty()`` and ``finish()``; they block,
/// which is why it must never be a thread of Swift's cooperative pool.
final class CommitLane: Sendable {
    /// Commits the lane holds, running or waiting, before ``push(_:)`` waits.
    static let capacity = 2

    private struct State {
        var work: [@Sendable () -> Void] = []
        /// Work taken by the lane's thread and still running.
        var running = false
        var finished = false
    }

    /// Read and written only while `condition` is locked (what makes `@unchecked` sound).
    private final class Shared: @unchecked Sendable {
        let condition = NSCondition()
        var state = State()
    }

    private let shared = Shared()

    /// Starts the lane's thread, named `name`.
    init(name: String) {
        let thread = Thread { [shared] in Self.run(shared) }
        thread.name = name
        thread.start()
    }

    /// Queues `work` after everything queued before; waits while the lane holds ``capacity``.
    func push(_ work: @escaping @Sendable () -> Void) {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        while shared.state.work.count + (shared.state.running ? 1 : 0) >= Self.capacity { shared.condition.wait() }
        shared.state.work.append(work)
        shared.condition.broadcast()
    }

    /// Whether everything queued has run (it may change at once: only the pusher can rely on it).
    var isIdle: Bool {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        return shared.state.work.isEmpty && !shared.state.running
    }

    /// Waits until everything queued has run.
    func waitUntilEmpty() {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        while !shared.state.work.isEmpty || shared.state.running { shared.condition.wait() }
    }

    /// Ends the lane's thread once everything queued has run.
    func finish() {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        shared.state.finished = true
        shared.condition.broadcast()
    }

    private static func run(_ shared: Shared) {
        while true {
            shared.condition.lock()
            // A fresh access under the lock each time: pushers change the state during `wait`.
            while shared.state.work.isEmpty && !shared.state.finished { shared.condition.wait() }
            if shared.state.work.isEmpty {
                shared.condition.unlock()
                return
            }
            let work = shared.state.work.removeFirst()
            shared.state.running = true
            // A pusher waiting for room, or the writer waiting for the lane to empty.
            shared.condition.broadcast()
            shared.condition.unlock()
            work()
            shared.condition.lock()
            shared.state.running = false
            shared.condition.broadcast()
            shared.condition.unlock()
        }
    }
}
