import Foundation
import GRDB

extension RecordStore {
    /// Commits changes of other sources under their original source, sequence, id and time, in
    /// one transaction, and returns the position each got in the held journal (the store's own
    /// arrival order over all held sources, from 1) — `nil` for a change already held.
    ///
    /// The multi-source journal of a following node (`Protocols/bridge.md` §8.7). Per source,
    /// sequences must come in increasing order; a change at or below the source's last held
    /// sequence is a duplicate and is skipped (so re-delivery after a crash is harmless). A
    /// sequence above last + 1 is accepted: the origin's journal no longer had the ones between
    /// (the subscriber reported them lost). The current state of each held source follows the
    /// changes: a creation or update stores `payload` as the record's row, a deletion removes it.
    ///
    /// ```swift
    /// let positions = try await store.hold(entries)   // entries from an upstream, sealed for rest
    /// ```
    ///
    /// - Throws: ``StoreError/invalidArgument(_:)`` for a change of this store's own source or a
    ///   malformed entry; nothing is committed then.
    @discardableResult
    package func hold(_ entries: [JournalEntry]) async throws -> [UInt64?] {
        guard !entries.isEmpty else { return [] }
        for entry in entries {
            guard entry.source != source else {
                throw StoreError.invalidArgument("change \(entry.sequence) is of this store's own source \(source): a store holds only other sources")
            }
            guard entry.sequence >= 1, entry.sequence < UInt64(Int64.max), entry.version < UInt64(Int64.max) else {
                throw StoreError.invalidArgument("held change of \(entry.source) has sequence \(entry.sequence) or version \(entry.version) out of range")
            }
            guard entry.payload.count <= Self.maximumPayloadSize else {
                throw StoreError.invalidArgument("payload of \(entry.payload.count) bytes exceeds \(Self.maximumPayloadSize)")
            }
        }
        try ensureOpen()
        let now = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
        do {
            return try await writer.write { db in
                var position = try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(position) FROM held_journal")) ?? 0
                var last: [SourceID: (first: Int64, last: Int64, known: Bool)] = [:]
                var positions: [UInt64?] = []
                positions.reserveCapacity(entries.count)
                for entry in entries {
                    let blob = entry.source.uuid.databaseBlob
                    if last[entry.source] == nil {
                        if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT first_sequence, last_sequence FROM held_source WHERE source = ?"),
                                                      arguments: [blob]) {
                            last[entry.source] = (row[0], row[1], true)
                        } else {
                            last[entry.source] = (Int64(entry.sequence), 0, false)
                        }
                    }
                    let sequence = Int64(entry.sequence)
                    guard sequence > last[entry.source]!.last else {
                        positions.append(nil)
                        continue
                    }
                    position += 1
                    let time = Int64((entry.time.timeIntervalSince1970 * 1_000_000).rounded())
                    try db.cachedStatement(sql: """
                        INSERT INTO held_journal (position, source, sequence, change_id, record_type, record_id, kind, version, time, payload)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [position, blob, sequence, entry.changeID.databaseBlob, entry.recordType, entry.recordID,
                                                 Int64(entry.kind.journalCode), Int64(entry.version), time, Data(entry.payload)])
                    switch entry.kind {
                    case .created, .updated:
                        try db.cachedStatement(sql: """
                            INSERT INTO held_record (source, type, id, version, payload, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                            ON CONFLICT (source, type, id) DO UPDATE SET version = excluded.version, payload = excluded.payload,
                                updated_at = excluded.updated_at
                            """).execute(arguments: [blob, entry.recordType, entry.recordID, Int64(entry.version), Data(entry.payload), time])
                    case .deleted:
                        try db.cachedStatement(sql: "DELETE FROM held_record WHERE source = ? AND type = ? AND id = ?")
                            .execute(arguments: [blob, entry.recordType, entry.recordID])
                    }
                    try db.cachedStatement(sql: """
                        INSERT INTO held_source (source, first_sequence, last_sequence, last_time, committed_at) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (source) DO UPDATE SET last_sequence = excluded.last_sequence, last_time = excluded.last_time,
                            committed_at = excluded.committed_at
                        """).execute(arguments: [blob, last[entry.source]!.first, sequence, time, now])
                    last[entry.source]!.last = sequence
                    positions.append(UInt64(position))
                }
                return positions
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_MISUSE {
            throw StoreError.closed
        } catch {
            throw StoreError.storage(String(describing: error))
        }
    }

    /// Every source this store holds changes of, with its positions, in the order first held.
    package func heldSources() async throws -> [HeldSource] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT source, first_sequence, last_sequence, last_time, committed_at FROM held_source").compactMap { row in
                guard let uuid = UUID(databaseBlob: row[0]) else { return nil }
                return HeldSource(source: SourceID(uuid), firstSequence: UInt64(row[1] as Int64), lastSequence: UInt64(row[2] as Int64),
                                  lastTime: Date(microsecondsSince1970: row[3]), committedAt: Date(microsecondsSince1970: row[4]))
            }.sorted { $0.source.uuid.uuidString < $1.source.uuid.uuidString }
        }
    }

    /// The last position of the held journal (0 when nothing is held).
    package func lastHeldPosition() async throws -> UInt64 {
        try await read { db in UInt64(try Int64.fetchOne(db, sql: "SELECT MAX(position) FROM held_journal") ?? 0) }
    }

    /// Up to `limit` held changes from position `position` on, in the order they were held, each
    /// with its position; the entries carry their original source.
    package func heldJournal(fromPosition position: UInt64, limit: Int = 1000) async throws -> [(position: UInt64, entry: JournalEntry)] {
        guard (1...100_000).contains(limit) else { throw StoreError.invalidArgument("limit \(limit) is outside 1...100000") }
        guard position < UInt64(Int64.max) else { return [] }
        return try await read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT position, source, sequence, change_id, record_type, record_id, kind, version, time, payload
                FROM held_journal WHERE position >= ? ORDER BY position LIMIT ?
                """), arguments: [Int64(position), limit])
            return try rows.map { row in
                guard let uuid = UUID(databaseBlob: row[1]) else { throw StoreError.incompatibleFile("held journal position \(row[0] as Int64) is malformed") }
                return (UInt64(row[0] as Int64), try Self.heldEntry(row, offset: 2, source: SourceID(uuid)))
            }
        }
    }

    // MARK: - Reading any source

    /// The last sequence of `source` this store has: its own (``lastSequence()``) or a held one's
    /// (0 for a source it knows nothing of).
    package func lastSequence(of source: SourceID) async throws -> UInt64 {
        if source == self.source { return try await lastSequence() }
        return try await read { db in
            UInt64(try Int64.fetchOne(db, sql: "SELECT last_sequence FROM held_source WHERE source = ?",
                                      arguments: [source.uuid.databaseBlob]) ?? 0)
        }
    }

    /// The oldest sequence of `source` still available (for a held source, the first one held).
    package func oldestAvailableSequence(of source: SourceID) async throws -> UInt64 {
        if source == self.source { return try await oldestAvailableSequence() }
        return try await read { db in
            UInt64(try Int64.fetchOne(db, sql: "SELECT first_sequence FROM held_source WHERE source = ?",
                                      arguments: [source.uuid.databaseBlob]) ?? 1)
        }
    }

    /// Whether this store has changes of `source`: its own, or a held one.
    package func holds(_ source: SourceID) async throws -> Bool {
        if source == self.source { return true }
        return try await read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM held_source WHERE source = ?", arguments: [source.uuid.databaseBlob]) ?? false
        }
    }

    /// ``journal(from:limit:)`` of any source: its own, or a held one (entries carry `source`).
    ///
    /// - Throws: ``StoreError/journalPruned(requested:oldestAvailable:)`` below a held source's first sequence.
    package func journal(of source: SourceID, from sequence: UInt64, limit: Int = 1000) async throws -> [JournalEntry] {
        if source == self.source { return try await journal(from: sequence, limit: limit) }
        guard sequence >= 1 else { throw StoreError.invalidArgument("journal sequences start at 1, not 0") }
        guard (1...100_000).contains(limit) else { throw StoreError.invalidArgument("limit \(limit) is outside 1...100000") }
        guard sequence < UInt64(Int64.max) else { return [] }
        let blob = source.uuid.databaseBlob
        return try await read { db in
            if let first = try Int64.fetchOne(db, sql: "SELECT first_sequence FROM held_source WHERE source = ?", arguments: [blob]),
               Int64(sequence) < first {
                throw StoreError.journalPruned(requested: sequence, oldestAvailable: UInt64(first))
            }
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT sequence, change_id, record_type, record_id, kind, version, time, payload
                FROM held_journal WHERE source = ? AND sequence >= ? ORDER BY sequence LIMIT ?
                """), arguments: [blob, Int64(sequence), limit])
            return try rows.map { try Self.heldEntry($0, offset: 0, source: source) }
        }
    }

    /// ``snapshot(types:)`` of any source: its own, or a held one's current state, read in one
    /// transaction with the sequence it corresponds to.
    package func snapshot(of source: SourceID, types: Set<String>? = nil) async throws -> Snapshot {
        if source == self.source { return try await snapshot(types: types) }
        let blob = source.uuid.databaseBlob
        return try await read { db in
            let last = try Int64.fetchOne(db, sql: "SELECT last_sequence FROM held_source WHERE source = ?", arguments: [blob]) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT type, id, version, payload, updated_at FROM held_record WHERE source = ? ORDER BY type, id",
                                        arguments: [blob])
            var records: [StoredRecord] = []
            records.reserveCapacity(rows.count)
            for row in rows {
                if let types, !types.contains(row[0] as String) { continue }
                records.append(Self.plainRecord(row, indexFields: [:]))
            }
            return Snapshot(source: source, sequence: UInt64(last), records: records)
        }
    }

    private static func heldEntry(_ row: Row, offset o: Int, source: SourceID) throws -> JournalEntry {
        let changeBlob: Data = row[o + 1]
        guard let changeID = UUID(databaseBlob: changeBlob),
              let kind = ChangeKind(journalCode: UInt8(truncatingIfNeeded: row[o + 4] as Int64)) else {
            throw StoreError.incompatibleFile("held journal entry \(row[o] as Int64) of \(source) is malformed")
        }
        let payload: Data = row[o + 7]
        return JournalEntry(sequence: UInt64(row[o] as Int64), changeID: changeID, source: source, recordType: row[o + 2],
                            recordID: row[o + 3], kind: kind, version: UInt64(row[o + 5] as Int64),
                            time: Date(microsecondsSince1970: row[o + 6]), payload: [UInt8](payload))
    }
}
