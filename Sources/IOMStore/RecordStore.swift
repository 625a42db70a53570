import Foundation
import GRDB

/// The journal and current state of one source, in SQLite through GRDB.
///
/// Every ``apply(_:)`` writes the new state **and** appends the change to the journal in one
/// transaction (a transactional outbox); concurrent calls share one transaction (group commit)
/// and return once their change is committed. Records are opaque bytes: typed repositories
/// sit on top of this API.
///
/// ```swift
/// let store = try await RecordStore.open(.init(location: .file(path: "iom.sqlite")))
/// let entry = try await store.apply(.create(type: "mission", id: "MA", payload: bytes, index: ["status": "open"]))
/// let page = try await store.list(type: "mission", where: ["status": "open"], limit: 50)
/// let replay = try await store.journal(from: entry.sequence, limit: 100)
/// ```
package final class RecordStore: Sendable {
    /// The identity of this store, kept in the file across restarts.
    package let source: SourceID
    /// The configuration the store was opened with.
    package let configuration: StoreConfiguration

    let writer: any DatabaseWriter
    let committer: GroupCommitter
    let isClosed = Locked(false)

    /// Largest accepted payload (16 MiB).
    package static let maximumPayloadSize = 16 << 20

    private init(writer: any DatabaseWriter, source: SourceID, configuration: StoreConfiguration) {
        self.writer = writer
        self.source = source
        self.configuration = configuration
        self.committer = GroupCommitter(writer: writer, source: source, configuration: configuration)
    }

    /// Opens (creating or migrating when needed) the store described by `configuration`.
    ///
    /// - Throws: ``StoreError/incompatibleFile(_:)`` when the file is not a store file or was
    ///   written by a newer version; ``StoreError/storage(_:)`` when it cannot be opened.
    package static func open(_ configuration: StoreConfiguration = StoreConfiguration()) async throws -> RecordStore {
        var grdb = Configuration()
        // Other processes may hold the file's lock for a moment (`iom save` beside a running
        // node, two stores opening one file): wait for it instead of failing at once.
        grdb.busyMode = .timeout(10)
        let synchronous = configuration.durability == .powerLoss ? "FULL" : "NORMAL"
        grdb.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        let writer: any DatabaseWriter
        do {
            switch configuration.location {
            case let .file(path):
                guard !path.isEmpty else { throw StoreError.invalidArgument("the store file path is empty") }
                // 0600 whatever the umask; SQLite gives -wal and -shm the same mode.
                try PrivateFile.create(atPath: path)
                writer = try DatabasePool(path: path, configuration: grdb)
            case .inMemory:
                writer = try DatabaseQueue(configuration: grdb)
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.incompatibleFile("\(configuration.location) is not a SQLite database")
        } catch {
            throw StoreError.storage("cannot open \(configuration.location): \(error)")
        }
        let source: SourceID
        do {
            let migrator = Schema.migrator
            let unknown = try await writer.read { db -> Set<String> in
                guard try db.tableExists("grdb_migrations") else {
                    let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                    return tables.isEmpty ? [] : ["<not an IOMStore file: it has tables but no migrations>"]
                }
                return try Set(migrator.appliedIdentifiers(db)).subtracting(migrator.migrations)
            }
            guard unknown.isEmpty else {
                throw StoreError.incompatibleFile("\(configuration.location) has schema migrations this version does not know (\(unknown.sorted().joined(separator: ", "))); open it with a newer IOMKit")
            }
            // GRDB reads the applied migrations before each migration's own transaction, so two
            // processes creating one file at once can both start the same migration; the loser
            // fails ("table ... already exists") after the winner committed. Try again: it then
            // sees them applied. A migration that really fails keeps failing and is thrown.
            var attempt = 0
            while true {
                do {
                    try migrator.migrate(writer)
                    break
                } catch let error as DatabaseError where error.resultCode != .SQLITE_NOTADB && attempt < 20 {
                    attempt += 1
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            // DatabasePool sets synchronous = NORMAL on its writer after `prepareDatabase`: set ours last.
            try await writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            }
            let blob = try await writer.read { db in
                try Data.fetchOne(db, sql: "SELECT source FROM store_source WHERE id = 1")
            }
            guard let blob, let uuid = UUID(databaseBlob: blob) else {
                throw StoreError.incompatibleFile("\(configuration.location) has no source identity")
            }
            source = SourceID(uuid)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StoreError.incompatibleFile("\(configuration.location) is not a SQLite database")
        } catch {
            throw StoreError.storage("cannot prepare \(configuration.location): \(error)")
        }
        return RecordStore(writer: writer, source: source, configuration: configuration)
    }

    /// Refuses new calls (they fail with ``StoreError/closed``) and waits until queued saves are committed.
    ///
    /// The SQLite connections are released when the last reference to the store goes away.
    package func close() async throws {
        isClosed.withLock { $0 = true }
        await committer.close()
    }

    /// Refuses new saves (they fail with ``StoreError/closed``) and waits until queued saves
    /// are committed; reads — records, the journal, snapshots — go on until ``close()``.
    ///
    /// For an orderly shutdown: stop the writers, let readers of the journal (a bridge
    /// publisher re-sending what its queue dropped) finish, then close.
    ///
    /// ```swift
    /// await store.closeForWriting()
    /// await publisher.stop()          // may still re-read the journal
    /// try await store.close()
    /// ```
    package func closeForWriting() async {
        await committer.close()
    }

    /// The `PRAGMA synchronous` value in effect on the writer connection (1 = NORMAL, 2 = FULL).
    func synchronousLevel() async throws -> Int {
        try await writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    func ensureOpen() throws {
        if isClosed.withLock({ $0 }) { throw StoreError.closed }
    }

    // MARK: - Writing

    /// Applies one mutation and returns its journal entry once committed.
    ///
    /// - Throws: ``StoreError/conflict(recordType:id:expected:actual:)`` when the record is not at the
    ///   expected version, ``StoreError/alreadyExists(recordType:id:version:)`` for a create of an
    ///   existing record, ``StoreError/invalidArgument(_:)`` for a malformed mutation. Nothing changes then.
    @discardableResult
    package func apply(_ mutation: Mutation) async throws -> JournalEntry {
        try Self.validate(mutation)
        let entries = try await committer.submit([mutation])
        return entries[0]
    }

    /// Applies several mutations atomically: all are committed, with consecutive sequences in the
    /// given order, or none is (the first refusal is thrown).
    @discardableResult
    package func apply(batch mutations: [Mutation]) async throws -> [JournalEntry] {
        guard !mutations.isEmpty else { throw StoreError.invalidArgument("a batch needs at least one mutation") }
        guard mutations.count <= configuration.maximumGroupSize else {
            throw StoreError.invalidArgument("a batch of \(mutations.count) mutations exceeds maximumGroupSize \(configuration.maximumGroupSize)")
        }
        for mutation in mutations { try Self.validate(mutation) }
        return try await committer.submit(mutations)
    }

    /// Applies each mutation on its own, in the given order, handed to the writer together: what
    /// `mutations.count` concurrent ``apply(_:)`` calls queued one after another would do, in one
    /// hand-off. Each is committed or refused alone (a refusal — conflict, existing id, remembered
    /// request, malformed mutation — changes nothing and does not stop the others); the committed
    /// ones get increasing sequences in the given order. Returns one outcome per mutation, in order.
    ///
    /// ```swift
    /// let outcomes = try await store.apply(each: [.create(type: "mission", id: "MA", payload: a),
    ///                                             .create(type: "mission", id: "MA", payload: b)])
    /// // [.success(entry), .failure(.alreadyExists(recordType: "mission", id: "MA", version: 1))]
    /// ```
    ///
    /// - Throws: only when nothing could be written (``StoreError/closed``, ``StoreError/storage(_:)``).
    package func apply(each mutations: [Mutation]) async throws -> [Result<JournalEntry, StoreError>] {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(each: mutations) { continuation.resume(with: $0) }
        }
    }

    /// ``apply(each:)`` without waiting: queues the mutations for the writer and returns at once.
    /// `completion` gets the outcomes once they are committed, on the store's commit thread (keep
    /// it short, and never block in it), or at once on the calling thread when nothing can be
    /// written (``StoreError/closed``). Calls made one after another are written in that order,
    /// so a caller that queues from one thread keeps its order without waiting for each commit.
    package func enqueue(each mutations: [Mutation],
                         completion: @escaping @Sendable (Result<[Result<JournalEntry, StoreError>], StoreError>) -> Void) {
        if isClosed.withLock({ $0 }) { return completion(.failure(.closed)) }
        var outcomes = [Result<JournalEntry, StoreError>?](repeating: nil, count: mutations.count)
        var groups: [[Mutation]] = []
        var positions: [Int] = []
        groups.reserveCapacity(mutations.count)
        positions.reserveCapacity(mutations.count)
        for (index, mutation) in mutations.enumerated() {
            do {
                try Self.validate(mutation)
                groups.append([mutation])
                positions.append(index)
            } catch let error as StoreError {
                outcomes[index] = .failure(error)
            } catch {
                outcomes[index] = .failure(.invalidArgument("\(error)"))
            }
        }
        if groups.isEmpty { return completion(.success(outcomes.map { $0! })) }
        // Submissions of at most maximumGroupSize mutations, queued back to back (the writer
        // takes them in that order); the last one to complete completes the call.
        let chunks = stride(from: 0, to: groups.count, by: configuration.maximumGroupSize).map {
            $0..<min(groups.count, $0 + configuration.maximumGroupSize)
        }
        let collected = Locked((outcomes: outcomes, remaining: chunks.count, failure: StoreError?.none))
        let indices = positions
        for chunk in chunks {
            committer.enqueue(groups: Array(groups[chunk])) { result in
                let done: Result<[Result<JournalEntry, StoreError>], StoreError>? = collected.withLock { state in
                    switch result {
                    case .success(let results):
                        for (offset, result) in results.enumerated() {
                            state.outcomes[indices[chunk.lowerBound + offset]] = result.map { $0[0] }
                        }
                    case .failure(let failure):
                        state.failure = state.failure ?? failure
                    }
                    state.remaining -= 1
                    guard state.remaining == 0 else { return nil }
                    if let failure = state.failure { return .failure(failure) }
                    return .success(state.outcomes.map { $0! })
                }
                if let done { completion(done) }
            }
        }
    }

    static func validate(_ mutation: Mutation) throws {
        try validateName(mutation.recordType, what: "record type", limit: 128)
        try validateName(mutation.id, what: "record id", limit: 512)
        if let key = mutation.requestKey { try validateName(key, what: "request key", limit: 512) }
        switch mutation.operation {
        case .create: break
        case let .update(version), let .delete(version):
            guard version >= 1, version < UInt64(Int64.max) else {
                throw StoreError.invalidArgument("expected version \(version) of \(mutation.recordType) \"\(mutation.id)\" is out of range (versions start at 1)")
            }
        }
        guard mutation.payload.count <= maximumPayloadSize else {
            throw StoreError.invalidArgument("payload of \(mutation.payload.count) bytes exceeds \(maximumPayloadSize)")
        }
        for (name, value) in mutation.indexFields {
            try validateName(name, what: "index field name", limit: 64)
            guard value.utf8.count <= 512 else {
                throw StoreError.invalidArgument("index field \(name) value longer than 512 bytes")
            }
            guard !value.utf8.contains(0) else {
                throw StoreError.invalidArgument("index field \(name) value \"\(visible(value))\" contains the control character U+0000")
            }
        }
    }

    private static func validateName(_ value: String, what: String, limit: Int) throws {
        guard !value.isEmpty else { throw StoreError.invalidArgument("\(what) is empty") }
        guard value.utf8.count <= limit else {
            throw StoreError.invalidArgument("\(what) \"\(visible(String(value.prefix(32))))…\" is longer than \(limit) bytes")
        }
        // SQLite's text functions and GRDB's String read stop at a NUL: an id holding one would
        // be stored cut, and its journal entry would disagree with its payload. Identifiers are
        // printable (Protocols/README.md): no control or format character at all.
        // Printable ASCII (the usual id) is checked byte by byte, without decoding scalars.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return }
        if let bad = value.unicodeScalars.first(where: isControl) {
            throw StoreError.invalidArgument("\(what) \"\(visible(value))\" contains the control character U+\(hex(bad.value)); identifiers are printable text (Protocols/README.md)")
        }
    }

    /// C0, DEL, C1 and Unicode format characters (the ASCII bytes are checked without Unicode tables).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { return true }
        return scalar.value >= 0xA0 && scalar.properties.generalCategory == .format
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The text with control and format characters written as `\u{…}`, for error messages.
    private static func visible(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars {
            if isControl(scalar) { out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
