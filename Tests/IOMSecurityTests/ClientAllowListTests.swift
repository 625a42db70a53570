import IOMDomain
import Testing
@testable import IOMSecurity

@Suite("Client allow-list (ZAP admission rules)")
struct ClientAllowListTests {
    let analystKey = String(repeating: "a", count: 40)
    let replicaKey = String(repeating: "r", count: 40)
    let caseworkerKey = String(repeating: "c", count: 40)

    func list() throws -> ClientAllowList {
        try ClientAllowList([analystKey: .analyst("analyst-1"), replicaKey: .service("replica-1"), caseworkerKey: .caseworker("cw-1")])
    }

    @Test("a key is admitted only on the endpoint of its role's view, and on sync")
    func admission() throws {
        let l = try list()
        #expect(l.admission(clientKey: analystKey, domain: "iom.events.redacted")
                == .admit(.analyst("analyst-1"), metadata: ["X-IOM-Role": "analyst", "X-IOM-View": "redacted"]))
        #expect(l.admission(clientKey: analystKey, domain: "iom.events.full") == .refuse("analyst \"analyst-1\" gets the redacted view, not full"))
        guard case .admit = l.admission(clientKey: replicaKey, domain: "iom.events.full") else { Issue.record("replica refused"); return }
        guard case .admit = l.admission(clientKey: caseworkerKey, domain: "iom.sync") else { Issue.record("sync refused"); return }
        guard case .refuse = l.admission(clientKey: caseworkerKey, domain: "iom.events.full") else { Issue.record("caseworker on full"); return }
    }

    @Test("unknown keys, missing keys and unknown domains are refused")
    func refusals() throws {
        let l = try list()
        guard case .refuse(let r1) = l.admission(clientKey: String(repeating: "x", count: 40), domain: "iom.sync") else { Issue.record(); return }
        #expect(r1.contains("not in the allow-list"))
        guard case .refuse = l.admission(clientKey: nil, domain: "iom.sync") else { Issue.record(); return }
        guard case .refuse = l.admission(clientKey: analystKey, domain: "other") else { Issue.record(); return }
        #expect(l.principal(userID: "cw-1")?.scope == .caseworker("cw-1"))
        #expect(l.principal(forKey: analystKey)?.role == .analyst)
    }

    @Test("malformed keys and duplicate principals are rejected")
    func badLists() {
        #expect(throws: SecurityError.self) { try ClientAllowList(["short": .analyst("a")]) }
        #expect(throws: SecurityError.self) {
            try ClientAllowList([String(repeating: "a", count: 40): .analyst("a"), String(repeating: "b", count: 40): .analyst("a")])
        }
    }
}
