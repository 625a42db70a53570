import ServiceLifecycle
import Synchronization

/// Something that happens once (a stop asked for, a thread ended), awaited without polling:
/// ``wait()`` suspends until ``fire()``, and returns at once after it.
package final class OneShotEvent: Sendable {
    private struct State {
        var fired = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    package init() {}

    /// Whether ``fire()`` was called.
    package var hasFired: Bool { state.withLock { $0.fired } }

    /// Marks the event as happened and resumes every waiter (after the lock is released). Idempotent.
    package func fire() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.fired else { return [] }
            state.fired = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the event has happened.
    package func wait() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.fired { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Returns once the event has happened; a graceful shutdown of the calling task's
    /// `ServiceGroup`, or its cancellation, makes it happen. How a service's `run()` waits for
    /// its stop.
    package func waitFiringOnShutdown() async {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await wait()
            } onGracefulShutdown: {
                self.fire()
            }
        } onCancel: {
            self.fire()
        }
    }
}
