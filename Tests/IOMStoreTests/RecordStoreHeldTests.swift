import Foundation
import IOMStore
import Testing

/// A change of another source, as a hub receives it.
private func held(_ source: SourceID, _ sequence: UInt64, _ kind: ChangeKind = .created, id: String = "m1",
                  version: UInt64 = 1, payload: String = "p") -> JournalEntry {
    JournalEntry(sequence: sequence, changeID: UUID(), source: source, recordType: "mission", recordID: id, kind: kind,
                 version: version, time: Date(timeIntervalSince1970: 1_800_000_000 + Double(sequence)), payload: bytes(payload))
}

@Suite("Held sources: the multi-source journal of a following node", .timeLimit(.minutes(2)))
struct RecordStoreHeldTests {
    @Test("held changes keep their source, sequence, id and time; state follows them; positions count arrivals",
          arguments: Backing.allCases)
    func holdAndRead(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            let a = SourceID(UUID()), b = SourceID(UUID())
            let first = [held(a, 1, id: "x"), held(b, 1, id: "y"), held(a, 2, .updated, id: "x", version: 2, payload: "x2")]
            let positions = try await store.hold(first)
            #expect(positions == [1, 2, 3])
            try await store.hold([held(b, 2, .deleted, id: "y", version: 2, payload: "")])

            let journalA = try await store.journal(of: a, from: 1)
            #expect(journalA.map(\.sequence) == [1, 2])
            #expect(journalA.map(\.changeID) == first.filter { $0.source == a }.map(\.changeID))
            #expect(journalA.allSatisfy { $0.source == a })
            #expect(journalA[1].time == first[2].time && journalA[1].payload == bytes("x2") && journalA[1].kind == .updated)

            let snapshotA = try await store.snapshot(of: a)
            #expect(snapshotA.sequence == 2 && snapshotA.records.map(\.id) == ["x"] && snapshotA.records[0].version == 2)
            let snapshotB = try await store.snapshot(of: b)
            #expect(snapshotB.sequence == 2 && snapshotB.records.isEmpty)  // deleted: the journal keeps the tombstone
            #expect(try await store.journal(of: b, from: 2).map(\.kind) == [.deleted])

            let sources = try await store.heldSources()
            #expect(Set(sources.map(\.source)) == [a, b])
            #expect(sources.allSatisfy { $0.firstSequence == 1 && $0.lastSequence == 2 })
            #expect(try await store.lastSequence(of: a) == 2)
            #expect(try await store.lastSequence(of: SourceID(UUID())) == 0)
            #expect(try await store.lastHeldPosition() == 4)
            let all = try await store.heldJournal(fromPosition: 2, limit: 10)
            #expect(all.map(\.position) == [2, 3, 4] && all.map(\.entry.source) == [b, a, b])

            // The store's own journal and state are untouched.
            #expect(try await store.lastSequence() == 0)
            #expect(try await store.snapshot().records.isEmpty)
            #expect(try await store.lastSequence(of: store.source) == 0)
        }
    }

    @Test("a change already held is skipped, so re-delivery after a crash is harmless", arguments: Backing.allCases)
    func duplicatesSkipped(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            let a = SourceID(UUID())
            try await store.hold([held(a, 1), held(a, 2, .updated, version: 2)])
            let again = try await store.hold([held(a, 2, .updated, version: 2), held(a, 3, .updated, version: 3)])
            #expect(again == [nil, 3])
            #expect(try await store.journal(of: a, from: 1).map(\.sequence) == [1, 2, 3])
        }
    }

    @Test("a source followed after its origin pruned starts later: below it answers journalPruned", arguments: Backing.allCases)
    func startsLater(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            let a = SourceID(UUID())
            try await store.hold([held(a, 41), held(a, 42, .updated, version: 2)])
            #expect(try await store.oldestAvailableSequence(of: a) == 41)
            await #expect(throws: StoreError.journalPruned(requested: 3, oldestAvailable: 41)) {
                try await store.journal(of: a, from: 3)
            }
        }
    }

    @Test("the store's own source, bad sequences and oversize payloads are refused and change nothing", arguments: Backing.allCases)
    func refused(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            let a = SourceID(UUID())
            await #expect(throws: StoreError.self) { try await store.hold([held(a, 1), held(store.source, 1)]) }
            await #expect(throws: StoreError.self) { try await store.hold([held(a, 0)]) }
            var big = held(a, 1)
            big.payload = [UInt8](repeating: 0, count: RecordStore.maximumPayloadSize + 1)
            await #expect(throws: StoreError.self) { try await store.hold([big]) }
            #expect(try await store.heldSources().isEmpty)
            #expect(try await store.lastHeldPosition() == 0)
        }
    }

    @Test("held changes and positions survive reopening the file")
    func durable() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = Backing.file.configuration(directory)
        let a = SourceID(UUID())
        let store = try await RecordStore.open(configuration)
        try await store.hold((1...50).map { held(a, $0, $0 == 1 ? .created : .updated, version: $0) })
        try await store.close()
        let reopened = try await RecordStore.open(configuration)
        #expect(try await reopened.heldSources().map(\.lastSequence) == [50])
        #expect(try await reopened.lastHeldPosition() == 50)
        try await reopened.close()
    }

    @Test("concurrent holds of several sources and own saves interleave without loss")
    func concurrent() async throws {
        try await withStore(.file) { (store: RecordStore) async throws in
            let sources = (0..<4).map { _ in SourceID(UUID()) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for source in sources {
                    group.addTask {
                        for start in stride(from: UInt64(1), through: 200, by: 20) {
                            try await store.hold((start..<start + 20).map { held(source, $0, $0 == 1 ? .created : .updated, version: $0) })
                        }
                    }
                }
                group.addTask {
                    for i in 0..<50 { try await store.apply(.create(type: "mission", id: "own\(i)", payload: bytes("o"))) }
                }
                try await group.waitForAll()
            }
            #expect(try await store.heldSources().map(\.lastSequence) == [200, 200, 200, 200])
            #expect(try await store.lastHeldPosition() == 800)
            #expect(try await store.lastSequence() == 50)
            for source in sources {
                var all: [UInt64] = []
                var next: UInt64 = 1
                while true {
                    let page = try await store.journal(of: source, from: next, limit: 64)
                    guard let last = page.last else { break }
                    all += page.map(\.sequence)
                    next = last.sequence + 1
                }
                #expect(all == Array(1...200))
            }
        }
    }
}
