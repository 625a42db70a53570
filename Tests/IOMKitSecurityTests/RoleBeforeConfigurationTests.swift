import IOMDomain
import IOMFixtures
import IOMKit
import Testing

/// A role that may not act learns `forbidden`, never something about the node's configuration
/// (here: that it has no key ring).
@Suite("The role is checked before the configuration")
struct RoleBeforeConfigurationTests {
    @Test("an analyst saving or moving a case on a store without a key ring gets forbidden, naming the role")
    func analystWithoutKeyRing() async throws {
        let iom = try await IOMKit.open(.inMemory)   // no key ring configured
        let cases = iom.protectionCases(as: .analyst("an-1"), purpose: .statistics)
        let saving = await #expect(throws: IOMError.self) { try await cases.save(FictionalCases.minimal) }
        guard case .forbidden(let refusal)? = saving else {
            Issue.record("expected forbidden, got \(String(describing: saving))")
            return
        }
        #expect(refusal.description.contains("an analyst"), "\(refusal)")
        let moving = await #expect(throws: IOMError.self) { try await cases.transition(FictionalCases.minimal.id, to: .registered) }
        guard case .forbidden? = moving else {
            Issue.record("expected forbidden, got \(String(describing: moving))")
            return
        }
        try await iom.close()
    }
}
