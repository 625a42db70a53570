// Store benchmarks: IOMStore's durable group-committed saves beside the physical limit of
// raw SQLite (the same rows, prepared statements, batched transactions, same pragmas).
//
// Store/save-batched/*        64 concurrent savers, 256-byte payloads, synchronous=NORMAL (WAL)
// Store/save-batched-full/*   the same with synchronous=FULL (power-loss durable)
// Store/save-single/IOMStore  one save at a time: latency (wall clock p50/p99)
// Store/save-batched/IOMKit   the same 64 savers through the facade: `iom.missions.save` of fresh
//                             missions (validation, journal, publication on the bus), one
//                             subscriber task consuming `iom.changes()`; a sample ends when
//                             that subscriber has every change of it
import Benchmark
import ChangeBus
import Foundation
import GRDBSQLite
import IOMChanges
import IOMDomain
import IOMFixtures
import IOMKit
import IOMStore

let saversCount = 64
let payload = [UInt8](repeating: 0xAB, count: 256)

/// Holds what a benchmark opened in its setup hook.
final class Fixture<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?
    private var counter = 0
    func set(_ new: Value?) { lock.lock(); value = new; lock.unlock() }
    var current: Value { lock.lock(); defer { lock.unlock() }; return value! }
    /// Reserves `count` fresh record numbers.
    func reserve(_ count: Int) -> Int { lock.lock(); defer { lock.unlock() }; counter += count; return counter - count }
}

func temporaryPath(_ name: String) -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("iomstore-bench-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.appendingPathComponent(name).path
}

func removeStoreFile(_ path: String) {
    try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
}

// MARK: - IOMStore side

func openStore(durability: StoreConfiguration.Durability) async throws -> RecordStore {
    try await RecordStore.open(StoreConfiguration(location: .file(path: temporaryPath("store.sqlite")), durability: durability))
}

func saveConcurrently(_ store: RecordStore, base: Int, count: Int) async {
    await withTaskGroup(of: Void.self) { group in
        for saver in 0..<saversCount {
            group.addTask {
                var n = saver
                while n < count {
                    _ = try! await store.apply(.create(type: "bench", id: "r\(base + n)", payload: payload))
                    n += saversCount
                }
            }
        }
    }
}

// MARK: - IOMKit side (the facade's repositories)

/// An `IOM` facade on a file store in a temporary directory, with the subscription its consumer reads.
final class FacadeRig: Sendable {
    let iom: IOM
    let changes: ChangeSequence<CommittedChange, IOMError>
    let path: String

    init() async throws {
        path = temporaryPath("iom.sqlite")
        iom = try await IOM.open(IOMConfiguration(store: StoreConfiguration(location: .file(path: path), durability: .processCrash)))
        changes = try iom.changes(capacity: 1 << 16)
    }

    func close() async throws {
        changes.cancel()
        try await iom.close()
        removeStoreFile(path)
    }

    /// Fresh missions `bench-mission-<n>` (version 1) with the seed's facts.
    static func missions(base: Int, count: Int) -> [Mission] {
        let seed = Seed.moroccoMission
        return (base..<(base + count)).map { n in
            // The seed's own (valid) facts and a valid identifier: cannot throw.
            try! Mission(id: .init("bench-mission-\(n)"), version: 1, createdAt: seed.createdAt, updatedAt: seed.updatedAt,
                         organisation: seed.organisation, name: seed.name, country: seed.country,
                         presentSince: seed.presentSince, chiefOfMission: seed.chiefOfMission,
                         thematicAxes: seed.thematicAxes, offices: seed.offices, status: seed.status)
        }
    }

    /// Saves `missions` from `saversCount` concurrent tasks while one task consumes the bus;
    /// returns when the consumer has received every change saved.
    func save(_ missions: [Mission]) async throws {
        let subscription = changes
        let count = missions.count
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var iterator = subscription.makeAsyncIterator()
                var received = 0
                while received < count, try await iterator.next() != nil { received += 1 }
                guard received == count else { throw FacadeRigError("received \(received) of \(count) changes") }
            }
            for saver in 0..<saversCount {
                group.addTask { [iom] in
                    var n = saver
                    while n < count {
                        _ = try await iom.missions.save(missions[n])
                        n += saversCount
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

struct FacadeRigError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Raw SQLite side (the physical limit)

/// The same rows as IOMStore writes (state row + journal row + source counter per batch), with
/// prepared statements in batched transactions, through the SQLite C API.
final class RawSQLite: @unchecked Sendable {
    let path: String
    private var db: OpaquePointer?
    private var insertRecord: OpaquePointer?
    private var insertJournal: OpaquePointer?
    private var updateSource: OpaquePointer?
    private var sequence: Int64 = 0

    init(synchronous: String) {
        path = temporaryPath("raw.sqlite")
        check(sqlite3_open(path, &db))
        exec("PRAGMA journal_mode = WAL")
        exec("PRAGMA synchronous = \(synchronous)")
        exec("""
            CREATE TABLE store_source (id INTEGER PRIMARY KEY CHECK (id = 1), source BLOB NOT NULL,
                last_sequence INTEGER NOT NULL, pruned_through INTEGER NOT NULL);
            CREATE TABLE record (type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
                payload BLOB NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (type, id)) WITHOUT ROWID;
            CREATE TABLE journal (sequence INTEGER PRIMARY KEY, change_id BLOB NOT NULL, record_type TEXT NOT NULL,
                record_id TEXT NOT NULL, kind INTEGER NOT NULL, version INTEGER NOT NULL, time INTEGER NOT NULL,
                payload BLOB NOT NULL);
            INSERT INTO store_source VALUES (1, x'00', 0, 0);
            """)
        insertRecord = prepare("INSERT INTO record (type, id, version, payload, updated_at) VALUES (?, ?, 1, ?, ?)")
        insertJournal = prepare("INSERT INTO journal VALUES (?, ?, ?, ?, 1, 1, ?, ?)")
        updateSource = prepare("UPDATE store_source SET last_sequence = ? WHERE id = 1")
    }

    deinit {
        sqlite3_finalize(insertRecord)
        sqlite3_finalize(insertJournal)
        sqlite3_finalize(updateSource)
        sqlite3_close(db)
        removeStoreFile(path)
    }

    /// Inserts `count` records in transactions of `batch` rows.
    func insert(base: Int, count: Int, batch: Int) {
        var n = 0
        while n < count {
            exec("BEGIN IMMEDIATE")
            let end = min(count, n + batch)
            let time = Int64(Date().timeIntervalSince1970 * 1_000_000)
            while n < end {
                let id = "r\(base + n)"
                sequence += 1
                payload.withUnsafeBytes { bytes in
                    sqlite3_bind_text(insertRecord, 1, "bench", -1, nil)
                    sqlite3_bind_text(insertRecord, 2, id, -1, transient)
                    sqlite3_bind_blob(insertRecord, 3, bytes.baseAddress, Int32(bytes.count), nil)
                    sqlite3_bind_int64(insertRecord, 4, time)
                    step(insertRecord)
                    let uuid = UUID().uuid
                    withUnsafeBytes(of: uuid) { uuidBytes in
                        sqlite3_bind_int64(insertJournal, 1, sequence)
                        sqlite3_bind_blob(insertJournal, 2, uuidBytes.baseAddress, 16, nil)
                        sqlite3_bind_text(insertJournal, 3, "bench", -1, nil)
                        sqlite3_bind_text(insertJournal, 4, id, -1, transient)
                        sqlite3_bind_int64(insertJournal, 5, time)
                        sqlite3_bind_blob(insertJournal, 6, bytes.baseAddress, Int32(bytes.count), nil)
                        step(insertJournal)
                    }
                }
                n += 1
            }
            sqlite3_bind_int64(updateSource, 1, sequence)
            step(updateSource)
            exec("COMMIT")
        }
    }

    private var transient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }

    private func step(_ statement: OpaquePointer?) {
        let rc = sqlite3_step(statement)
        guard rc == SQLITE_DONE else { fatalError("sqlite3_step: \(String(cString: sqlite3_errmsg(db)))") }
        sqlite3_reset(statement)
    }

    private func prepare(_ sql: String) -> OpaquePointer? {
        var statement: OpaquePointer?
        check(sqlite3_prepare_v2(db, sql, -1, &statement, nil))
        return statement
    }

    private func exec(_ sql: String) { check(sqlite3_exec(db, sql, nil, nil, nil)) }

    private func check(_ rc: Int32) {
        guard rc == SQLITE_OK else { fatalError("sqlite: \(rc) \(String(cString: sqlite3_errmsg(db)))") }
    }
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    let batched = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident],
        scalingFactor: .kilo, maxDuration: .seconds(4), maxIterations: 1000)

    for (suffix, durability, synchronous) in [("", StoreConfiguration.Durability.processCrash, "NORMAL"),
                                               ("-full", .powerLoss, "FULL")] {
        let store = Fixture<RecordStore>()
        var storeConfiguration = batched
        storeConfiguration.setup = { store.set(try await openStore(durability: durability)) }
        storeConfiguration.teardown = { try await store.current.close(); store.set(nil) }
        Benchmark("Store/save-batched\(suffix)/IOMStore", configuration: storeConfiguration) { benchmark async in
            let count = benchmark.scaledIterations.count
            await saveConcurrently(store.current, base: store.reserve(count), count: count)
        }

        if suffix.isEmpty {
            let facade = Fixture<FacadeRig>()
            var facadeConfiguration = batched
            facadeConfiguration.setup = { facade.set(try await FacadeRig()) }
            facadeConfiguration.teardown = { try await facade.current.close(); facade.set(nil) }
            Benchmark("Store/save-batched/IOMKit", configuration: facadeConfiguration) { benchmark async throws in
                let count = benchmark.scaledIterations.count
                let missions = FacadeRig.missions(base: facade.reserve(count), count: count)
                benchmark.startMeasurement()
                try await facade.current.save(missions)
                benchmark.stopMeasurement()
            }
        }

        let raw = Fixture<RawSQLite>()
        var rawConfiguration = batched
        rawConfiguration.setup = { raw.set(RawSQLite(synchronous: synchronous)) }
        rawConfiguration.teardown = { raw.set(nil) }
        Benchmark("Store/save-batched\(suffix)/raw-sqlite", configuration: rawConfiguration) { benchmark in
            let count = benchmark.scaledIterations.count
            raw.current.insert(base: raw.reserve(count), count: count, batch: saversCount)
        }
    }

    let single = Fixture<RecordStore>()
    Benchmark("Store/save-single/IOMStore",
              configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .one,
                                   maxDuration: .seconds(3), maxIterations: 20_000,
                                   setup: { single.set(try await openStore(durability: .processCrash)) },
                                   teardown: { try await single.current.close(); single.set(nil) })) { benchmark async in
        let n = single.reserve(1)
        _ = try! await single.current.apply(.create(type: "bench", id: "r\(n)", payload: payload))
    }
}
