import Foundation
import Testing

@Suite("iom demo: two processes, changes crossing", .timeLimit(.minutes(2)))
struct DemoCommandTests {
    @Test("the demo runs a node and a subscriber, shows each change arriving with its sequence, and ends with a summary")
    func demo() throws {
        let outcome = try iom("demo", "--burst", "50")
        #expect(outcome.status == 0, "\(outcome)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        // Every change saved before the burst is echoed by the subscriber process, in order.
        let arrived = lines.filter { $0.hasPrefix("   subscriber ▸ ") }.compactMap { UInt64($0.dropFirst("   subscriber ▸ ".count).split(separator: " ").first ?? "") }
        #expect(arrived.prefix(9) == [1, 2, 3, 4, 5, 6, 7, 8, 9], "\(outcome)")
        #expect(lines.contains { $0.contains("protectionCase updated case-fictional-0001 v5 TEST-0001 (serviceProvision)") })
        #expect(lines.contains { $0.contains("received by the other process     59, sequences 1…59 in order, none doubled") }, "\(outcome)")
        #expect(lines.contains { $0.contains("node shutdown                     clean (exit 0)") })
        // No identifying data of the fictional case on the subscriber's screen.
        #expect(!outcome.stdout.contains("FICTIONAL caseworker"))
    }

    @Test("a bad --burst is refused with exit 64")
    func badBurst() throws {
        let outcome = try iom("demo", "--burst", "-1")
        #expect(outcome.status == 64, "\(outcome)")
        #expect(outcome.stderr.contains("--burst"))
    }
}
