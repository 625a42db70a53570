import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        var changeIDs = ChangeIDs(count: groups.reduce(0) { $0 + $1.count })
        var statements = WriteStatements(db)
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
                    entries.append(try apply(mutations[0], sequence: next, changeID: changeIDs.next(), source: source, now: now,
                                             time: time, faultInjection: nil, statements: &statements))
                    next += 1
                } catch let error as StoreError {
                    failure = error
                }
            } else {
                do {
                    try db.inSavepoint {
                        for mutation in mutations {
                            do {
                                let entry = try apply(mutation, sequence: next, changeID: changeIDs.next(), source: source, now: now,
                                                      time: time, faultInjection: faultInjection, statements: &statements)
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
    private static func apply(_ mutation: Mutation, sequence: UInt64, changeID: UUID, source: SourceID, now: Date, time: Int64,
                              faultInjection: (@Sendable (Mutation) throws -> Void)?,
                              statements: inout WriteStatements) throws -> JournalEntry {
        let db = statements.db
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
            try StatementBinder.run(statements.insertReceipt(), in: db) { row in
                row.bind(1, text: key)
                row.bind(2, Int64(sequence))
                row.bind(3, text: type)
                row.bind(4, text: id)
                row.bind(5, Int64(version))
                row.bind(6, time)
            }
            if db.changesCount == 0 { throw StoreError.duplicateRequest(key: key) }
            do {
                return try applyRemembered(mutation, sequence: sequence, changeID: changeID, source: source, now: now, time: time,
                                           faultInjection: faultInjection, statements: &statements)
            } catch let error as StoreError {
                try db.cachedStatement(sql: "DELETE FROM request_receipt WHERE key = ?").execute(arguments: [key])
                throw error
            }
        }
        return try applyRemembered(mutation, sequence: sequence, changeID: changeID, source: source, now: now, time: time,
                                   faultInjection: faultInjection, statements: &statements)
    }

    /// Writes one mutation's state and journal entry (its receipt, if any, is written). Throws
    /// `StoreError` for a refused mutation, having changed nothing.
    private static func applyRemembered(_ mutation: Mutation, sequence: UInt64, changeID: UUID, source: SourceID, now: Date, time: Int64,
                                        faultInjection: (@Sendable (Mutation) throws -> Void)?,
                                        statements: inout WriteStatements) throws -> JournalEntry {
        let db = statements.db
        let type = mutation.recordType
        let id = mutation.id
        let payload = mutation.payload
        let kind: ChangeKind
        let version: UInt64
        switch mutation.operation {
        case .create:
            try StatementBinder.run(statements.insertRecord(), in: db) { row in
                row.bind(1, text: type)
                row.bind(2, text: id)
                row.bind(3, blob: payload)
                row.bind(4, time)
            }
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
                """).execute(arguments: [Data(payload), time, type, id, Int64(expected)])
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
            let insert = try statements.insertIndexField()
            for (name, value) in mutation.indexFields {
                try StatementBinder.run(insert, in: db) { row in
                    row.bind(1, text: type)
                    row.bind(2, text: id)
                    row.bind(3, text: name)
                    row.bind(4, text: value)
                }
            }
        }
        try faultInjection?(mutation)
        try StatementBinder.run(statements.insertJournalEntry(), in: db) { row in
            row.bind(1, Int64(sequence))
            row.bind(2, uuid: changeID)
            row.bind(3, text: type)
            row.bind(4, text: id)
            row.bind(5, Int64(kind.journalCode))
            row.bind(6, Int64(version))
            row.bind(7, time)
            row.bind(8, blob: payload)
        }
        return JournalEntry(sequence: sequence, changeID: changeID, source: source, recordType: type, recordID: id,
                            kind: kind, version: version, time: now, payload: mutation.payload, attachment: mutation.attachment)
    }

    private static func currentVersion(type: String, id: String, in db: Database) throws -> UInt64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM record WHERE type = ? AND id = ?"),
                           arguments: [type, id]).map(UInt64.init)
    }
}

/// The statements every mutation runs, taken from GRDB's statement cache once per transaction:
/// the cache is a dictionary keyed by the SQL text, which hashed each statement's text once per
/// mutation (a twentieth of the writer thread's time in a profile of node saves).
struct WriteStatements {
    let db: Database
    private var receipt: Statement?
    private var record: Statement?
    private var indexField: Statement?
    private var journal: Statement?

    init(_ db: Database) { self.db = db }

    /// Remembers a request's key (nothing when the key is remembered already; a receipt already
    /// at the sequence, which no path leaves behind, fails the transaction instead).
    mutating func insertReceipt() throws -> Statement {
        try Self.cached(&receipt, in: db, """
            INSERT INTO request_receipt (key, sequence, record_type, record_id, version, time) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO NOTHING
            """)
    }

    /// Creates a record at version 1 (nothing when one with its type and id exists).
    mutating func insertRecord() throws -> Statement {
        try Self.cached(&record, in: db, """
            INSERT INTO record (type, id, version, payload, updated_at) VALUES (?, ?, 1, ?, ?)
            ON CONFLICT DO NOTHING
            """)
    }

    /// One indexed field of a record.
    mutating func insertIndexField() throws -> Statement {
        try Self.cached(&indexField, in: db, "INSERT INTO record_index (type, id, name, value) VALUES (?, ?, ?, ?)")
    }

    /// One journal entry.
    mutating func insertJournalEntry() throws -> Statement {
        try Self.cached(&journal, in: db, """
            INSERT INTO journal (sequence, change_id, record_type, record_id, kind, version, time, payload)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    private static func cached(_ slot: inout Statement?, in db: Database, _ sql: String) throws -> Statement {
        if let statement = slot { return statement }
        let statement = try db.cachedStatement(sql: sql)
        slot = statement
        return statement
    }
}

/// Random (version 4) UUIDs for the changes of one group, from one read of the system's random
/// source: `UUID()` opens, reads and closes `/dev/urandom` for each id, which cost the writer
/// thread more than a fifth of its time.
struct ChangeIDs {
    private var bytes: [UInt8]
    private var offset = 0

    init(count: Int) {
        bytes = [UInt8](repeating: 0, count: 16 * count)
        if !Self.fill(&bytes) { bytes = [] }
    }

    /// The next id (a `UUID()` when the random source could not be read).
    mutating func next() -> UUID {
        guard offset + 16 <= bytes.count else { return UUID() }
        defer { offset += 16 }
        bytes[offset + 6] = bytes[offset + 6] & 0x0F | 0x40  // version 4
        bytes[offset + 8] = bytes[offset + 8] & 0x3F | 0x80  // RFC 4122 variant
        return bytes.withUnsafeBytes { raw in
            UUID(uuid: raw.loadUnaligned(fromByteOffset: offset, as: uuid_t.self))
        }
    }

    /// The random source, opened once.
    private static let urandom: Int32 = open("/dev/urandom", O_RDONLY | O_CLOEXEC)

    private static func fill(_ bytes: inout [UInt8]) -> Bool {
        guard urandom >= 0 else { return false }
        return bytes.withUnsafeMutableBytes { buffer in
            var filled = 0
            while filled < buffer.count {
                let n = read(urandom, buffer.baseAddress! + filled, buffer.count - filled)
                if n > 0 { filled += n } else if n < 0 && errno == EINTR { continue } else { return false }
            }
            return true
        }
    }
}
