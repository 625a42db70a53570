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
        let iom = try await IOM.open(.inMemory)   // no key ring configured
        let cases = iom.protectionCases(as: .analyst("an-1"), purpose: .statistics)
        let saving = await #expect(throws: IOMError.self) { try await cases.save(FictionalCases.minimal) }
        #expect(saving?.code == .forbidden)
        #expect(saving?.description.contains("an analyst") == true, "\(String(describing: saving))")
        let moving = await #expect(throws: IOMError.self) { try await cases.transition(FictionalCases.minimal.id, to: .registered) }
        #expect(moving?.code == .forbidden, "\(String(describing: moving))")
        try await iom.close()
    }
}
