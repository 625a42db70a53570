import ChangeBus
import Foundation
import IOMBridge
import IOMFixtures
import IOMKit
import IOMSecurity
import IOMWire
import Testing
import ZeroMQ

/// What an attacker or an under-privileged client gets from a CURVE publisher (§12), through
/// the real bridge: ZAP over the allow-list on both endpoints, views, per-request authorisation.
@Suite("Bridge security: CURVE, ZAP allow-list, views and per-request authorisation", .timeLimit(.minutes(1)))
struct BridgeSecurityTests {
    let server = try! CurveKeyPair.generate()
    let analyst = try! CurveKeyPair.generate()
    let supervisor = try! CurveKeyPair.generate()
    let caseworker = try! CurveKeyPair.generate()
    let replica = try! CurveKeyPair.generate()
    let stranger = try! CurveKeyPair.generate()

    /// The clear-text values that must never reach a reader not allowed to see them.
    let secrets = ["FICTIONAL Given", "FICTIONAL Family", "FICTIONAL-000", "+000 FICTIONAL", "FICTIONAL address"]

    var allowList: ClientAllowList {
        try! ClientAllowList([analyst.publicKey.z85: .analyst("an-1"), supervisor.publicKey.z85: .supervisor("sup-1"),
                              caseworker.publicKey.z85: .caseworker("cw-1"), replica.publicKey.z85: .service("replica-1")])
    }

    /// FictionalCases.complete as case `n`, owned by `owner`.
    func protectionCase(_ n: Int, owner: String) throws -> ProtectionCase {
        let c = FictionalCases.complete
        return try ProtectionCase(id: .init("case-\(n)"), version: 1, createdAt: c.createdAt, updatedAt: c.updatedAt, shortID: .init("T-\(n)"),
                                  status: c.status, identifying: c.identifying, profile: c.profile, children: c.children,
                                  trafficking: c.trafficking, protection: c.protection, consent: c.consent, retentionUntil: c.retentionUntil,
                                  ownership: Ownership(caseworker: .init(owner), agency: c.ownership.agency, auditTrail: []))
    }

    /// A node with two cases (cw-1's and cw-2's) and a mission, publishing with CURVE on `view`.
    func node(view: BridgeView) async throws -> (IOM, BridgePublisher) {
        let iom = try await IOM.open(.inMemory)
        let publisher = try await iom.startPublisher(
            PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .curve(server, allow: allowList), view: view))
        Task { try await iom.run() }  // the host's ServiceGroup, in a test: ends when the test closes the node
        let cases = iom.protectionCases(as: .supervisor("sup-1"), purpose: .supervision)
        _ = try await cases.save(try protectionCase(1, owner: "cw-1"))
        _ = try await cases.save(try protectionCase(2, owner: "cw-2"))
        _ = try await iom.missions.save(try mission(1))
        return (iom, publisher)
    }

    func socket(_ type: SocketType, _ context: Context, _ keys: CurveKeyPair, _ endpoint: String) throws -> SocketActor {
        let socket = try context.socket(type)
        try socket.set(.curveServerKey, server.publicKey)
        try socket.set(.curvePublicKey, keys.publicKey)
        try socket.set(.curveSecretKey, keys.secretKey)
        if type == .sub { try socket.set(.subscribe, []) }
        try socket.connect(endpoint)
        return SocketActor(socket)
    }

    /// Every message received within `window` (after the first one, or nothing at all).
    func collect(_ sub: SocketActor, until done: ([[[UInt8]]]) -> Bool, timeout: Duration = .seconds(5)) async throws -> [[[UInt8]]] {
        var messages: [[[UInt8]]] = []
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !done(messages) {
            if let message = try await sub.receive(timeout: .milliseconds(100)) { messages.append(message) }
        }
        return messages
    }

    func leaks(_ messages: [[[UInt8]]]) -> [String] {
        let bytes = messages.flatMap { $0.flatMap { $0 } }
        return secrets.filter { secret in
            let needle = Array(secret.utf8)
            return bytes.count >= needle.count && (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
    }

    func topics(_ messages: [[[UInt8]]]) -> [String] { messages.map { String(decoding: $0[0], as: UTF8.self) } }

    @Test("on a redacted endpoint the analyst gets banded cases only; unknown keys and other roles get nothing and are counted")
    func redactedEndpoint() async throws {
        let (iom, publisher) = try await node(view: .redacted)
        let context = try Context()
        let analystSub = try socket(.sub, context, analyst, publisher.eventsEndpoint)
        let strangerSub = try socket(.sub, context, stranger, publisher.eventsEndpoint)
        let supervisorSub = try socket(.sub, context, supervisor, publisher.eventsEndpoint)
        // No CURVE at all, and CURVE with the wrong server key: refused in the handshake.
        let plain = try context.socket(.sub)
        try plain.set(.subscribe, [])
        try plain.connect(publisher.eventsEndpoint)
        let plainSub = SocketActor(plain)
        let wrongServer = try context.socket(.sub)
        try wrongServer.set(.curveServerKey, try CurveKeyPair.generate().publicKey)
        try wrongServer.set(.curvePublicKey, analyst.publicKey)
        try wrongServer.set(.curveSecretKey, analyst.secretKey)
        try wrongServer.set(.subscribe, [])
        try wrongServer.connect(publisher.eventsEndpoint)
        let wrongServerSub = SocketActor(wrongServer)
        // Changes made after the analyst joined arrive live; the first three come by replay below.
        // Joined: its subscription reached the publisher, which answers it with a heartbeat.
        let joined = try await collect(analystSub) { topics($0).contains(BridgeProtocol.heartbeatTopic) }
        #expect(topics(joined).contains(BridgeProtocol.heartbeatTopic), "the analyst's subscription reached the publisher")
        #expect(leaks(joined) == [], "identifying data on the analyst's stream")
        _ = try await iom.protectionCases(as: .supervisor("sup-1"), purpose: .supervision).save(try protectionCase(3, owner: "cw-1"))
        let live = try await collect(analystSub) { topics($0).contains("iom.v1.protectionCase.created") }
        #expect(topics(live).contains("iom.v1.protectionCase.created"), "the analyst receives protection-case events")
        #expect(leaks(live) == [], "identifying data on the analyst's stream")
        #expect(try await strangerSub.receive(timeout: .milliseconds(300)) == nil)
        #expect(try await supervisorSub.receive(timeout: .milliseconds(100)) == nil, "a supervisor's view is full, not redacted")
        #expect(try await plainSub.receive(timeout: .milliseconds(100)) == nil, "a client without CURVE")
        #expect(try await wrongServerSub.receive(timeout: .milliseconds(100)) == nil, "a client with the wrong server key")
        // Two refused by the allow-list (ZAP), at least two failing the handshake (libzmq retries them).
        try await eventually("refusals counted") { publisher.statistics.authenticationFailures >= 4 }

        // The sync endpoint: the analyst's replay is redacted too; a stranger gets no reply at all.
        let dealer = try socket(.dealer, context, analyst, try #require(publisher.syncEndpoint))
        let tag = Array(BridgeProtocol.syncTag.utf8)
        try await dealer.send([tag, Array("REPLAY".utf8), Array("r".utf8), Array("from=1\n".utf8)])
        var replayed: [[[UInt8]]] = []
        while let reply = try await dealer.receive(timeout: .seconds(5)) {
            replayed.append(reply)
            if String(decoding: reply[1], as: UTF8.self) != "CHANGES" { break }
        }
        #expect(replayed.last.map { String(decoding: $0[1], as: UTF8.self) } == "END")
        #expect(replayed.first?.count == 4 + 2 * 4, "four changes in the first chunk")
        #expect(leaks(replayed) == [])
        try await dealer.send([tag, Array("INFO".utf8), Array("i".utf8), []])
        let info = try #require(try await dealer.receive(timeout: .seconds(5)))
        #expect(String(decoding: info[3], as: UTF8.self).contains("role=analyst\n"))
        let strangerDealer = try socket(.dealer, context, stranger, try #require(publisher.syncEndpoint))
        try await strangerDealer.send([tag, Array("INFO".utf8), Array("i".utf8), []])
        #expect(try await strangerDealer.receive(timeout: .milliseconds(300)) == nil)
        try await iom.close()
    }

    @Test("on a full endpoint a caseworker's replay holds their own case whole and withholds the others; a service replica gets everything")
    func fullEndpoint() async throws {
        let (iom, publisher) = try await node(view: .full)
        let context = try Context()
        let dealer = try socket(.dealer, context, caseworker, try #require(publisher.syncEndpoint))
        let tag = Array(BridgeProtocol.syncTag.utf8)
        try await dealer.send([tag, Array("REPLAY".utf8), Array("r".utf8), Array("from=1\nto=2\n".utf8)])
        let chunk = try #require(try await dealer.receive(timeout: .seconds(5)))
        #expect(String(decoding: chunk[1], as: UTF8.self) == "CHANGES")
        let items = Array(chunk.dropFirst(4))
        #expect(items.count == 4)
        // Sequence 1: cw-1's own case, whole. Sequence 2: cw-2's case, withheld (empty data).
        let own = try WireCodec.decodeChange(items[1])
        guard case .protectionCase(let c)? = own.after else { Issue.record("sequence 1 is not a case"); return }
        #expect(c.identifying?.familyName?.value == "FICTIONAL Family")
        #expect(String(decoding: items[2], as: UTF8.self).contains("reason=view"))
        #expect(items[3].isEmpty)

        // A replica with the service role, through the real subscriber, over CURVE.
        let recorder = try Recorder()
        let subscriber = try iom.startSubscriber(
            SubscriberConfiguration(upstreams: [.init(events: publisher.eventsEndpoint, sync: publisher.syncEndpoint)],
                                    security: .curve(client: replica, server: server.publicKey), start: .beginning),
            bus: recorder.bus)
        try await eventually("3 delivered") { subscriber.delivered(from: iom.store.source) == 3 }
        try await iom.close()
        let delivered = await recorder.finish()
        #expect(delivered.map(\.sequence) == [1, 2, 3])
        guard case .protectionCase(let second)? = delivered[1].change.after else { Issue.record("not a case"); return }
        #expect(second.identifying?.givenName?.value == "FICTIONAL Given", "the full view carries the opened fields")
    }
}
