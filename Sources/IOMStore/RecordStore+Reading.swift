import Foundation
import GRDB

extension RecordStore {
    /// The current state of one record, or `nil` when it does not exist (or was deleted).
    package func get(type: String, id: String) async throws -> StoredRecord? {
        try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT type, id, version, payload, updated_at FROM record WHERE type = ? AND id = ?
                """), arguments: [type, id]) else { return nil }
            return try Self.record(row, in: db)
        }
    }

    /// One page of the records of `type` whose index fields equal every pair of `filter`, ordered by id.
    ///
    /// ```swift
    /// var cursor: String? = nil
    /// repeat {
    ///     let page = try await store.list(type: "mission", where: ["status": "open"], after: cursor, limit: 100)
    ///     handle(page.records)
    ///     cursor = page.nextCursor
    /// } while cursor != nil
    /// ```
    /// - Parameters:
    ///   - after: the `nextCursor` of the previous page, or `nil` for the first page.
    ///   - limit: 1...10 000 records per page.
    package func list(type: String, where filter: [String: String] = [:], after cursor: String? = nil,
                     limit: Int = 100) async throws -> Page {
        guard (1...10_000).contains(limit) else {
            throw StoreError.invalidArgument("limit \(limit) is outside 1...10000")
        }
        guard !type.isEmpty else { throw StoreError.invalidArgument("record type is empty") }
        return try await read { db in
            var sql: String
            var arguments: StatementArguments
            let conditions = filter.sorted { $0.key < $1.key }
            if let first = conditions.first {
                sql = """
                    SELECT r.type, r.id, r.version, r.payload, r.updated_at
                    FROM record_index i JOIN record r ON r.type = i.type AND r.id = i.id
                    WHERE i.type = ? AND i.name = ? AND i.value = ?
                    """
                arguments = [type, first.key, first.value]
                for condition in conditions.dropFirst() {
                    sql += " AND EXISTS (SELECT 1 FROM record_index x WHERE x.type = r.type AND x.id = r.id AND x.name = ? AND x.value = ?)"
                    arguments += [condition.key, condition.value]
                }
                if let cursor { sql += " AND i.id > ?"; arguments += [cursor] }
                sql += " ORDER BY i.id LIMIT ?"
            } else {
                sql = "SELECT type, id, version, payload, updated_at FROM record r WHERE r.type = ?"
                arguments = [type]
                if let cursor { sql += " AND r.id > ?"; arguments += [cursor] }
                sql += " ORDER BY r.id LIMIT ?"
            }
            arguments += [limit + 1]
            let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
            var records = try rows.prefix(limit).map { try Self.record($0, in: db) }
            records.reserveCapacity(limit)
            let next = rows.count > limit ? records.last?.id : nil
            return Page(records: records, nextCursor: next)
        }
    }

    /// The last committed sequence (0 when nothing was ever written).
    package func lastSequence() async throws -> UInt64 {
        try await read { db in try Self.sequences(db).last }
    }

    /// The oldest sequence still in the journal (``lastSequence()`` + 1 when the journal is empty).
    package func oldestAvailableSequence() async throws -> UInt64 {
        try await read { db in try Self.sequences(db).prunedThrough + 1 }
    }

    /// Up to `limit` journal entries with sequence ≥ `sequence`, in order. Empty when `sequence` is
    /// beyond the last committed one.
    ///
    /// - Throws: ``StoreError/journalPruned(requested:oldestAvailable:)`` when retention removed
    ///   `sequence`: take a ``snapshot(types:)`` instead and read on from its sequence.
    package func journal(from sequence: UInt64, limit: Int = 1000) async throws -> [JournalEntry] {
        guard sequence >= 1 else { throw StoreError.invalidArgument("journal sequences start at 1, not 0") }
        guard (1...100_000).contains(limit) else {
            throw StoreError.invalidArgument("limit \(limit) is outside 1...100000")
        }
        guard sequence < UInt64(Int64.max) else { return [] }
        let source = self.source
        return try await read { db in
            let state = try Self.sequences(db)
            if sequence <= state.prunedThrough {
                throw StoreError.journalPruned(requested: sequence, oldestAvailable: state.prunedThrough + 1)
            }
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT sequence, change_id, record_type, record_id, kind, version, time, payload
                FROM journal WHERE sequence >= ? ORDER BY sequence LIMIT ?
                """), arguments: [Int64(sequence), limit])
            return try rows.map { row in
                let changeBlob: Data = row[1]
                guard let changeID = UUID(databaseBlob: changeBlob),
                      let kind = ChangeKind(journalCode: UInt8(truncatingIfNeeded: row[4] as Int64)) else {
                    throw StoreError.incompatibleFile("journal entry \(row[0] as Int64) is malformed")
                }
                let payload: Data = row[7]
                return JournalEntry(sequence: UInt64(row[0] as Int64), changeID: changeID, source: source,
                                    recordType: row[2], recordID: row[3], kind: kind,
                                    version: UInt64(row[5] as Int64),
                                    time: Date(microsecondsSince1970: row[6]), payload: [UInt8](payload))
            }
        }
    }

    /// A consistent copy of current state with the sequence it corresponds to, read in one
    /// read transaction (concurrent saves are either wholly in it or wholly after `sequence`).
    ///
    /// - Parameter types: the record types to include, or `nil` for all.
    package func snapshot(types: Set<String>? = nil) async throws -> Snapshot {
        let source = self.source
        return try await read { db in
            let state = try Self.sequences(db)
            let rows = try Row.fetchAll(db, sql: "SELECT type, id, version, payload, updated_at FROM record ORDER BY type, id")
            var indexes: [String: [String: [String: String]]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT type, id, name, value FROM record_index") {
                indexes[row[0], default: [:]][row[1], default: [:]][row[2]] = row[3]
            }
            var records: [StoredRecord] = []
            records.reserveCapacity(rows.count)
            for row in rows {
                let type: String = row[0]
                if let types, !types.contains(type) { continue }
                let id: String = row[1]
                records.append(Self.plainRecord(row, indexFields: indexes[type]?[id] ?? [:]))
            }
            return Snapshot(source: source, sequence: state.last, records: records)
        }
    }

    // MARK: - Helpers

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try ensureOpen()
        do {
            return try await writer.read(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_MISUSE {
            throw StoreError.closed
        } catch {
            throw StoreError.storage(String(describing: error))
        }
    }

    static func sequences(_ db: Database) throws -> (last: UInt64, prunedThrough: UInt64) {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT last_sequence, pruned_through FROM store_source WHERE id = 1")) else {
            throw StoreError.incompatibleFile("the store_source row is missing")
        }
        return (UInt64(row[0] as Int64), UInt64(row[1] as Int64))
    }

    static func record(_ row: Row, in db: Database) throws -> StoredRecord {
        var fields: [String: String] = [:]
        for field in try Row.fetchAll(db.cachedStatement(sql: "SELECT name, value FROM record_index WHERE type = ? AND id = ?"),
                                      arguments: [row[0] as String, row[1] as String]) {
            fields[field[0]] = field[1]
        }
        return plainRecord(row, indexFields: fields)
    }

    static func plainRecord(_ row: Row, indexFields: [String: String]) -> StoredRecord {
        let payload: Data = row[3]
        return StoredRecord(recordType: row[0], id: row[1], version: UInt64(row[2] as Int64),
                            payload: [UInt8](payload), updatedAt: Date(microsecondsSince1970: row[4]),
                            indexFields: indexFields)
    }
}
