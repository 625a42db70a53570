import Foundation
import IOMStore
import Testing

@Suite("Writing: versions, conflicts, atomicity, group commit", .timeLimit(.minutes(2)))
struct RecordStoreWritingTests {
    @Test("create, update and delete advance version and sequence", arguments: Backing.allCases)
    func lifecycle(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            let created = try await store.apply(.create(type: "mission", id: "MA", payload: bytes("v1"), index: ["country": "MA"]))
            #expect(created.sequence == 1 && created.version == 1 && created.kind == .created)
            #expect(created.source == store.source)
            let updated = try await store.apply(.update(type: "mission", id: "MA", expectedVersion: 1, payload: bytes("v2")))
            #expect(updated.sequence == 2 && updated.version == 2 && updated.kind == .updated)
            let record = try #require(try await store.get(type: "mission", id: "MA"))
            #expect(record.version == 2 && record.payload == bytes("v2") && record.indexFields.isEmpty)
            let deleted = try await store.apply(.delete(type: "mission", id: "MA", expectedVersion: 2))
            #expect(deleted.sequence == 3 && deleted.version == 3 && deleted.kind == .deleted)
            #expect(try await store.get(type: "mission", id: "MA") == nil)
            #expect(try await store.lastSequence() == 3)
            #expect(created.changeID != updated.changeID)
        }
    }

    @Test("a stale update or delete is a conflict that names type, id, expected and actual, and changes nothing", arguments: Backing.allCases)
    func conflict(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            try await store.apply(.create(type: "event", id: "e1", payload: bytes("a")))
            try await store.apply(.update(type: "event", id: "e1", expectedVersion: 1, payload: bytes("b")))
            await #expect(throws: StoreError.conflict(recordType: "event", id: "e1", expected: 1, actual: 2)) {
                try await store.apply(.update(type: "event", id: "e1", expectedVersion: 1, payload: bytes("stale")))
            }
            await #expect(throws: StoreError.conflict(recordType: "event", id: "e1", expected: 3, actual: 2)) {
                try await store.apply(.delete(type: "event", id: "e1", expectedVersion: 3))
            }
            await #expect(throws: StoreError.conflict(recordType: "event", id: "nope", expected: 1, actual: nil)) {
                try await store.apply(.update(type: "event", id: "nope", expectedVersion: 1, payload: []))
            }
            #expect(try await store.get(type: "event", id: "e1")?.payload == bytes("b"))
            #expect(try await store.lastSequence() == 2)
            #expect(try await store.journal(from: 1).count == 2)
            let message = StoreError.conflict(recordType: "event", id: "e1", expected: 1, actual: 2).description
            #expect(message.contains("event") && message.contains("e1") && message.contains("version 1") && message.contains("version 2"))
        }
    }

    @Test("creating an existing record is refused", arguments: Backing.allCases)
    func duplicateCreate(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            try await store.apply(.create(type: "state", id: "MA", payload: bytes("x")))
            await #expect(throws: StoreError.alreadyExists(recordType: "state", id: "MA", version: 1)) {
                try await store.apply(.create(type: "state", id: "MA", payload: bytes("y")))
            }
            #expect(try await store.get(type: "state", id: "MA")?.payload == bytes("x"))
            // Same id under another type is another record.
            try await store.apply(.create(type: "mission", id: "MA", payload: bytes("m")))
            #expect(try await store.lastSequence() == 2)
        }
    }

    @Test("bad inputs are refused before anything is written", arguments: Backing.allCases)
    func badInputs(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            let bad: [Mutation] = [
                .create(type: "", id: "x", payload: []),
                .create(type: "t", id: "", payload: []),
                .create(type: String(repeating: "t", count: 200), id: "x", payload: []),
                .update(type: "t", id: "x", expectedVersion: 0, payload: []),
                .delete(type: "t", id: "x", expectedVersion: .max),
                .create(type: "t", id: "x", payload: [], index: ["": "v"]),
                .create(type: "t", id: "x", payload: [UInt8](repeating: 0, count: RecordStore.maximumPayloadSize + 1)),
            ]
            for mutation in bad {
                await #expect(throws: StoreError.self) { try await store.apply(mutation) }
            }
            await #expect(throws: StoreError.invalidArgument("a batch needs at least one mutation")) {
                try await store.apply(batch: [])
            }
            await #expect(throws: StoreError.self) { try await store.journal(from: 0) }
            await #expect(throws: StoreError.self) { try await store.journal(from: 1, limit: 0) }
            await #expect(throws: StoreError.self) { try await store.list(type: "t", limit: 0) }
            await #expect(throws: StoreError.self) { try await store.list(type: "", limit: 10) }
            #expect(try await store.lastSequence() == 0)
        }
    }

    @Test("a batch commits all its mutations with consecutive sequences", arguments: Backing.allCases)
    func batch(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            let entries = try await store.apply(batch: [
                .create(type: "case", id: "c1", payload: bytes("1")),
                .update(type: "case", id: "c1", expectedVersion: 1, payload: bytes("2")),
                .create(type: "case", id: "c2", payload: bytes("3")),
            ])
            #expect(entries.map(\.sequence) == [1, 2, 3])
            #expect(entries.map(\.kind) == [.created, .updated, .created])
            #expect(try await store.get(type: "case", id: "c1")?.version == 2)
        }
    }

    @Test("a conflict in the middle of a batch leaves neither state nor journal changed", arguments: Backing.allCases)
    func batchAtomicityOnConflict(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            try await store.apply(.create(type: "case", id: "c1", payload: bytes("orig")))
            await #expect(throws: StoreError.conflict(recordType: "case", id: "c1", expected: 5, actual: 1)) {
                try await store.apply(batch: [
                    .create(type: "case", id: "c2", payload: bytes("new")),
                    .update(type: "case", id: "c1", expectedVersion: 5, payload: bytes("stale")),
                    .create(type: "case", id: "c3", payload: bytes("new")),
                ])
            }
            #expect(try await store.get(type: "case", id: "c2") == nil)
            #expect(try await store.get(type: "case", id: "c1")?.payload == bytes("orig"))
            #expect(try await store.journal(from: 1).map(\.sequence) == [1])
            // The next save takes the next sequence: nothing was reserved by the failed batch.
            #expect(try await store.apply(.create(type: "case", id: "c4", payload: [])).sequence == 2)
        }
    }

    @Test("an injected storage failure mid-batch, after state was written, rolls everything back", arguments: Backing.allCases)
    func batchAtomicityOnInjectedFailure(_ backing: Backing) async throws {
        struct Injected: Error {}
        try await withStore(backing, configure: { configuration in
            configuration._faultInjection = { mutation in
                if mutation.id == "boom" { throw Injected() }
            }
        }) { (store: RecordStore) async throws in
            await #expect(throws: StoreError.self) {
                try await store.apply(batch: [
                    .create(type: "case", id: "a", payload: bytes("a"), index: ["status": "open"]),
                    .create(type: "case", id: "boom", payload: bytes("b"), index: ["status": "open"]),
                ])
            }
            #expect(try await store.get(type: "case", id: "a") == nil)
            #expect(try await store.get(type: "case", id: "boom") == nil)
            #expect(try await store.list(type: "case", where: ["status": "open"]).records.isEmpty)
            #expect(try await store.journal(from: 1).isEmpty)
            #expect(try await store.lastSequence() == 0)
            #expect(try await store.apply(.create(type: "case", id: "ok", payload: [])).sequence == 1)
        }
    }

    @Test("concurrent saves: a conflicting one fails alone, the others commit with no gap", arguments: Backing.allCases)
    func groupCommitIndependence(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            try await store.apply(.create(type: "m", id: "shared", payload: []))
            // 20 savers all update "shared" from version 1: exactly one wins. 100 others create.
            let outcomes = await withTaskGroup(of: (Bool, Bool).self) { group in
                for i in 0..<120 {
                    group.addTask {
                        do {
                            if i < 20 {
                                try await store.apply(.update(type: "m", id: "shared", expectedVersion: 1, payload: bytes("\(i)")))
                            } else {
                                try await store.apply(.create(type: "m", id: "r\(i)", payload: bytes("\(i)")))
                            }
                            return (i < 20, true)
                        } catch {
                            return (i < 20, false)
                        }
                    }
                }
                var results: [(Bool, Bool)] = []
                for await result in group { results.append(result) }
                return results
            }
            #expect(outcomes.filter { $0.0 && $0.1 }.count == 1)
            #expect(outcomes.filter { !$0.0 && $0.1 }.count == 100)
            let journal = try await store.journal(from: 1, limit: 1000)
            #expect(journal.map(\.sequence) == Array(1...102))
            #expect(try await store.get(type: "m", id: "shared")?.version == 2)
        }
    }

    @Test("onCommit sees every committed entry exactly once, in journal order, before the save returns", arguments: Backing.allCases)
    func onCommitOrder(_ backing: Backing) async throws {
        let delivered = Collector<JournalEntry>()
        try await withStore(backing, configure: { $0.onCommit = { delivered.append($0) } }) { (store: RecordStore) async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<16 {
                    group.addTask {
                        for i in 0..<25 {
                            let entry = try await store.apply(.create(type: "e", id: "\(task)-\(i)", payload: bytes("\(i)")))
                            #expect(delivered.all.contains(entry))
                            // A refused save is not delivered.
                            await #expect(throws: StoreError.self) {
                                try await store.apply(.create(type: "e", id: "\(task)-\(i)", payload: []))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let all = delivered.all
            #expect(all.map(\.sequence) == Array(1...400))
            #expect(all == (try await store.journal(from: 1, limit: 1000)))
        }
    }

    @Test("a closed store refuses saves and reads", arguments: Backing.allCases)
    func closed(_ backing: Backing) async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await RecordStore.open(backing.configuration(directory))
        try await store.apply(.create(type: "t", id: "1", payload: []))
        try await store.close()
        await #expect(throws: StoreError.closed) { try await store.apply(.create(type: "t", id: "2", payload: [])) }
        await #expect(throws: StoreError.closed) { try await store.get(type: "t", id: "1") }
        await #expect(throws: StoreError.closed) { try await store.pruneJournal() }
    }

    @Test("a store closed for writing commits what was queued, refuses new saves, and still reads until closed",
          arguments: Backing.allCases)
    func closedForWriting(_ backing: Backing) async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try await RecordStore.open(backing.configuration(directory))
        // Saves racing the close: each is either committed or refused, never lost half-way.
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<50 {
                group.addTask { (try? await store.apply(.create(type: "t", id: "\(index)", payload: [UInt8(index)]))) != nil }
            }
            group.addTask { await store.closeForWriting(); return false }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        await #expect(throws: StoreError.closed) { try await store.apply(.create(type: "t", id: "late", payload: [])) }
        let journal = try await store.journal(from: 1, limit: 1000)
        #expect(journal.count == outcomes, "every acknowledged save, and nothing else, is in the journal")
        #expect(journal.map(\.sequence) == (0..<UInt64(outcomes)).map { $0 + 1 })
        if outcomes > 0 { #expect(try await store.get(type: "t", id: journal[0].recordID) != nil) }
        try await store.close()
        await #expect(throws: StoreError.closed) { try await store.journal(from: 1, limit: 10) }
    }
}
