import Foundation
import GRDB

extension RecordStore {
    /// The remembered request with `key` (a committed mutation that carried it as its
    /// ``Mutation/requestKey``), or `nil` when there is none or it was forgotten.
    package func request(_ key: String) async throws -> RememberedRequest? {
        try ensureOpen()
        do {
            return try await writer.read { db in
                guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT sequence, record_type, record_id, version, time FROM request_receipt WHERE key = ?
                    """), arguments: [key]) else { return nil }
                return RememberedRequest(key: key, sequence: UInt64(row[0] as Int64), recordType: row[1], recordID: row[2],
                                         version: UInt64(row[3] as Int64), time: Date(microsecondsSince1970: row[4]))
            }
        } catch {
            throw StoreError.storage(String(describing: error))
        }
    }

    /// Forgets the requests committed before `cutoff`; a later mutation with one of their keys
    /// is applied as new. Returns how many were forgotten.
    ///
    /// Receipts are kept in the order of their changes (v5): this forgets every one before the
    /// first committed at or after `cutoff`, reading only the ones it forgets, and none committed
    /// after the call began. Were the system clock set back, a receipt committed after an
    /// older-looking one waits for it.
    ///
    /// The receipts go in transactions of at most `chunk` (an hour of a busy node's saves is
    /// millions of them), so saves are committed between them instead of waiting for them all.
    @discardableResult
    package func forgetRequests(before cutoff: Date, chunk: Int = 10_000) async throws -> Int {
        try ensureOpen()
        let time = Int64((cutoff.timeIntervalSince1970 * 1_000_000).rounded(.down))
        do {
            // Where forgetting stops, fixed now: the first receipt to keep, or past the last one
            // when all are older. Receipts committed later come after it and are kept.
            guard let end = try await writer.read({ db in
                try Int64.fetchOne(db, sql: """
                    SELECT coalesce((SELECT sequence FROM request_receipt WHERE time >= ? ORDER BY sequence LIMIT 1),
                                    (SELECT max(sequence) + 1 FROM request_receipt))
                    """, arguments: [time])
            }) else { return 0 }  // no receipt at all
            var forgotten = 0
            while true {
                let deleted = try await writer.write { db -> Int in
                    try db.execute(sql: """
                        DELETE FROM request_receipt WHERE sequence IN
                            (SELECT sequence FROM request_receipt WHERE sequence < ? ORDER BY sequence LIMIT ?)
                        """, arguments: [end, max(1, chunk)])
                    return db.changesCount
                }
                if deleted == 0 { return forgotten }
                forgotten += deleted
            }
        } catch {
            throw StoreError.storage(String(describing: error))
        }
    }
}
