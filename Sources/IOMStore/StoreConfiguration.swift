import Foundation

/// How to open a ``RecordStore``.
///
/// ```swift
/// var configuration = StoreConfiguration(location: .file(path: "iom.sqlite"))
/// configuration.retention = .init(minimumCount: 100_000, minimumAge: 7 * 86_400)
/// configuration.onCommit = { entries in bus.publish(entries) }   // after commit, in journal order
/// let store = try await RecordStore.open(configuration)
/// ```
public struct StoreConfiguration: Sendable {
    /// Where the data lives.
    public enum Location: Sendable, Hashable {
        /// A SQLite file in WAL mode (created when missing).
        case file(path: String)
        /// A private in-memory database with the same behaviour, lost when the store closes.
        case inMemory
    }

    /// When a save counts as done.
    public enum Durability: Sendable, Hashable {
        /// `synchronous = NORMAL` in WAL mode: a returned save survives a crash of the process
        /// (the default). A power loss may lose the last commits, never corrupt the file.
        case processCrash
        /// `synchronous = FULL`: a returned save also survives a power loss (one fsync per group commit).
        case powerLoss
    }

    /// Journal retention: an entry is pruned only when it is **both** beyond the newest
    /// `minimumCount` entries and older than `minimumAge` seconds.
    public struct Retention: Sendable, Hashable {
        /// Entries always kept, counted from the newest.
        public var minimumCount: UInt64
        /// Seconds every entry is kept at least.
        public var minimumAge: TimeInterval
        /// Creates a retention policy.
        public init(minimumCount: UInt64, minimumAge: TimeInterval) {
            self.minimumCount = minimumCount
            self.minimumAge = minimumAge
        }
        /// Keeps everything.
        public static let forever = Retention(minimumCount: .max, minimumAge: .infinity)
    }

    /// Where the data lives. Default: `iom.sqlite` in the working directory.
    public var location: Location
    /// Durability of a returned save. Default: ``Durability/processCrash``.
    public var durability: Durability = .processCrash
    /// Journal retention, applied by ``RecordStore/pruneJournal(now:)``. Default: keep everything.
    public var retention: Retention = .forever
    /// The most mutations written in one group-commit transaction (at least 1). Default 1024.
    public var maximumGroupSize: Int = 1024
    /// Called after every commit with the committed entries, in journal order, exactly once each,
    /// before the saving callers resume. It runs on the store's commit thread (never a thread of
    /// Swift's cooperative pool) while the writer thread writes the next group, so it may block —
    /// waiting for a full `.wait` bus subscriber, for instance — at the price of holding the
    /// savers and, two commits later, the writer. Each entry carries the ``Mutation/attachment``
    /// it was saved with.
    package var onCommit: (@Sendable ([JournalEntry]) -> Void)?
    /// Testing only: called inside the transaction after a mutation's new state is written and
    /// before its journal entry is appended. Throwing fails that mutation (or its whole batch).
    package var _faultInjection: (@Sendable (Mutation) throws -> Void)?
    /// Testing only: called on the writer thread each time it has passed its idle timeout with
    /// nothing to write while its commit lane is still busy (it then looks again in 10 ms).
    package var _writerIdleWithBusyLane: (@Sendable () -> Void)?

    /// Creates a configuration.
    public init(location: Location = .file(path: "iom.sqlite"), durability: Durability = .processCrash,
                retention: Retention = .forever) {
        self.init(location: location, durability: durability, retention: retention, onCommit: nil)
    }

    /// Creates a configuration with a commit hook (the facade's own).
    package init(location: Location = .file(path: "iom.sqlite"), durability: Durability = .processCrash,
                 retention: Retention = .forever, onCommit: (@Sendable ([JournalEntry]) -> Void)?) {
        self.location = location
        self.durability = durability
        self.retention = retention
        self.onCommit = onCommit
    }

    /// An in-memory store configuration.
    public static var inMemory: StoreConfiguration { StoreConfiguration(location: .inMemory) }
}
