import IOMDomain
@testable import IOMStore
import Testing

@Suite("The journal's kind column")
struct ChangeKindJournalCodeTests {
    @Test("every kind has its own code and reads back as itself; unknown codes are refused")
    func codesRoundTrip() {
        let codes = ChangeKind.allCases.map(\.journalCode)
        #expect(codes == [1, 2, 3], "the codes are in the files: they never change")
        for kind in ChangeKind.allCases { #expect(ChangeKind(journalCode: kind.journalCode) == kind) }
        for code: UInt8 in [0, 4, 255] { #expect(ChangeKind(journalCode: code) == nil) }
    }

    @Test("a creation, an update and a deletion are journaled with their kinds")
    func journaledKinds() async throws {
        let store = try await RecordStore.open(StoreConfiguration(location: .inMemory))
        let created = try await store.apply(.create(type: "mission", id: "m-1", payload: [1]))
        _ = try await store.apply(.update(type: "mission", id: "m-1", expectedVersion: created.version, payload: [2]))
        _ = try await store.apply(.delete(type: "mission", id: "m-1", expectedVersion: created.version + 1))
        let kinds = try await store.journal(from: 1, limit: 10).map(\.kind)
        #expect(kinds == [.created, .updated, .deleted])
        try await store.close()
    }
}
