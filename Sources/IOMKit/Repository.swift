import Foundation
import IOMDomain
import IOMStore
import IOMWire

/// The result of a save: the record as stored (with its new version) and the journal sequence
/// of the change.
public struct Saved<Record: DomainRecord>: Sendable, Hashable {
    /// The stored record.
    public let record: Record
    /// The journal sequence number of the change.
    public let sequence: UInt64
}

/// Reads and writes the records of one type. Get one from the facade: `iom.missions`.
///
/// Creating and updating are distinct operations with optimistic concurrency:
/// - ``create(_:)`` stores a record that does not exist yet; it must carry version 1. A create
///   of an id that exists fails with ``IOMError/Code/alreadyExists`` and
///   changes nothing — it is never turned into an update, so a client that retries a create
///   whose reply it lost gets that error, not a second version and a spurious `updated` change.
/// - ``update(_:)`` replaces the stored record only if its version is still the one you send
///   (the version you read), and returns it at the next version.
/// - ``save(_:)`` is a shorthand: a record at version 1 is created, any other version updates.
///   To update a record that is still at version 1, call ``update(_:)``.
///
/// ```swift
/// var saved = try await iom.missions.create(mission)          // created, version 1
/// let edited = try Mission(..., version: saved.record.version, ...)
/// saved = try await iom.missions.update(edited)               // updated, version 2
/// try await iom.missions.create(mission)                      // throws .alreadyExists (version 2)
/// ```
public struct Repository<Record: DomainRecord>: Sendable {
    let kit: IOM
    private var type: String { Record.recordType.rawValue }

    /// Version 1 means ``create(_:)``, any other version ``update(_:)``.
    ///
    /// - Throws: the errors of ``create(_:)`` or ``update(_:)``, and
    ///   ``IOMError/Code/badVersion`` for a record that does not exist at a
    ///   version other than 1. Nothing is changed on error.
    @discardableResult
    public func save(_ record: Record) async throws(IOMError) -> Saved<Record> {
        if record.version == 1 { return try await create(record) }
        do { return try await update(record) } catch {
            // A record that does not exist must be created, at version 1.
            if error.code == .notFound { throw .badVersion(recordType: Record.recordType, id: record.id.rawValue, version: record.version) }
            throw error
        }
    }

    /// Creates a record that does not exist yet; it must carry version 1.
    ///
    /// - Throws: ``IOMError/Code/alreadyExists`` when a record has the id (a
    ///   retried create included), ``IOMError/Code/badVersion`` for a version
    ///   other than 1, ``IOMError/Code/invalid`` when the record breaks a rule. Nothing is changed on error.
    @discardableResult
    public func create(_ record: Record) async throws(IOMError) -> Saved<Record> {
        try await measured { () async throws(IOMError) in try await performCreate(record) }
    }

    /// Replaces the stored record, which must still be at `record.version` (the version you
    /// read); the stored record gets the next version and a new `updatedAt`.
    ///
    /// - Throws: ``IOMError/Code/notFound`` when there is no such record,
    ///   ``IOMError/Code/conflict`` when the stored version differs,
    ///   ``IOMError/Code/invalid`` when the record breaks a rule. Nothing is changed on error.
    @discardableResult
    public func update(_ record: Record) async throws(IOMError) -> Saved<Record> {
        try await measured { () async throws(IOMError) in try await performUpdate(record) }
    }

    private func measured(_ body: () async throws(IOMError) -> Saved<Record>) async throws(IOMError) -> Saved<Record> {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let saved = try await body()
            kit.metrics.recordSave(Record.recordType, nanoseconds: (clock.now - start).nanoseconds)
            return saved
        } catch {
            kit.metrics.recordFailure(Record.recordType, error)
            throw error
        }
    }

    private func performCreate(_ record: Record) async throws(IOMError) -> Saved<Record> {
        let id = record.id.rawValue
        guard record.version == 1 else { throw .badVersion(recordType: Record.recordType, id: id, version: record.version) }
        // No read first: the store refuses a create of an existing id inside its transaction
        // (StoreError.alreadyExists, mapped below), which is also the only race-free check.
        let change = try Self.change(.created, before: nil, after: record.anyRecord)
        let entry = try await apply(.create(type: type, id: id, payload: kit.storePayload(change)), change: change)
        return Saved(record: record, sequence: entry.sequence)
    }

    private func performUpdate(_ record: Record) async throws(IOMError) -> Saved<Record> {
        let id = record.id.rawValue
        guard let current = try await get(record.id) else { throw .notFound(recordType: Record.recordType, id: id) }
        guard current.version == record.version else {
            throw .conflict(recordType: Record.recordType, id: id, expected: record.version, actual: current.version)
        }
        let now = Instant(millisecondsSince1970: max(Int64(Date().timeIntervalSince1970 * 1000),
                                                     record.updatedAt.millisecondsSince1970))
        let next: Record
        do { next = try record.restamped(version: record.version + 1, updatedAt: now) } catch { throw .invalid(error) }
        let change = try Self.change(.updated, before: current.anyRecord, after: next.anyRecord)
        let entry = try await apply(.update(type: type, id: id, expectedVersion: record.version, payload: kit.storePayload(change)),
                                    change: change)
        return Saved(record: next, sequence: entry.sequence)
    }

    /// Deletes the record, which must still be at `record.version`. Returns the journal sequence.
    @discardableResult
    public func delete(_ record: Record) async throws(IOMError) -> UInt64 {
        let id = record.id.rawValue
        guard let current = try await get(record.id) else { throw .notFound(recordType: Record.recordType, id: id) }
        guard current.version == record.version else {
            throw .conflict(recordType: Record.recordType, id: id, expected: record.version, actual: current.version)
        }
        let change = try Self.change(.deleted, before: current.anyRecord, after: nil)
        let entry = try await apply(.delete(type: type, id: id, expectedVersion: record.version, payload: kit.storePayload(change)),
                                    change: change)
        return entry.sequence
    }

    /// The current state of a record, or `nil` if there is none.
    public func get(_ id: Identifier<Record>) async throws(IOMError) -> Record? {
        let stored: StoredRecord?
        do { stored = try await kit.store.get(type: type, id: id.rawValue) } catch { throw IOMError(error) }
        guard let stored else { return nil }
        return try Self.decode(stored, kit: kit)
    }

    /// A page of records ordered by id, starting after `cursor` (from the previous page).
    public func list(after cursor: String? = nil, limit: Int = 100) async throws(IOMError) -> (records: [Record], next: String?) {
        let page: Page
        do { page = try await kit.store.list(type: type, after: cursor, limit: limit) } catch { throw IOMError(error) }
        var records: [Record] = []
        records.reserveCapacity(page.records.count)
        for stored in page.records { records.append(try Self.decode(stored, kit: kit)) }
        return (records, page.nextCursor)
    }

    /// Applies `mutation`, whose payload is `change`'s journal encoding. The typed change and
    /// its clear encoding travel with it to the commit relay, which publishes them without
    /// decoding anything: for a protection case the clear encoding (what the full view carries)
    /// is made here, once, beside the sealed journal bytes.
    func apply(_ mutation: Mutation, change: Change) async throws(IOMError) -> JournalEntry {
        let encoded = change.recordType == .protectionCase ? WireCodec.encode(change) : mutation.payload
        let mutation = await mutation.attaching(SavedChange(change: change, encoded: encoded)).inSaveContext()
        do { return try await kit.store.apply(mutation) } catch {
            if case StoreError.conflict(_, let id, let expected, let actual) = error {
                throw .conflict(recordType: Record.recordType, id: id, expected: expected, actual: actual ?? 0)
            }
            if case StoreError.alreadyExists(_, let id, let version) = error {
                throw .alreadyExists(recordType: Record.recordType, id: id, version: version)
            }
            let failure = IOMError(error)
            // A conflict or an invalid record is the caller's business; a failing store is the operator's.
            if failure.code == .store {
                kit.logger.error("store write failed", metadata: ["type": "\(type)", "error": "\(failure)"])
            }
            throw failure
        }
    }

    static func change(_ kind: ChangeKind, before: AnyRecord?, after: AnyRecord?) throws(IOMError) -> Change {
        do { return try Change(kind: kind, before: before, after: after) } catch { throw .invalid(error) }
    }

    /// State rows hold the encoded ``Change`` that produced them; the record is its `after`.
    static func decode(_ stored: StoredRecord, kit: IOM) throws(IOMError) -> Record {
        do {
            let change = try WireCodec.decodeChange(stored.payload, openingWith: kit.sealer)
            guard let record = change.after?.typed(as: Record.self) else {
                throw IOMError.corrupted("\(stored.recordType) \"\(stored.id)\" holds no \(Record.recordType.rawValue) state")
            }
            return record
        } catch { throw IOMError(error) }
    }
}
