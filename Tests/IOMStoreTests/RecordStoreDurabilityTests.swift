import Foundation
import GRDB
@testable import IOMStore
import Testing

@Suite("Durability: restart, retention, migrations, files", .timeLimit(.minutes(2)))
struct RecordStoreDurabilityTests {
    @Test("after a restart the source keeps its identity and the sequence continues with no gap", arguments: [StoreConfiguration.Durability.processCrash, .powerLoss])
    func restartContinuity(_ durability: StoreConfiguration.Durability) async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = StoreConfiguration(location: .file(path: directory.appendingPathComponent("s.sqlite").path), durability: durability)

        let first = try await RecordStore.open(configuration)
        // The durability asked for is the one in effect on the writer (GRDB's pool defaults to NORMAL).
        #expect(try await first.synchronousLevel() == (durability == .powerLoss ? 2 : 1))
        let source = first.source
        for i in 1...10 { try await first.apply(.create(type: "t", id: "\(i)", payload: bytes("\(i)"))) }
        try await first.close()

        let second = try await RecordStore.open(configuration)
        #expect(second.source == source)
        #expect(try await second.lastSequence() == 10)
        let next = try await second.apply(.update(type: "t", id: "3", expectedVersion: 1, payload: bytes("x")))
        #expect(next.sequence == 11 && next.source == source)
        #expect(try await second.journal(from: 1, limit: 100).map(\.sequence) == Array(1...11))
        try await second.close()

        // Another file is another source.
        let other = try await RecordStore.open(StoreConfiguration(location: .file(path: directory.appendingPathComponent("o.sqlite").path)))
        #expect(other.source != source)
        try await other.close()
    }

    @Test("retention prunes only entries beyond the newest N and older than D; a pruned read says to take a snapshot")
    func retention() async throws {
        let clockStart = Date()
        try await withStore(.file, configure: { $0.retention = .init(minimumCount: 5, minimumAge: 3600) }) { (store: RecordStore) async throws in
            for i in 1...20 { try await store.apply(.create(type: "t", id: "\(i)", payload: [])) }
            // Everything is younger than an hour: nothing goes.
            #expect(try await store.pruneJournal(now: clockStart) == 0)
            #expect(try await store.oldestAvailableSequence() == 1)
            // Two hours later all are old enough, but the newest 5 stay.
            let later = clockStart.addingTimeInterval(7200)
            #expect(try await store.pruneJournal(now: later) == 15)
            #expect(try await store.oldestAvailableSequence() == 16)
            #expect(try await store.journal(from: 16).map(\.sequence) == [16, 17, 18, 19, 20])
            do {
                _ = try await store.journal(from: 3)
                Issue.record("reading a pruned range must fail")
            } catch let error as StoreError {
                #expect(error == .journalPruned(requested: 3, oldestAvailable: 16))
                #expect(error.description.contains("snapshot"))
            }
            // State is untouched, the snapshot covers everything, and sequences continue.
            let snapshot = try await store.snapshot()
            #expect(snapshot.records.count == 20 && snapshot.sequence == 20)
            #expect(try await store.apply(.create(type: "t", id: "21", payload: [])).sequence == 21)
            #expect(try await store.pruneJournal(now: later) == 1)
        }
        // Young entries are kept even beyond the newest N.
        try await withStore(.memory, configure: { $0.retention = .init(minimumCount: 2, minimumAge: 3600) }) { (store: RecordStore) async throws in
            for i in 1...10 { try await store.apply(.create(type: "t", id: "\(i)", payload: [])) }
            #expect(try await store.pruneJournal() == 0)
            #expect(try await store.journal(from: 1).count == 10)
        }
        // The default keeps everything.
        try await withStore(.memory) { (store: RecordStore) async throws in
            for i in 1...10 { try await store.apply(.create(type: "t", id: "\(i)", payload: [])) }
            #expect(try await store.pruneJournal(now: Date.distantFuture) == 0)
        }
    }

    @Test("a file written with the v1 schema opens with the current code and keeps its data")
    func migrationFromV1() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("v1.sqlite").path
        // The v1 schema exactly as the first release wrote it (frozen here on purpose).
        let fixtureSource = UUID()
        do {
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1');
                    CREATE TABLE store_source (id INTEGER PRIMARY KEY CHECK (id = 1), source BLOB NOT NULL,
                        last_sequence INTEGER NOT NULL, pruned_through INTEGER NOT NULL);
                    CREATE TABLE record (type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
                        payload BLOB NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (type, id)) WITHOUT ROWID;
                    CREATE TABLE journal (sequence INTEGER PRIMARY KEY, change_id BLOB NOT NULL, record_type TEXT NOT NULL,
                        record_id TEXT NOT NULL, kind INTEGER NOT NULL, version INTEGER NOT NULL, time INTEGER NOT NULL,
                        payload BLOB NOT NULL);
                    """)
                let uuidBlob = withUnsafeBytes(of: fixtureSource.uuid) { Data($0) }
                try db.execute(sql: "INSERT INTO store_source VALUES (1, ?, 2, 0)", arguments: [uuidBlob])
                try db.execute(sql: "INSERT INTO record VALUES ('mission', 'MA', 2, x'0102', 1500000000000000)")
                try db.execute(sql: "INSERT INTO journal VALUES (1, ?, 'mission', 'MA', 1, 1, 1500000000000000, x'01')", arguments: [UUID().databaseBlobForTest])
                try db.execute(sql: "INSERT INTO journal VALUES (2, ?, 'mission', 'MA', 2, 2, 1500000000000000, x'0102')", arguments: [UUID().databaseBlobForTest])
            }
            try queue.close()
        }
        let store = try await RecordStore.open(StoreConfiguration(location: .file(path: path)))
        #expect(store.source == SourceID(fixtureSource))
        let record = try #require(try await store.get(type: "mission", id: "MA"))
        #expect(record.version == 2 && record.payload == [1, 2])
        #expect(record.updatedAt == Date(timeIntervalSince1970: 1_500_000_000))
        #expect(try await store.journal(from: 1).map(\.kind) == [.created, .updated])
        // v2 features work on the migrated file.
        let next = try await store.apply(.update(type: "mission", id: "MA", expectedVersion: 2, payload: [3], index: ["status": "open"]))
        #expect(next.sequence == 3)
        #expect(try await store.list(type: "mission", where: ["status": "open"]).records.map(\.id) == ["MA"])
        try await store.close()
    }

    @Test("files that are not store files, or come from a newer version, are refused clearly")
    func incompatibleFiles() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("garbage.sqlite")
        try Data(repeating: 0x42, count: 8192).write(to: garbage)
        await #expect(throws: StoreError.self) {
            try await RecordStore.open(StoreConfiguration(location: .file(path: garbage.path)))
        }

        let foreign = directory.appendingPathComponent("foreign.sqlite").path
        let queue = try DatabaseQueue(path: foreign)
        try await queue.write { db in try db.execute(sql: "CREATE TABLE customers (id INTEGER)") }
        try queue.close()
        await #expect(throws: StoreError.self) {
            try await RecordStore.open(StoreConfiguration(location: .file(path: foreign)))
        }

        let future = directory.appendingPathComponent("future.sqlite").path
        let store = try await RecordStore.open(StoreConfiguration(location: .file(path: future)))
        try await store.close()
        let futureQueue = try DatabaseQueue(path: future)
        try await futureQueue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99-from-the-future')") }
        try futureQueue.close()
        do {
            _ = try await RecordStore.open(StoreConfiguration(location: .file(path: future)))
            Issue.record("a file from a newer version must be refused")
        } catch let error as StoreError {
            guard case let .incompatibleFile(message) = error else { Issue.record("wrong error \(error)"); return }
            #expect(message.contains("v99-from-the-future"))
        }

        await #expect(throws: StoreError.self) {
            try await RecordStore.open(StoreConfiguration(location: .file(path: "")))
        }
        await #expect(throws: StoreError.self) {
            try await RecordStore.open(StoreConfiguration(location: .file(path: "/nonexistent-dir-\(UUID())/x.sqlite")))
        }
    }

    @Test("an in-memory store is private and behaves like a file store")
    func inMemoryIsPrivate() async throws {
        let a = try await RecordStore.open(.inMemory)
        let b = try await RecordStore.open(.inMemory)
        try await a.apply(.create(type: "t", id: "1", payload: []))
        #expect(try await b.get(type: "t", id: "1") == nil)
        #expect(a.source != b.source)
        try await a.close()
        try await b.close()
    }
}

extension UUID {
    var databaseBlobForTest: Data { withUnsafeBytes(of: uuid) { Data($0) } }
}
