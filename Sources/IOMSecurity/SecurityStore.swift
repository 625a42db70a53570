import Foundation
import GRDB

/// The security database of an IOMKit store: the wrapped per-case data keys
/// (``CaseKeyVault``) and the hash-chained ``AuditTrail``, in a SQLite file of its own (never
/// the host keys: those stay with the host).
///
/// `secure_delete` is on, so a destroyed data key is overwritten in the file, not just unlinked.
///
/// ```swift
/// let security = try SecurityStore.open(.file(path: "iom.security.sqlite"), keyRing: ring)
/// try security.auditTrail.verify()
/// ```
package final class SecurityStore: Sendable {
    /// Where the security database lives.
    package enum Location: Sendable, Hashable {
        /// A SQLite file (created when missing).
        case file(path: String)
        /// Private and in memory, lost on close.
        case inMemory
    }

    /// The per-case data keys.
    package let caseKeys: CaseKeyVault
    /// The audit trail.
    package let auditTrail: AuditTrail
    let queue: DatabaseQueue

    /// Opens (creating if needed) the security database.
    package static func open(_ location: Location, keyRing: KeyRing) throws(SecurityError) -> SecurityStore {
        do {
            var config = Configuration()
            config.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = ON") }
            let queue: DatabaseQueue
            switch location {
            case .file(let path):
                try createPrivately(path)
                queue = try DatabaseQueue(path: path, configuration: config)
            case .inMemory: queue = try DatabaseQueue(configuration: config)
            }
            try migrator.migrate(queue)
            return SecurityStore(queue: queue, keyRing: keyRing)
        } catch let error as SecurityError {
            throw error
        } catch {
            throw .storage(String(describing: error))
        }
    }

    private init(queue: DatabaseQueue, keyRing: KeyRing) {
        self.queue = queue
        caseKeys = CaseKeyVault(queue: queue, cipher: FieldCipher(keyRing: keyRing))
        auditTrail = AuditTrail(queue: queue)
    }

    /// Closes the database.
    package func close() throws(SecurityError) {
        do { try queue.close() } catch { throw .storage(String(describing: error)) }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("security-v1") { db in
            try db.execute(sql: """
                CREATE TABLE case_key (
                    case_id TEXT PRIMARY KEY NOT NULL,
                    wrapped BLOB,                 -- NULL once shredded
                    created_at INTEGER NOT NULL,
                    shredded_at INTEGER
                ) WITHOUT ROWID;
                CREATE TABLE audit (
                    sequence INTEGER PRIMARY KEY,
                    at_ms INTEGER NOT NULL,
                    principal TEXT NOT NULL,
                    role TEXT NOT NULL,
                    action TEXT NOT NULL,
                    record_type TEXT NOT NULL,
                    record_id TEXT,
                    fields TEXT NOT NULL,
                    purpose TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    previous_hash BLOB NOT NULL,
                    hash BLOB NOT NULL
                );
                CREATE INDEX audit_record ON audit (record_id, sequence);
                CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
                """)
        }
        return m
    }
}

/// Creates the security database file with mode 0600 whatever the umask (SQLite gives its
/// journal the same mode); an existing file is left alone.
private func createPrivately(_ path: String) throws(SecurityError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    if fd < 0 {
        let code = errno
        if code == EEXIST { return }
        throw .storage("cannot create \(path): \(String(cString: strerror(code)))")
    }
    defer { close(fd) }
    guard fchmod(fd, 0o600) == 0 else { throw .storage("cannot make \(path) private (chmod 600): \(String(cString: strerror(errno)))") }
}

extension Date {
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }
}
