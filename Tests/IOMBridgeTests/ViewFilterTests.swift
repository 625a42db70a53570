@testable import IOMBridge
import IOMDomain
import IOMFixtures
import IOMSecurity
import IOMWire
import Testing

/// A reversible stand-in for the store's AES-GCM sealer: enough to tell sealed from open bytes.
private struct ReversingSealer: FieldSealer {
    var scheme: String { "test-reverse" }
    func seal(_ plaintext: [UInt8], recordID: String) throws -> [UInt8] { plaintext.reversed() }
    func open(_ ciphertext: [UInt8], recordID: String) throws -> [UInt8]? { ciphertext.reversed() }
}

@Suite("What each reader of the bridge may see (§12.3)")
struct ViewFilterTests {
    let complete = FictionalCases.complete
    var created: Change { try! Change(kind: .created, before: nil, after: .protectionCase(complete)) }
    let full = ViewFilter(view: .full, redactor: { Redactor.redact($0, for: $1) }, sealer: ReversingSealer())

    func data(_ prepared: ViewFilter.Prepared) -> [UInt8]? {
        if case .data(let bytes) = prepared { bytes } else { nil }
    }

    func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard haystack.count >= n.count else { return false }
        return (0...(haystack.count - n.count)).contains { Array(haystack[$0..<($0 + n.count)]) == n }
    }

    @Test("sealed journal bytes are opened for the full view and never sent sealed")
    func sealedJournal() throws {
        let sealed = try WireCodec.encode(created, sealingWith: ReversingSealer())
        #expect(WireCodec.isSealed(sealed))
        let bytes = try #require(data(full.prepare(type: .protectionCase, journal: sealed)))
        #expect(!WireCodec.isSealed(bytes))
        #expect(try WireCodec.decodeChange(bytes) == created)
        // Without the keys: withheld, not sent stripped under a `full` label.
        let keyless = ViewFilter(view: .full, redactor: nil, sealer: nil)
        guard case .withheld(.view) = keyless.prepare(type: .protectionCase, journal: sealed) else {
            Issue.record("a sealed case went out without its keys")
            return
        }
    }

    @Test("a caseworker's sync requests get their own cases whole and withheld markers for the others")
    func caseworkerScope() throws {
        let owner = ViewFilter(principal: .caseworker(complete.ownership.caseworker.value), endpoint: full)
        let other = ViewFilter(principal: .caseworker("someone else"), endpoint: full)
        let sealed = try WireCodec.encode(created, sealingWith: ReversingSealer())
        let bytes = try #require(data(owner.prepare(type: .protectionCase, journal: sealed)))
        #expect(try WireCodec.decodeChange(bytes) == created)
        guard case .withheld(.view) = other.prepare(type: .protectionCase, journal: sealed) else {
            Issue.record("a caseworker received a case outside their scope")
            return
        }
        // Other record types pass for everyone.
        let mission = try Change(kind: .created, before: nil, after: .mission(Seed.moroccoMission))
        #expect(data(other.prepare(mission, encoded: WireCodec.encode(mission))) != nil)
    }

    @Test("an analyst's sync requests carry banded data only, even on a full endpoint")
    func analystRedacted() throws {
        let analyst = ViewFilter(principal: .analyst("a-1"), endpoint: full)
        #expect(analyst.view == .redacted)
        let bytes = try #require(data(analyst.prepare(created, encoded: WireCodec.encode(created))))
        let name = try #require(complete.identifying?.familyName?.value)
        #expect(contains(WireCodec.encode(created), name), "the test needs a name in the clear encoding")
        #expect(!contains(bytes, name))
        #expect(!contains(bytes, "FICTIONAL-000"))
        let snapshot = try #require(try analyst.prepare(stateRow: WireCodec.encode(created, sealingWith: ReversingSealer())))
        guard case .protectionCase(let c) = snapshot else { Issue.record("not a case"); return }
        #expect(Redactor.isRedacted(c))
    }

    @Test("no principal sees more than the endpoint's view")
    func endpointCaps() throws {
        let publicEndpoint = ViewFilter(view: .public, redactor: { Redactor.redact($0, for: $1) }, sealer: ReversingSealer())
        let supervisor = ViewFilter(principal: .supervisor("s-1"), endpoint: publicEndpoint)
        #expect(supervisor.view == .public)
        guard case .withheld(.view) = supervisor.prepare(created, encoded: WireCodec.encode(created)) else {
            Issue.record("a public endpoint sent a protection case")
            return
        }
        let redactedEndpoint = ViewFilter(view: .redacted, redactor: { Redactor.redact($0, for: $1) }, sealer: ReversingSealer())
        let owner = ViewFilter(principal: .caseworker(complete.ownership.caseworker.value), endpoint: redactedEndpoint)
        #expect(owner.view == .redacted)
        let bytes = try #require(data(owner.prepare(created, encoded: WireCodec.encode(created))))
        guard case .protectionCase(let c)? = try WireCodec.decodeChange(bytes).after else { Issue.record("not a case"); return }
        #expect(Redactor.isRedacted(c))
    }
}
