import Foundation
import GRDB

extension RecordStore {
    /// Whether a save could be committed now: `nil` when it could, otherwise why not.
    ///
    /// For a health check (`iom serve --metrics` answers `/health` with it). A closed store is
    /// not writable. For a file store, a separate short-lived connection takes SQLite's write
    /// lock (`BEGIN IMMEDIATE`) and gives it back at once, so the answer covers the file, its
    /// folder, the file system and other processes' locks, and waits for a lock at most
    /// `timeout` (the store's own writer waits up to 10 s). Nothing is written.
    ///
    /// ```swift
    /// if let reason = await store.writeProbe() { logger.warning("store not writable", metadata: ["reason": "\(reason)"]) }
    /// ```
    package func writeProbe(timeout: Duration = .milliseconds(500)) async -> String? {
        if isClosed.withLock({ $0 }) || committer.isClosed { return "the store is closed" }
        guard case let .file(path) = configuration.location else { return nil }
        guard FileManager.default.fileExists(atPath: path) else { return "the store file \(path) is gone" }
        var grdb = Configuration()
        grdb.busyMode = .timeout(TimeInterval(timeout.components.seconds) + TimeInterval(timeout.components.attoseconds) / 1e18)
        do {
            let probe = try DatabaseQueue(path: path, configuration: grdb)
            try await probe.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                try db.execute(sql: "ROLLBACK")
            }
            try probe.close()
            return nil
        } catch let error as DatabaseError {
            return "the store file \(path) cannot be written: \(error.message ?? "\(error.resultCode)")"
        } catch {
            return "the store file \(path) cannot be written: \(error)"
        }
    }
}
