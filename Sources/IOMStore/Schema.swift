import Foundation
import GRDB

/// The versioned schema of a store file. Never edit a registered migration: add a new one.
enum Schema {
    /// v1: the source row, current state and the journal.
    static let v1SQL = """
        CREATE TABLE store_source (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            source BLOB NOT NULL,
            last_sequence INTEGER NOT NULL,
            pruned_through INTEGER NOT NULL
        );
        CREATE TABLE record (
            type TEXT NOT NULL,
            id TEXT NOT NULL,
            version INTEGER NOT NULL,
            payload BLOB NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (type, id)
        ) WITHOUT ROWID;
        CREATE TABLE journal (
            sequence INTEGER PRIMARY KEY,
            change_id BLOB NOT NULL,
            record_type TEXT NOT NULL,
            record_id TEXT NOT NULL,
            kind INTEGER NOT NULL,
            version INTEGER NOT NULL,
            time INTEGER NOT NULL,
            payload BLOB NOT NULL
        );
        """

    /// v2: string index fields per record, for filtered listings.
    static let v2SQL = """
        CREATE TABLE record_index (
            type TEXT NOT NULL,
            id TEXT NOT NULL,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (type, id, name)
        ) WITHOUT ROWID;
        CREATE INDEX record_index_lookup ON record_index (type, name, value, id);
        """

    /// v3: the keys of remembered requests (``Mutation/requestKey``) with the entry each produced,
    /// written in the transaction of the change; `time` (µs since 1970) for forgetting old ones.
    /// Laid out again by v5.
    static let v3SQL = """
        CREATE TABLE request_receipt (
            key TEXT PRIMARY KEY,
            sequence INTEGER NOT NULL,
            record_type TEXT NOT NULL,
            record_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            time INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX request_receipt_time ON request_receipt (time);
        """

    /// v4: the changes of other sources a following node (hub) holds, under their original
    /// source and sequence (`Protocols/bridge.md` §8.7): one row per held source with its
    /// position, the multi-source journal (`position` is the hub's own arrival order over all
    /// held sources) and each held source's current state.
    static let v4SQL = """
        CREATE TABLE held_source (
            source BLOB PRIMARY KEY,
            first_sequence INTEGER NOT NULL,
            last_sequence INTEGER NOT NULL,
            last_time INTEGER NOT NULL,
            committed_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE held_journal (
            position INTEGER PRIMARY KEY,
            source BLOB NOT NULL,
            sequence INTEGER NOT NULL,
            change_id BLOB NOT NULL,
            record_type TEXT NOT NULL,
            record_id TEXT NOT NULL,
            kind INTEGER NOT NULL,
            version INTEGER NOT NULL,
            time INTEGER NOT NULL,
            payload BLOB NOT NULL,
            UNIQUE (source, sequence)
        );
        CREATE TABLE held_record (
            source BLOB NOT NULL,
            type TEXT NOT NULL,
            id TEXT NOT NULL,
            version INTEGER NOT NULL,
            payload BLOB NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (source, type, id)
        ) WITHOUT ROWID;
        """

    /// v5: remembered requests in the order of their changes. A row's id is its change's
    /// sequence, so each save appends its receipt at the end of the table, and the key has its own
    /// unique index. Old receipts are forgotten from the start of the table up to the first one
    /// young enough (``RecordStore/forgetRequests(before:chunk:)``), which needs no index on `time`:
    /// v3's time index cost each identified save a third B-tree insert (about 4 % of a node's
    /// pipelined saves).
    static let v5SQL = """
        CREATE TABLE request_receipt_v5 (
            sequence INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            record_type TEXT NOT NULL,
            record_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            time INTEGER NOT NULL
        );
        INSERT INTO request_receipt_v5 (sequence, key, record_type, record_id, version, time)
            SELECT sequence, key, record_type, record_id, version, time FROM request_receipt ORDER BY sequence;
        DROP TABLE request_receipt;
        ALTER TABLE request_receipt_v5 RENAME TO request_receipt;
        """

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: v1SQL)
            try db.execute(sql: "INSERT INTO store_source (id, source, last_sequence, pruned_through) VALUES (1, ?, 0, 0)",
                           arguments: [UUID().databaseBlob])
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: v2SQL)
        }
        migrator.registerMigration("v3") { db in
            try db.execute(sql: v3SQL)
        }
        migrator.registerMigration("v4") { db in
            try db.execute(sql: v4SQL)
        }
        migrator.registerMigration("v5") { db in
            try db.execute(sql: v5SQL)
        }
        return migrator
    }
}

extension UUID {
    /// The 16 bytes of the UUID as a blob.
    var databaseBlob: Data { withUnsafeBytes(of: uuid) { Data($0) } }

    init?(databaseBlob data: Data) {
        guard data.count == 16 else { return nil }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: data) }
        self.init(uuid: raw)
    }
}

extension Date {
    /// Times are stored as integer microseconds since 1970, so a value read back equals the value delivered.
    init(microsecondsSince1970 value: Int64) {
        self.init(timeIntervalSince1970: Double(value) / 1_000_000)
    }
}
