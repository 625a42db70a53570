import Foundation
import GRDB
@testable import IOMStore
import Testing

@Suite("Remembered requests: a request key is stored with its change and refuses a repeat", .timeLimit(.minutes(2)))
struct RecordStoreRequestTests {
    private func keyed(_ mutation: Mutation, _ key: String) -> Mutation {
        var copy = mutation
        copy.requestKey = key
        return copy
    }

    @Test("a keyed mutation is remembered with its entry; the same key again is refused and changes nothing", arguments: Backing.allCases)
    func rememberedAndRefused(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            let entry = try await store.apply(keyed(.create(type: "mission", id: "MA", payload: bytes("v1")), "svc r-1"))
            let remembered = try #require(try await store.request("svc r-1"))
            #expect(remembered.sequence == entry.sequence && remembered.recordType == "mission" && remembered.recordID == "MA" && remembered.version == 1)
            #expect(try await store.request("svc r-2") == nil)
            // The same key on a mutation that would succeed: refused before anything is written.
            await #expect(throws: StoreError.duplicateRequest(key: "svc r-1")) {
                try await store.apply(keyed(.update(type: "mission", id: "MA", expectedVersion: 1, payload: bytes("v2")), "svc r-1"))
            }
            #expect(try await store.get(type: "mission", id: "MA")?.version == 1)
            #expect(try await store.lastSequence() == 1)
            // Another key saves normally.
            let next = try await store.apply(keyed(.update(type: "mission", id: "MA", expectedVersion: 1, payload: bytes("v2")), "svc r-2"))
            #expect(next.sequence == 2)
        }
    }

    @Test("a refused keyed mutation is not remembered: the key stays free")
    func refusedIsNotRemembered() async throws {
        try await withStore(.file) { (store: RecordStore) async throws in
            await #expect(throws: StoreError.conflict(recordType: "mission", id: "MA", expected: 1, actual: nil)) {
                try await store.apply(keyed(.update(type: "mission", id: "MA", expectedVersion: 1, payload: []), "k"))
            }
            #expect(try await store.request("k") == nil)
            #expect(try await store.apply(keyed(.create(type: "mission", id: "MA", payload: []), "k")).sequence == 1)
        }
    }

    @Test("remembered requests survive reopening the file and are forgotten by age")
    func durableAndForgotten() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = StoreConfiguration(location: .file(path: directory.appendingPathComponent("store.sqlite").path))
        var store = try await RecordStore.open(configuration)
        try await store.apply(keyed(.create(type: "event", id: "e1", payload: []), "old"))
        try await store.close()

        store = try await RecordStore.open(configuration)
        #expect(try await store.request("old")?.sequence == 1)
        await #expect(throws: StoreError.duplicateRequest(key: "old")) {
            try await store.apply(keyed(.create(type: "event", id: "e2", payload: []), "old"))
        }
        #expect(try await store.forgetRequests(before: Date(timeIntervalSinceNow: -60)) == 0)
        #expect(try await store.forgetRequests(before: Date(timeIntervalSinceNow: 1)) == 1)
        #expect(try await store.request("old") == nil)
        #expect(try await store.apply(keyed(.create(type: "event", id: "e2", payload: []), "old")).sequence == 2)
        try await store.close()
    }

    @Test("forgetting by age takes the receipts in the order of their changes, up to the first young one")
    func forgottenInOrder() async throws {
        try await withStore(.file) { (store: RecordStore) async throws in
            for n in 1...5 { try await store.apply(keyed(.create(type: "event", id: "e\(n)", payload: []), "k\(n)")) }
            let cutoff = Date()
            for n in 6...7 { try await store.apply(keyed(.create(type: "event", id: "e\(n)", payload: []), "k\(n)")) }
            #expect(try await store.forgetRequests(before: Date(timeIntervalSince1970: 0)) == 0)
            #expect(try await store.forgetRequests(before: cutoff) == 5)
            #expect(try await store.forgetRequests(before: cutoff) == 0, "nothing left before the cutoff")
            for n in 1...5 { #expect(try await store.request("k\(n)") == nil) }
            for n in 6...7 { #expect(try await store.request("k\(n)")?.sequence == UInt64(n)) }
            #expect(try await store.forgetRequests(before: Date(timeIntervalSinceNow: 1)) == 2)
            #expect(try await store.forgetRequests(before: Date(timeIntervalSinceNow: 1)) == 0, "an empty table")
        }
    }

    @Test("forgetting in chunks of any size forgets the same receipts and stops at the first young one", arguments: [1, 2, 3, 100])
    func forgottenInChunks(_ chunk: Int) async throws {
        try await withStore(.file) { (store: RecordStore) async throws in
            // Sequences with holes: unkeyed changes between the keyed ones.
            for n in 1...7 {
                try await store.apply(keyed(.create(type: "event", id: "e\(n)", payload: []), "k\(n)"))
                try await store.apply(.create(type: "event", id: "plain\(n)", payload: []))
            }
            let cutoff = Date()
            for n in 8...9 { try await store.apply(keyed(.create(type: "event", id: "e\(n)", payload: []), "k\(n)")) }
            #expect(try await store.forgetRequests(before: cutoff, chunk: chunk) == 7)
            for n in 1...7 { #expect(try await store.request("k\(n)") == nil) }
            for n in 8...9 { #expect(try await store.request("k\(n)") != nil) }
            #expect(try await store.forgetRequests(before: Date(timeIntervalSinceNow: 1), chunk: chunk) == 2)
        }
    }

    @Test("forgetting leaves every receipt committed after it began, even one older than the cutoff")
    func keepsWhatCameAfter() async throws {
        try await withStore(.file) { (store: RecordStore) async throws in
            let old = 2_000
            for outcome in try await store.apply(each: (1...old).map { keyed(.create(type: "event", id: "e\($0)", payload: []), "k\($0)") }) {
                _ = try outcome.get()
            }
            // Every receipt is older than this cutoff; one per transaction, forgetting takes a while.
            let forgetting = Task { try await store.forgetRequests(before: Date(timeIntervalSinceNow: 3_600), chunk: 1) }
            while try await store.request("k1") != nil { await Task.yield() }  // it has begun
            for n in 1...5 { try await store.apply(keyed(.create(type: "event", id: "late\(n)", payload: []), "late\(n)")) }
            #expect(try await forgetting.value == old)
            for n in 1...5 { #expect(try await store.request("late\(n)") != nil, "late\(n) was committed after forgetting began") }
            #expect(try await store.request("k\(old)") == nil)
        }
    }

    @Test("a store written with the v4 layout keeps its remembered requests in the v5 one: found, refused again, forgotten by age")
    func migratedFromV4() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("store.sqlite").path
        let old = Int64(Date(timeIntervalSinceNow: -7_200).timeIntervalSince1970 * 1_000_000)
        let recent = Int64(Date().timeIntervalSince1970 * 1_000_000)
        do {
            let queue = try DatabaseQueue(path: path)
            try Schema.migrator.migrate(queue, upTo: "v4")
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO request_receipt (key, sequence, record_type, record_id, version, time)
                    VALUES ('svc old', 1, 'event', 'e1', 1, ?), ('svc recent', 2, 'event', 'e2', 1, ?)
                    """, arguments: [old, recent])
                try db.execute(sql: "UPDATE store_source SET last_sequence = 2 WHERE id = 1")
            }
        }
        let store = try await RecordStore.open(StoreConfiguration(location: .file(path: path)))
        #expect(try await store.request("svc old")?.recordID == "e1")
        #expect(try await store.request("svc recent")?.sequence == 2)
        await #expect(throws: StoreError.duplicateRequest(key: "svc recent")) {
            try await store.apply(keyed(.create(type: "event", id: "e3", payload: []), "svc recent"))
        }
        #expect(try await store.forgetRequests(before: Date(timeIntervalSinceNow: -3_600)) == 1)
        #expect(try await store.request("svc old") == nil)
        let entry = try await store.apply(keyed(.create(type: "event", id: "e3", payload: []), "svc new"))
        #expect(entry.sequence == 3)
        #expect(try await store.request("svc new")?.sequence == 3)
        try await store.close()
    }

    @Test("onQueued runs once the mutation is queued, so mutations queued in turn get increasing sequences")
    func queuedInTurn() async throws {
        try await withStore(.file) { (store: RecordStore) async throws in
            // Each save starts only when the previous one is queued (not committed).
            var tasks: [Task<UInt64, any Error>] = []
            var previous: AsyncStream<Void>? = nil
            for n in 0..<50 {
                let (queued, signal) = AsyncStream<Void>.makeStream()
                let wait = previous
                tasks.append(Task {
                    if let wait { for await _ in wait { break } }
                    var mutation = Mutation.create(type: "bench", id: "r\(n)", payload: [])
                    mutation.onQueued = { signal.yield(); signal.finish() }
                    return try await store.apply(mutation).sequence
                })
                previous = queued
            }
            var sequences: [UInt64] = []
            for task in tasks { sequences.append(try await task.value) }
            #expect(sequences == Array(1...50))
        }
    }

    @Test("apply(each:) commits each mutation on its own, in order: a refusal (existing id, remembered key, malformed) changes nothing and stops nothing", arguments: Backing.allCases)
    func eachOnItsOwn(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            try await store.apply(keyed(.create(type: "mission", id: "old", payload: bytes("v1")), "k-old"))
            let outcomes = try await store.apply(each: [
                keyed(.create(type: "mission", id: "A", payload: bytes("a")), "k-a"),
                keyed(.create(type: "mission", id: "A", payload: bytes("a again")), "k-a2"),   // created just before: refused
                keyed(.create(type: "mission", id: "B", payload: bytes("b")), "k-old"),        // remembered key: refused
                .create(type: "", id: "C", payload: []),                                         // malformed: refused
                keyed(.update(type: "mission", id: "A", expectedVersion: 1, payload: bytes("a2")), "k-a3"),  // sees the create before it
                .create(type: "mission", id: "D", payload: bytes("d")),
            ])
            #expect(outcomes.count == 6)
            #expect(try outcomes[0].get().sequence == 2)
            #expect(throws: StoreError.alreadyExists(recordType: "mission", id: "A", version: 1)) { try outcomes[1].get() }
            #expect(throws: StoreError.duplicateRequest(key: "k-old")) { try outcomes[2].get() }
            #expect(throws: StoreError.self) { try outcomes[3].get() }
            #expect(try outcomes[4].get().sequence == 3 && outcomes[4].get().version == 2)
            #expect(try outcomes[5].get().sequence == 4)
            // Refused keys are not remembered (the receipt of a refused create is taken back).
            #expect(try await store.request("k-a2") == nil)
            #expect(try await store.request("k-old")?.recordID == "old")
            #expect(try await store.request("k-a3")?.version == 2)
            #expect(try await store.get(type: "mission", id: "B") == nil)
            #expect(try await store.get(type: "mission", id: "A")?.payload == bytes("a2"))
            #expect(try await store.lastSequence() == 4)
            #expect(try await store.apply(each: []).isEmpty)
        }
    }

    @Test("apply(each:) beyond maximumGroupSize and from many callers at once: every mutation committed once, each caller's in its order")
    func eachConcurrent() async throws {
        try await withStore(.file, configure: { $0.maximumGroupSize = 16 }) { (store: RecordStore) async throws in
            let callers = 8, count = 40
            let sequences = try await withThrowingTaskGroup(of: [UInt64].self) { group in
                for caller in 0..<callers {
                    group.addTask {
                        let outcomes = try await store.apply(each: (0..<count).map {
                            keyed(.create(type: "event", id: "c\(caller)-\($0)", payload: []), "k \(caller) \($0)")
                        })
                        return try outcomes.map { try $0.get().sequence }
                    }
                }
                var all: [[UInt64]] = []
                for try await sequences in group { all.append(sequences) }
                return all
            }
            for caller in sequences { #expect(caller == caller.sorted() && Set(caller).count == count) }
            #expect(Set(sequences.joined()).count == callers * count)
            #expect(try await store.lastSequence() == UInt64(callers * count))
        }
    }

    @Test("apply(each:) on a closed store throws closed")
    func eachClosed() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await RecordStore.open(Backing.file.configuration(directory))
        try await store.close()
        await #expect(throws: StoreError.closed) { try await store.apply(each: [.create(type: "event", id: "e", payload: [])]) }
    }

    @Test("enqueue(each:) called again and again without waiting: journaled in call order, each completion with its own outcomes")
    func enqueueInCallOrder() async throws {
        try await withStore(.file, configure: { $0.maximumGroupSize = 7 }) { (store: RecordStore) async throws in
            let calls = 60, perCall = 5
            let (completions, completion) = AsyncStream.makeStream(of: (call: Int, outcomes: [Result<JournalEntry, StoreError>]).self)
            for call in 0..<calls {
                var mutations: [Mutation] = (0..<perCall).map { .create(type: "event", id: "e\(call)-\($0)", payload: bytes("\(call)")) }
                if call % 10 == 3 { mutations[2] = .create(type: "event", id: "e0-0", payload: []) }  // exists: refused alone
                store.enqueue(each: mutations) { result in
                    completion.yield((call, (try? result.get()) ?? []))
                }
            }
            var received: [Int: [Result<JournalEntry, StoreError>]] = [:]
            for await (call, outcomes) in completions {
                received[call] = outcomes
                if received.count == calls { break }
            }
            var sequences: [UInt64] = []
            for call in 0..<calls {
                let outcomes = try #require(received[call])
                #expect(outcomes.count == perCall)
                for (index, outcome) in outcomes.enumerated() {
                    if call % 10 == 3 && index == 2 {
                        #expect(throws: StoreError.alreadyExists(recordType: "event", id: "e0-0", version: 1)) { try outcome.get() }
                    } else {
                        sequences.append(try outcome.get().sequence)
                    }
                }
            }
            #expect(sequences == Array(1...UInt64(sequences.count)), "the calls' creations in call order, without gaps")
            #expect(try await store.lastSequence() == UInt64(sequences.count))
        }
    }

    @Test("enqueue(each:) completes at once: on a closed store with closed, and with nothing to write with each refusal")
    func enqueueCompletesAtOnce() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await RecordStore.open(Backing.file.configuration(directory))
        let outcome = LastOutcome()
        store.enqueue(each: [.create(type: "", id: "e", payload: [])]) { result in outcome.withLock { $0 = result } }
        let refused = try #require(outcome.withLock { $0 }, "completed before enqueue returned")
        #expect(throws: StoreError.self) { try refused.get()[0].get() }
        try await store.close()
        store.enqueue(each: [.create(type: "event", id: "e", payload: [])]) { result in outcome.withLock { $0 = result } }
        #expect(throws: StoreError.closed) { try outcome.withLock { $0 }?.get() }
    }

    @Test("the write path's bound values read back exactly: non-ASCII ids and index values, empty and binary payloads, request keys", arguments: Backing.allCases)
    func boundValuesRoundTrip(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            let id = "Côte d’Ivoire — 象 ✓"
            let binary: [UInt8] = [0, 255, 0, 10, 13, 0]
            var created = Mutation(recordType: "memberState", id: id, operation: .create, payload: binary, indexFields: ["name": "Côte d’Ivoire", "empty": ""])
            created.requestKey = "service:ci r-é"
            let entry = try await store.apply(created)
            let empty = try await store.apply(.create(type: "memberState", id: "empty", payload: []))
            let record = try #require(try await store.get(type: "memberState", id: id))
            #expect(record.payload == binary && record.version == 1)
            #expect(try await store.get(type: "memberState", id: "empty")?.payload == [])
            let journal = try await store.journal(from: 1)
            #expect(journal.map(\.recordID) == [id, "empty"])
            #expect(journal.map(\.payload) == [binary, []])
            #expect(journal.map(\.changeID) == [entry.changeID, empty.changeID])
            #expect(try await store.request("service:ci r-é")?.recordID == id)
            #expect(try await store.list(type: "memberState", where: ["name": "Côte d’Ivoire"]).records.map(\.id) == [id])
            #expect(try await store.list(type: "memberState", where: ["empty": ""]).records.map(\.id) == [id])
        }
    }

    @Test("every committed change gets its own random (version 4, RFC 4122 variant) change id")
    func changeIDs() async throws {
        try await withStore(.file) { (store: RecordStore) async throws in
            let outcomes = try await store.apply(each: (0..<300).map { .create(type: "event", id: "e\($0)", payload: []) })
            let ids = try outcomes.map { try $0.get().changeID }
            #expect(Set(ids).count == 300)
            #expect(ids.allSatisfy { $0.uuid.6 >> 4 == 4 && $0.uuid.8 >> 6 == 0b10 })
            #expect(try await store.journal(from: 1).map(\.changeID) == ids)
        }
    }
}

/// The last outcome a completion handed over (a completion may run on the store's commit thread).
private final class LastOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Result<[Result<JournalEntry, StoreError>], StoreError>?

    func withLock<T>(_ body: (inout Result<[Result<JournalEntry, StoreError>], StoreError>?) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
