import IOMChanges
import IOMDomain
import IOMStore
import Testing

@Suite("Journal change kinds in domain terms")
struct ChangeKindJournalTests {
    @Test("each journal kind maps to the domain kind of the same name, and no two share one")
    func oneToOne() {
        let journal: [IOMStore.ChangeKind] = [.created, .updated, .deleted]
        let mapped = journal.map { IOMDomain.ChangeKind($0) }
        #expect(mapped == [.created, .updated, .deleted])
        #expect(zip(journal, mapped).allSatisfy { $0.description == $1.rawValue })
        #expect(Set(mapped) == Set(IOMDomain.ChangeKind.allCases))
    }
}
