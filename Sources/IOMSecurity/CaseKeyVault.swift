import Crypto
import Foundation
import GRDB
import Synchronization

/// One random AES-256 data key per protection case, stored wrapped (sealed with the host's
/// current ``KeyRing`` key) in the ``SecurityStore``.
///
/// The case's identifying fields are sealed with its data key wherever they are written (state
/// and every journal entry), so destroying that one key — ``shred(_:)`` — makes all copies
/// unreadable at once: crypto-shredding, even though the journal is append-only.
/// Rotating the host key only re-wraps the small data keys (``rewrap()``), never the data.
package final class CaseKeyVault: Sendable {
    let queue: DatabaseQueue
    let cipher: FieldCipher
    /// Unwrapped data keys by case id (bytes: `SymmetricKey` is not `Sendable` everywhere).
    private let cache = Mutex<[String: [UInt8]]>([:])

    init(queue: DatabaseQueue, cipher: FieldCipher) {
        self.queue = queue
        self.cipher = cipher
    }

    private static func context(_ caseID: String) -> [UInt8] { Array("iomkit.case-key:\(caseID)".utf8) }

    /// The data key of `caseID`; created when `create` and there is none yet.
    ///
    /// - Returns: `nil` when the case was shredded (or has no key and `create` is false).
    package func dataKey(for caseID: String, create: Bool) throws(SecurityError) -> SymmetricKey? {
        if let bytes = cache.withLock({ $0[caseID] }) { return SymmetricKey(data: bytes) }
        let cipher = self.cipher
        do {
            let bytes: [UInt8]? = try queue.write { db in
                if let row = try Row.fetchOne(db, sql: "SELECT wrapped FROM case_key WHERE case_id = ?", arguments: [caseID]) {
                    guard let wrapped: Data = row["wrapped"] else { return nil }
                    return try cipher.open([UInt8](wrapped), context: Self.context(caseID))
                }
                guard create else { return nil }
                let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
                let wrapped = try cipher.seal(bytes, context: Self.context(caseID))
                try db.execute(sql: "INSERT INTO case_key (case_id, wrapped, created_at) VALUES (?, ?, ?)",
                               arguments: [caseID, Data(wrapped), Date().millisecondsSince1970])
                return bytes
            }
            guard let bytes else { return nil }
            cache.withLock { $0[caseID] = bytes }
            return SymmetricKey(data: bytes)
        } catch let error as SecurityError {
            throw error
        } catch {
            throw .storage(String(describing: error))
        }
    }

    /// Destroys the case's data key (overwritten in the file); every sealed copy of its
    /// identifying data becomes unreadable. Idempotent; leaves a tombstone row so later
    /// reads report ``SecurityError/Code/shredded`` rather than a missing key.
    package func shred(_ caseID: String) throws(SecurityError) {
        cache.withLock { $0[caseID] = nil }
        do {
            try queue.write { db in
                try db.execute(sql: """
                    INSERT INTO case_key (case_id, wrapped, created_at, shredded_at) VALUES (?, NULL, ?, ?)
                    ON CONFLICT(case_id) DO UPDATE SET wrapped = NULL, shredded_at = excluded.shredded_at
                    """, arguments: [caseID, Date().millisecondsSince1970, Date().millisecondsSince1970])
            }
            // Free pages are zeroed by secure_delete; vacuum drops them from the file altogether.
            try queue.vacuum()
        } catch {
            throw .storage(String(describing: error))
        }
    }

    /// Whether `caseID`'s data key was destroyed.
    package func isShredded(_ caseID: String) throws(SecurityError) -> Bool {
        do {
            return try queue.read { db in
                try Bool.fetchOne(db, sql: "SELECT wrapped IS NULL FROM case_key WHERE case_id = ?", arguments: [caseID]) ?? false
            }
        } catch { throw .storage(String(describing: error)) }
    }

    /// How many data keys each host key wraps (shredded keys are not counted).
    package func wrappingKeyIDs() throws(SecurityError) -> [String: Int] {
        do {
            return try queue.read { db in
                var counts: [String: Int] = [:]
                for data in try Data.fetchAll(db, sql: "SELECT wrapped FROM case_key WHERE wrapped IS NOT NULL") {
                    counts[FieldCipher.keyID(of: [UInt8](data)) ?? "?", default: 0] += 1
                }
                return counts
            }
        } catch { throw .storage(String(describing: error)) }
    }

    /// Re-wraps every data key not yet wrapped with the current host key. After it returns,
    /// older host keys can be removed from the ring.
    ///
    /// - Returns: how many data keys were re-wrapped.
    @discardableResult
    package func rewrap() throws(SecurityError) -> Int {
        let cipher = self.cipher
        do {
            return try queue.write { db in
                var count = 0
                let rows = try Row.fetchAll(db, sql: "SELECT case_id, wrapped FROM case_key WHERE wrapped IS NOT NULL")
                for row in rows {
                    let id: String = row["case_id"]
                    let wrapped: Data = row["wrapped"]
                    let old = [UInt8](wrapped)
                    let new = try cipher.reencrypt(old, context: Self.context(id))
                    guard new != old else { continue }
                    try db.execute(sql: "UPDATE case_key SET wrapped = ? WHERE case_id = ?", arguments: [Data(new), id])
                    count += 1
                }
                return count
            }
        } catch let error as SecurityError {
            throw error
        } catch {
            throw .storage(String(describing: error))
        }
    }
}
