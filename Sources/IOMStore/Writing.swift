import Foundation
import GRDB

/// The SQL of the write path. Runs inside one write transaction per group.
enum Writing {
    /// Applies each group in its own savepoint; one group failing leaves the others intact.
    static func applyGroups(_ groups: [[Mutation]], source: SourceID,
                            faultInjection: (@Sendable (Mutation) throws -> Void)?,
                            in db: Database) throws -> [Result<[JournalEntry], StoreError>] {
        let lastSequence = try Int64.fetchOne(db.cachedStatement(sql: "SELECT last_sequence FROM store_source WHERE id = 1")) ?? 0
        var next = UInt64(lastSequence) + 1
        let time = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
        let now = Date(microsecondsSince1970: time)
        var results: [Result<[JournalEntry], StoreError>] = []
        results.reserveCapacity(groups.count)
        for mutations in groups {
            var entries: [JournalEntry] = []
            entries.reserveCapacity(mutations.count)
            let start = next
            var failure: StoreError?
            if mutations.count == 1 && faultInjection == nil {
                // Fast path without a savepoint: a refused mutation (conflict, already exists) is
                // detected by a statement that changed nothing, so nothing needs undoing. Any other
                // error aborts the whole transaction: every caller of the group gets it, nothing commits.
                do {
                    entries.append(try apply(mutations[0], sequence: next, source: source, now: now, time: time,
                                             faultInjection: nil, in: db))
                    next += 1
                } catch let error as StoreError {
                    failure = error
                }
            } else {
                do {
                    try db.inSavepoint {
                        for mutation in mutations {
                            do {
                                let entry = try apply(mutation, sequence: next, source: source, now: now, time: time,
                                                      faultInjection: faultInjection, in: db)
                                entries.append(entry)
                                next += 1
                            } catch let error as StoreError {
                                failure = error
                                return .rollback
                            }
                        }
                        return .commit
                    }
                } catch {
                    failure = .storage(String(describing: error))
                }
            }
            if let failure {
                next = start
                results.append(.failure(failure))
            } else {
                results.append(.success(entries))
            }
        }
        if next - 1 != UInt64(lastSequence) {
            try db.cachedStatement(sql: "UPDATE store_source SET last_sequence = ? WHERE id = 1")
                .execute(arguments: [Int64(next - 1)])
        }
        return results
    }

    /// Writes one mutation's state and journal entry. Throws `StoreError` for a refused mutation.
    private static func apply(_ mutation: Mutation, sequence: UInt64, source: SourceID, now: Date, time: Int64,
                              faultInjection: (@Sendable (Mutation) throws -> Void)?,
                              in db: Database) throws -> JournalEntry {
        let type = mutation.recordType
        let id = mutation.id
        // The request's receipt goes first: a remembered key inserts nothing and is refused before
        // anything is written. A mutation refused below takes its receipt back, so a refusal
        // leaves nothing behind (the fast path of `applyGroups` has no savepoint to roll back).
        if let key = mutation.requestKey {
            let version: UInt64
            switch mutation.operation {
            case .create: version = 1
            case let .update(expected), let .delete(expected): version = expected + 1
            }
            try db.cachedStatement(sql: """
                INSERT INTO request_receipt (key, sequence, record_type, record_id, version, time) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """).execute(arguments: [key, Int64(sequence), type, id, Int64(version), time])
            if db.changesCount == 0 { throw StoreError.duplicateRequest(key: key) }
            do {
                return try applyRemembered(mutation, sequence: sequence, source: source, now: now, time: time,
                                           faultInjection: faultInjection, in: db)
            } catch let error as StoreError {
                try db.cachedStatement(sql: "DELETE FROM request_receipt WHERE key = ?").execute(arguments: [key])
                throw error
            }
        }
        return try applyRemembered(mutation, sequence: sequence, source: source, now: now, time: time,
                                   faultInjection: faultInjection, in: db)
    }

    /// Writes one mutation's state and journal entry (its receipt, if any, is written). Throws
    /// `StoreError` for a refused mutation, having changed nothing.
    private static func applyRemembered(_ mutation: Mutation, sequence: UInt64, source: SourceID, now: Date, time: Int64,
                                        faultInjection: (@Sendable (Mutation) throws -> Void)?,
                                        in db: Database) throws -> JournalEntry {
        let type = mutation.recordType
        let id = mutation.id
        let payload = Data(mutation.payload)
        let kind: ChangeKind
        let version: UInt64
        switch mutation.operation {
        case .create:
            try db.cachedStatement(sql: """
                INSERT INTO record (type, id, version, payload, updated_at) VALUES (?, ?, 1, ?, ?)
                ON CONFLICT DO NOTHING
                """).execute(arguments: [type, id, payload, time])
            if db.changesCount == 0 {
                let actual = try currentVersion(type: type, id: id, in: db) ?? 0
                throw StoreError.alreadyExists(recordType: type, id: id, version: actual)
            }
            kind = .created
            version = 1
        case let .update(expected):
            try db.cachedStatement(sql: """
                UPDATE record SET version = version + 1, payload = ?, updated_at = ?
                WHERE type = ? AND id = ? AND version = ?
                """).execute(arguments: [payload, time, type, id, Int64(expected)])
            if db.changesCount == 0 {
                throw StoreError.conflict(recordType: type, id: id, expected: expected,
                                          actual: try currentVersion(type: type, id: id, in: db))
            }
            kind = .updated
            version = expected + 1
        case let .delete(expected):
            try db.cachedStatement(sql: "DELETE FROM record WHERE type = ? AND id = ? AND version = ?")
                .execute(arguments: [type, id, Int64(expected)])
            if db.changesCount == 0 {
                throw StoreError.conflict(recordType: type, id: id, expected: expected,
                                          actual: try currentVersion(type: type, id: id, in: db))
            }
            kind = .deleted
            version = expected + 1
        }
        if kind != .created {
            try db.cachedStatement(sql: "DELETE FROM record_index WHERE type = ? AND id = ?")
                .execute(arguments: [type, id])
        }
        if kind != .deleted && !mutation.indexFields.isEmpty {
            let insert = try db.cachedStatement(sql: "INSERT INTO record_index (type, id, name, value) VALUES (?, ?, ?, ?)")
            for (name, value) in mutation.indexFields {
                try insert.execute(arguments: [type, id, name, value])
            }
        }
        try faultInjection?(mutation)
        let changeID = UUID()
        try db.cachedStatement(sql: """
            INSERT INTO journal (sequence, change_id, record_type, record_id, kind, version, time, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [Int64(sequence), changeID.databaseBlob, type, id,
                                     Int64(kind.journalCode), Int64(version), time, payload])
        return JournalEntry(sequence: sequence, changeID: changeID, source: source, recordType: type, recordID: id,
                            kind: kind, version: version, time: now, payload: mutation.payload, attachment: mutation.attachment)
    }

    private static func currentVersion(type: String, id: String, in db: Database) throws -> UInt64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM record WHERE type = ? AND id = ?"),
                           arguments: [type, id]).map(UInt64.init)
    }
}
