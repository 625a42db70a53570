import Crypto
import Foundation
import GRDB
import IOMDomain

/// How an audited access ended.
public enum AuditOutcome: String, Sendable, Hashable, CaseIterable {
    /// Allowed and done.
    case allowed
    /// Refused by the policy.
    case forbidden
    /// Allowed, but it failed (invalid record, conflict…).
    case failed
}

/// One entry of the ``AuditTrail``: who, when, which record, which fields, for what purpose,
/// with what outcome — and the SHA-256 chain that makes editing or removing it detectable.
public struct AuditEvent: Sendable, Hashable {
    /// 1, 2, 3… with no gaps.
    public let sequence: UInt64
    /// When.
    public let at: Instant
    /// Who (the principal's id).
    public let principal: String
    /// The principal's role.
    public let role: String
    /// What (an ``Action`` raw value, or another verb such as `shred`).
    public let action: String
    /// The record type.
    public let recordType: String
    /// The record, if one.
    public let recordID: String?
    /// The fields read or written.
    public let fields: [String]
    /// Why.
    public let purpose: String
    /// How it ended.
    public let outcome: AuditOutcome
    /// Free detail (the refusal reason, an override reason…). Never identifying data.
    public let detail: String
    /// The hash of the entry before (32 zero octets for the first).
    public let previousHash: [UInt8]
    /// SHA-256 over `previousHash` and every field above.
    public let hash: [UInt8]

    /// The hash this entry must have.
    func computedHash() -> [UInt8] {
        var h = SHA256()
        func put(_ s: String) {
            let b = Array(s.utf8)
            withUnsafeBytes(of: UInt32(b.count).bigEndian) { h.update(bufferPointer: $0) }
            h.update(data: b)
        }
        h.update(data: previousHash)
        withUnsafeBytes(of: sequence.bigEndian) { h.update(bufferPointer: $0) }
        withUnsafeBytes(of: at.millisecondsSince1970.bigEndian) { h.update(bufferPointer: $0) }
        put(principal); put(role); put(action); put(recordType); put(recordID ?? "\u{0}")
        withUnsafeBytes(of: UInt32(fields.count).bigEndian) { h.update(bufferPointer: $0) }
        for f in fields { put(f) }
        put(purpose); put(outcome.rawValue); put(detail)
        return Array(h.finalize())
    }
}

/// The result of ``AuditTrail/verify(expectedHead:)``.
public enum AuditVerification: Sendable, Hashable, CustomStringConvertible {
    /// Every entry is intact and chained; `head` is the last hash (keep it elsewhere to detect
    /// truncation later).
    case intact(count: UInt64, head: [UInt8])
    /// The first bad entry (`sequence`) and what is wrong with it.
    case broken(sequence: UInt64, reason: String)

    /// Whether the trail verified.
    public var isIntact: Bool { if case .intact = self { true } else { false } }

    /// A readable form, for logs and messages.
    public var description: String {
        switch self {
        case .intact(let n, _): "audit trail intact (\(n) entries)"
        case .broken(let s, let r): "audit trail broken at entry \(s): \(r)"
        }
    }
}

/// The append-only, hash-chained audit trail of protection-case access.
///
/// Each entry stores the SHA-256 of the one before and its own hash over all its fields, so
/// editing any field of any entry, removing an entry from the middle or reordering entries is
/// found by ``verify(expectedHead:)``, which names the first bad entry. SQL triggers refuse
/// `UPDATE` and `DELETE` on the table; someone who edits the file around them is still caught.
/// Removing entries from the end is caught when the caller keeps the last head elsewhere and
/// passes it as `expectedHead`.
///
/// ```swift
/// try trail.append(principal: me, action: .read, purpose: .caseManagement, recordID: "case-1",
///                  fields: ["protectionCase.status"], outcome: .allowed)
/// guard try trail.verify().isIntact else { alarm() }
/// ```
package final class AuditTrail: Sendable {
    let queue: DatabaseQueue

    init(queue: DatabaseQueue) { self.queue = queue }

    static let genesis = [UInt8](repeating: 0, count: 32)

    /// Appends an entry (serialised with every other append) and returns it.
    @discardableResult
    package func append(principal: Principal, action: String, purpose: Purpose, recordType: RecordType = .protectionCase,
                       recordID: String?, fields: [FieldPath] = [], outcome: AuditOutcome, detail: String = "",
                       at: Instant? = nil) throws(SecurityError) -> AuditEvent {
        let time = at ?? Instant(millisecondsSince1970: Date().millisecondsSince1970)
        // What is hashed is exactly what the row stores and reads back (``storable(_:)``).
        let storedAction = Self.storable(action)
        let storedRecordID = recordID.map(Self.storable)
        let storedDetail = Self.storable(detail)
        let storedPrincipal = Self.storable(principal.id)
        let storedFields = fields.map { Self.storable($0.rawValue) }.sorted()
        do {
            return try queue.write { db in
                let last = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1")
                let sequence = (last.map { UInt64($0["sequence"] as Int64) } ?? 0) + 1
                let previous = last.map { [UInt8]($0["hash"] as Data) } ?? Self.genesis
                let unsigned = AuditEvent(sequence: sequence, at: time, principal: storedPrincipal, role: principal.role.rawValue,
                                          action: storedAction, recordType: recordType.rawValue, recordID: storedRecordID,
                                          fields: storedFields, purpose: purpose.rawValue,
                                          outcome: outcome, detail: storedDetail, previousHash: previous, hash: [])
                let event = AuditEvent(sequence: sequence, at: time, principal: unsigned.principal, role: unsigned.role,
                                       action: storedAction, recordType: unsigned.recordType, recordID: storedRecordID, fields: unsigned.fields,
                                       purpose: unsigned.purpose, outcome: outcome, detail: storedDetail, previousHash: previous,
                                       hash: unsigned.computedHash())
                try db.execute(sql: """
                    INSERT INTO audit (sequence, at_ms, principal, role, action, record_type, record_id, fields, purpose, outcome, detail, previous_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [Int64(sequence), time.millisecondsSince1970, event.principal, event.role, storedAction, event.recordType,
                                     storedRecordID, event.fields.joined(separator: "\n"), event.purpose, outcome.rawValue, storedDetail,
                                     Data(previous), Data(event.hash)])
                return event
            }
        } catch { throw .storage(String(describing: error)) }
    }

    /// Appends an entry for an ``Action``.
    @discardableResult
    package func append(principal: Principal, action: Action, purpose: Purpose, recordType: RecordType = .protectionCase,
                       recordID: String?, fields: [FieldPath] = [], outcome: AuditOutcome, detail: String = "",
                       at: Instant? = nil) throws(SecurityError) -> AuditEvent {
        try append(principal: principal, action: action.rawValue, purpose: purpose, recordType: recordType, recordID: recordID,
                   fields: fields, outcome: outcome, detail: detail, at: at)
    }

    /// Entries in order, starting at `sequence`; optionally only those of one record.
    package func entries(from sequence: UInt64 = 1, recordID: String? = nil, limit: Int = 10_000) throws(SecurityError) -> [AuditEvent] {
        do {
            return try queue.read { db in
                var sql = "SELECT * FROM audit WHERE sequence >= ?"
                var args: [any DatabaseValueConvertible] = [Int64(sequence)]
                if let recordID { sql += " AND record_id = ?"; args.append(Self.storable(recordID)) }
                sql += " ORDER BY sequence LIMIT ?"
                args.append(limit)
                return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)!).map(Self.event)
            }
        } catch { throw .storage(String(describing: error)) }
    }

    /// The number of entries and the hash of the last one.
    package func head() throws(SecurityError) -> (count: UInt64, hash: [UInt8]) {
        do {
            return try queue.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1") else {
                    return (0, Self.genesis)
                }
                return (UInt64(row["sequence"] as Int64), [UInt8](row["hash"] as Data))
            }
        } catch { throw .storage(String(describing: error)) }
    }

    /// Re-computes the whole chain and names the first entry that was edited, removed or
    /// reordered. With `expectedHead` (a head kept elsewhere earlier), entries removed from
    /// the end are detected too.
    package func verify(expectedHead: [UInt8]? = nil) throws(SecurityError) -> AuditVerification {
        do {
            return try queue.read { db in
                var previous = Self.genesis
                var expected: UInt64 = 1
                var sawHead = expectedHead == nil || expectedHead! == Self.genesis
                let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY sequence")
                while let row = try cursor.next() {
                    let e = Self.event(row)
                    if e.sequence != expected {
                        return .broken(sequence: expected, reason: "entry \(expected) is missing (next is \(e.sequence))")
                    }
                    if e.previousHash != previous {
                        return .broken(sequence: e.sequence, reason: "does not chain to entry \(e.sequence - 1)")
                    }
                    if e.computedHash() != e.hash {
                        return .broken(sequence: e.sequence, reason: "its content was edited (hash mismatch)")
                    }
                    if let expectedHead, e.hash == expectedHead { sawHead = true }
                    previous = e.hash
                    expected += 1
                }
                if !sawHead {
                    return .broken(sequence: expected, reason: "the expected head is missing: entries were removed from the end")
                }
                return .intact(count: expected - 1, head: previous)
            }
        } catch { throw .storage(String(describing: error)) }
    }

    /// The text as the trail stores it: SQLite text read back through GRDB ends at a NUL, and
    /// `fields` are stored one per line, so every control character (NUL and line breaks
    /// included) and a backslash are written as `\u{…}` escapes before the entry is hashed. The
    /// stored row then reads back exactly as hashed, and ``verify(expectedHead:)`` holds.
    static func storable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\\" }) else {
            return text
        }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\\" {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func event(_ row: Row) -> AuditEvent {
        let fields: String = row["fields"]
        return AuditEvent(
            sequence: UInt64(row["sequence"] as Int64), at: Instant(millisecondsSince1970: row["at_ms"]),
            principal: row["principal"], role: row["role"], action: row["action"], recordType: row["record_type"],
            recordID: row["record_id"], fields: fields.isEmpty ? [] : fields.components(separatedBy: "\n"),
            purpose: row["purpose"], outcome: AuditOutcome(rawValue: row["outcome"]) ?? .failed, detail: row["detail"],
            previousHash: [UInt8](row["previous_hash"] as Data), hash: [UInt8](row["hash"] as Data))
    }
}
