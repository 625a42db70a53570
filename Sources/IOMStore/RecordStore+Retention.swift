import Foundation
import GRDB

extension RecordStore {
    /// Removes journal entries that are **both** beyond the newest `retention.minimumCount` entries
    /// and older than `retention.minimumAge` (see ``StoreConfiguration/retention``).
    ///
    /// Pruning removes a prefix of the journal; current state is never touched. Readers asking
    /// for a pruned sequence get ``StoreError/journalPruned(requested:oldestAvailable:)``.
    ///
    /// - Parameter now: the time the age is measured from (default: now).
    /// - Returns: the number of entries removed.
    @discardableResult
    package func pruneJournal(now: Date = Date()) async throws -> Int {
        try ensureOpen()
        let retention = configuration.retention
        do {
            return try await writer.write { db in
                let state = try Self.sequences(db)
                guard retention.minimumCount < state.last else { return 0 }
                let countLimit = state.last - retention.minimumCount
                let ageSeconds = retention.minimumAge
                guard ageSeconds.isFinite else { return 0 }
                let cutoff = Int64(((now.timeIntervalSince1970 - ageSeconds) * 1_000_000).rounded(.down))
                // The first entry that is still too young bounds the pruned prefix.
                let young = try Int64.fetchOne(db, sql: "SELECT MIN(sequence) FROM journal WHERE sequence <= ? AND time >= ?",
                                               arguments: [Int64(countLimit), cutoff])
                var through = countLimit
                if let young { through = min(through, UInt64(young) - 1) }
                guard through > state.prunedThrough else { return 0 }
                try db.execute(sql: "DELETE FROM journal WHERE sequence <= ?", arguments: [Int64(through)])
                let removed = db.changesCount
                try db.execute(sql: "UPDATE store_source SET pruned_through = ? WHERE id = 1", arguments: [Int64(through)])
                return removed
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.storage(String(describing: error))
        }
    }
}
