import Foundation
import IOMStore
import Testing

@Suite("Reading: list, journal replay, snapshots", .timeLimit(.minutes(2)))
struct RecordStoreReadingTests {
    @Test("list filters on index fields and pages by id", arguments: Backing.allCases)
    func listFilterAndPaging(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            var batch: [Mutation] = []
            for i in 0..<25 {
                let id = String(format: "m%02d", i)
                batch.append(.create(type: "mission", id: id, payload: bytes(id),
                                     index: ["country": i % 2 == 0 ? "MA" : "SN", "status": i % 5 == 0 ? "closed" : "open"]))
            }
            try await store.apply(batch: batch)
            try await store.apply(.create(type: "event", id: "m99", payload: [], index: ["country": "MA"]))

            var ids: [String] = []
            var cursor: String? = nil
            var pages = 0
            repeat {
                let page = try await store.list(type: "mission", after: cursor, limit: 10)
                ids += page.records.map(\.id)
                cursor = page.nextCursor
                pages += 1
            } while cursor != nil
            #expect(pages == 3)
            #expect(ids == (0..<25).map { String(format: "m%02d", $0) })

            let moroccan = try await store.list(type: "mission", where: ["country": "MA"], limit: 100)
            #expect(moroccan.records.count == 13 && moroccan.nextCursor == nil)
            #expect(moroccan.records.allSatisfy { $0.indexFields["country"] == "MA" })

            let both = try await store.list(type: "mission", where: ["country": "MA", "status": "closed"], limit: 2)
            #expect(both.records.map(\.id) == ["m00", "m10"])
            let rest = try await store.list(type: "mission", where: ["country": "MA", "status": "closed"], after: both.nextCursor, limit: 2)
            #expect(rest.records.map(\.id) == ["m20"] && rest.nextCursor == nil)

            // Updating index fields moves the record between filters.
            try await store.apply(.update(type: "mission", id: "m01", expectedVersion: 1, payload: [], index: ["country": "MA", "status": "open"]))
            #expect(try await store.list(type: "mission", where: ["country": "MA"], limit: 100).records.count == 14)
            #expect(try await store.list(type: "mission", where: ["country": "XX"], limit: 100).records.isEmpty)
            #expect(try await store.list(type: "nothing", limit: 5).records.isEmpty)
        }
    }

    @Test("the journal replays from any sequence, in order, with payloads", arguments: Backing.allCases)
    func replay(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            var returned: [JournalEntry] = []
            for i in 1...50 {
                returned.append(try await store.apply(.create(type: "e", id: "\(i)", payload: bytes("payload \(i)"))))
            }
            #expect(try await store.journal(from: 1, limit: 1000) == returned)
            let tail = try await store.journal(from: 41, limit: 5)
            #expect(tail.map(\.sequence) == [41, 42, 43, 44, 45])
            #expect(tail.first?.payload == bytes("payload 41"))
            #expect(try await store.journal(from: 51).isEmpty)
            #expect(try await store.journal(from: 10_000).isEmpty)
        }
    }

    @Test("a snapshot is consistent with its sequence while writers run", arguments: Backing.allCases)
    func snapshotConsistency(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            let writers = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for w in 0..<8 {
                        group.addTask {
                            for i in 0..<60 {
                                try await store.apply(.create(type: "e", id: "\(w)-\(i)", payload: bytes("\(i)")))
                                if i % 3 == 0 {
                                    try await store.apply(.update(type: "e", id: "\(w)-\(i)", expectedVersion: 1, payload: bytes("u")))
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            var checked = 0
            var sawPartial = false
            while checked < 40 {
                let snapshot = try await store.snapshot()
                // Rebuild state from the journal up to the snapshot's sequence: it must match exactly.
                var expected: [String: UInt64] = [:]
                if snapshot.sequence > 0 {
                    for entry in try await store.journal(from: 1, limit: Int(snapshot.sequence)) {
                        expected[entry.recordID] = entry.version
                    }
                }
                let actual = Dictionary(uniqueKeysWithValues: snapshot.records.map { ($0.id, $0.version) })
                #expect(actual == expected, "snapshot at \(snapshot.sequence) differs from the journal prefix")
                if snapshot.sequence > 0 && snapshot.sequence < 640 { sawPartial = true }
                checked += 1
                if snapshot.sequence == 640 { break }
            }
            try await writers.value
            let final = try await store.snapshot(types: ["e"])
            #expect(final.sequence == 640 && final.records.count == 480)
            #expect(try await store.snapshot(types: ["other"]).records.isEmpty)
            _ = sawPartial
        }
    }
}
