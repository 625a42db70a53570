import Foundation
import GRDB
import GRDBSQLite

/// Binds a cached statement's parameters through SQLite's C API and runs it: the write path's
/// hot inserts, without the array of existentials GRDB's `StatementArguments` builds per call
/// (a third of the writer thread's time in a profile of pipelined creations).
///
/// The statement comes from GRDB's cache (``GRDB/Database/cachedStatement(sql:)``), so GRDB still
/// prepares and finalizes it; it is reset after each run, leaving it as GRDB expects.
struct StatementBinder {
    private let statement: SQLiteStatement

    /// SQLite copies bound text and blobs (`SQLITE_TRANSIENT`): Swift's buffers are not kept.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds parameter `index` (from 1) to `value` as text.
    func bind(_ index: Int32, text value: String) {
        var value = value
        value.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { text in
                if let base = text.baseAddress {
                    _ = sqlite3_bind_text(statement, index, base, Int32(text.count), Self.transient)
                } else {
                    // Empty text: SQLite binds NULL for a null pointer.
                    _ = sqlite3_bind_text(statement, index, "", 0, Self.transient)
                }
            }
        }
    }

    /// Binds parameter `index` (from 1) to `value` as a blob (an empty one is a zero-length blob).
    func bind(_ index: Int32, blob value: [UInt8]) {
        value.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress, bytes.count > 0 {
                _ = sqlite3_bind_blob(statement, index, base, Int32(bytes.count), Self.transient)
            } else {
                _ = sqlite3_bind_zeroblob(statement, index, 0)
            }
        }
    }

    /// Binds parameter `index` (from 1) to `value`'s 16 bytes, as `UUID.databaseBlob` stores them.
    func bind(_ index: Int32, uuid value: UUID) {
        withUnsafeBytes(of: value.uuid) { bytes in
            _ = sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
        }
    }

    /// Binds parameter `index` (from 1) to `value` as an integer.
    func bind(_ index: Int32, _ value: Int64) {
        _ = sqlite3_bind_int64(statement, index, value)
    }

    /// Runs `statement` (which returns no row) with the parameters `bind` sets; throws SQLite's
    /// error as GRDB would.
    static func run(_ statement: Statement, in db: Database, _ bind: (StatementBinder) -> Void) throws {
        let raw = statement.sqliteStatement
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
        bind(StatementBinder(statement: raw))
        let code = sqlite3_step(raw)
        sqlite3_reset(raw)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                sql: statement.sql)
        }
    }
}
