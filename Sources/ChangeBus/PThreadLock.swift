#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a `pthread_mutex_t`.
///
/// Used instead of `Synchronization.Mutex` because the thread sanitizer intercepts pthread
/// mutexes but not the stdlib Mutex's futex, which made it report false races. Same cost.
@usableFromInline
final class PThreadLock<Value: ~Copyable>: @unchecked Sendable {
    /// The guarded value, kept out of line so that access through the lock needs no dynamic
    /// exclusivity check (the lock is what guarantees exclusive access).
    @usableFromInline let value: UnsafeMutablePointer<Value>
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>

    @usableFromInline
    init(_ value: consuming Value) {
        self.value = .allocate(capacity: 1)
        self.value.initialize(to: value)
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let rc = pthread_mutex_init(mutex, nil)
        precondition(rc == 0, "pthread_mutex_init failed: \(rc)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        _ = value.move()
        value.deallocate()
    }

    /// Takes the lock; pair with ``unlock()``. For hot paths where a closure would cost a copy.
    @inlinable @inline(__always)
    func lock() { pthread_mutex_lock(mutex) }

    /// Releases the lock taken with ``lock()``.
    @inlinable @inline(__always)
    func unlock() { pthread_mutex_unlock(mutex) }

    @inlinable @inline(__always)
    func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}
