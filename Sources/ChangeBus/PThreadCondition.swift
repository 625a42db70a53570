#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A `pthread_cond_t` used with a ``PThreadLock``'s mutex: a thread holding the lock waits on
/// it (releasing the lock while it waits); another thread signals it after making a change.
///
/// The bus uses it for the threads in `publishBlocking` that wait for a `.wait` subscription to
/// make room: they sleep until a consumer takes a batch instead of polling. Waits are measured
/// on the monotonic clock (where the platform allows), so a change of the wall clock neither
/// shortens nor stretches them.
@usableFromInline
final class PThreadCondition: @unchecked Sendable {
    @usableFromInline let condition: UnsafeMutablePointer<pthread_cond_t>

    @usableFromInline
    init() {
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        #if canImport(Darwin)
        let rc = pthread_cond_init(condition, nil)
        #else
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        let rc = pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
        #endif
        precondition(rc == 0, "pthread_cond_init failed: \(rc)")
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    /// Waits until signalled or until `timeout` has passed, whichever comes first; spurious
    /// wake-ups are possible, so re-check the condition after it returns. The caller must hold
    /// `lock`; it is released while waiting and held again on return.
    @usableFromInline
    func wait<Value: ~Copyable>(releasing lock: PThreadLock<Value>, timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        // At most an hour per wait (callers loop anyway), so the arithmetic cannot overflow.
        let wait = min(max(0, seconds), 3600) * 1_000_000_000 + max(0, attoseconds / 1_000_000_000)
        #if canImport(Darwin)
        var relative = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
        _ = pthread_cond_timedwait_relative_np(condition, lock.mutex, &relative)
        #else
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let total = Int64(now.tv_nsec) + wait % 1_000_000_000
        var deadline = timespec()
        deadline.tv_sec = now.tv_sec + Int(wait / 1_000_000_000) + Int(total / 1_000_000_000)
        deadline.tv_nsec = Int(total % 1_000_000_000)
        _ = pthread_cond_timedwait(condition, lock.mutex, &deadline)
        #endif
    }

    /// Wakes every thread waiting on the condition. Call it after releasing the lock, so that
    /// the woken threads do not at once block on it.
    @usableFromInline
    func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
