import Foundation
import Synchronization
import Testing
@testable import ZeroMQ

/// Everything a ZAP handler saw, for assertions.
final class ZAPLog: Sendable {
    private let requests = Mutex<[ZAPRequest]>([])
    func record(_ r: ZAPRequest) { requests.withLock { $0.append(r) } }
    var all: [ZAPRequest] { requests.withLock { $0 } }
    /// Waits (bounded) until some request matches.
    func waitFor(_ match: (ZAPRequest) -> Bool) -> ZAPRequest? {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let r = all.first(where: match) { return r }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return nil
    }
}

@Suite("ZAP handler and message metadata", .serialized)
struct ZAPHandlerTests {
    let context: Context
    let server: CurveKeyPair
    let admitted: CurveKeyPair
    init() throws {
        context = try Context()
        server = try CurveKeyPair.generate()
        admitted = try CurveKeyPair.generate()
    }

    /// A handler admitting only `admitted`, as `analyst-1` with role `analyst`.
    func handler(_ log: ZAPLog) throws -> ZAPHandler {
        let allowed = admitted.publicKey
        return try ZAPHandler(context: context) { request in
            log.record(request)
            guard request.mechanism == .curve, request.clientKey == allowed else { return .deny(reason: "unknown key") }
            return .allow(userID: "analyst-1", metadata: ["X-IOM-Role": "analyst"])
        }
    }

    func curveServer(_ type: SocketType, domain: String = "iom.events.redacted") throws -> Socket {
        let s = try context.socket(type)
        try s.set(.curveServer, true)
        try s.set(.curveSecretKey, server.secretKey)
        try s.set(.zapDomain, domain)
        try s.bind("tcp://127.0.0.1:*")
        return s
    }

    func curveClient(_ type: SocketType, keys: CurveKeyPair?, serverKey: CurveKey, to endpoint: String) throws -> Socket {
        let c = try context.socket(type)
        if let keys {
            try c.set(.curveServerKey, serverKey)
            try c.set(.curvePublicKey, keys.publicKey)
            try c.set(.curveSecretKey, keys.secretKey)
        }
        try c.connect(endpoint)
        return c
    }

    @Test("an allowed key gets through; the handler saw its key, address, domain and mechanism")
    func allowedKeyReceives() throws {
        let log = ZAPLog()
        let zap = try handler(log)
        defer { zap.stop() }
        let pull = try curveServer(.pull)
        let push = try curveClient(.push, keys: admitted, serverKey: server.publicKey, to: try pull.lastEndpoint)
        try push.send([Array("hello".utf8)])
        #expect(try pull.receive(timeout: .seconds(5)) == [Array("hello".utf8)])
        let seen = try #require(log.all.first)
        #expect(seen.mechanism == .curve)
        #expect(seen.clientKey == admitted.publicKey)
        #expect(seen.domain == "iom.events.redacted")
        #expect(seen.address == "127.0.0.1")
        #expect(zap.allowedCount == 1)
    }

    @Test("an unknown key receives nothing from a PUB, and the handler denied it")
    func unknownKeyReceivesNothing() throws {
        let log = ZAPLog()
        let zap = try handler(log)
        defer { zap.stop() }
        let pub = try curveServer(.pub)
        let stranger = try CurveKeyPair.generate()
        let sub = try curveClient(.sub, keys: stranger, serverKey: server.publicKey, to: try pub.lastEndpoint)
        try sub.set(.subscribe, [])
        let denied = log.waitFor { $0.clientKey == stranger.publicKey }
        #expect(denied != nil)
        #expect(zap.deniedCount >= 1)
        for _ in 0..<20 { try pub.send([Array("secret".utf8)]) }
        #expect(try sub.receive(timeout: .milliseconds(300)) == nil)
    }

    @Test("a NULL (no CURVE) client receives nothing and never reaches the handler as CURVE")
    func nullClientReceivesNothing() throws {
        let log = ZAPLog()
        let zap = try handler(log)
        defer { zap.stop() }
        let pub = try curveServer(.pub)
        let sub = try curveClient(.sub, keys: nil, serverKey: server.publicKey, to: try pub.lastEndpoint)
        try sub.set(.subscribe, [])
        for _ in 0..<20 {
            try pub.send([Array("secret".utf8)])
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(try sub.receive(timeout: .milliseconds(300)) == nil)
        #expect(zap.allowedCount == 0)
    }

    @Test("an admitted key that believes the wrong server key receives nothing")
    func wrongServerKeyReceivesNothing() throws {
        let log = ZAPLog()
        let zap = try handler(log)
        defer { zap.stop() }
        let pub = try curveServer(.pub)
        let impostor = try CurveKeyPair.generate()
        let sub = try curveClient(.sub, keys: admitted, serverKey: impostor.publicKey, to: try pub.lastEndpoint)
        try sub.set(.subscribe, [])
        for _ in 0..<20 {
            try pub.send([Array("secret".utf8)])
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(try sub.receive(timeout: .milliseconds(300)) == nil)
        #expect(zap.allowedCount == 0)
    }

    @Test("a ROUTER sees User-Id, X-IOM-Role and Peer-Address of an admitted DEALER")
    func metadataOnRouter() throws {
        let log = ZAPLog()
        let zap = try handler(log)
        defer { zap.stop() }
        let router = try curveServer(.router, domain: "iom.sync")
        let dealer = try curveClient(.dealer, keys: admitted, serverKey: server.publicKey, to: try router.lastEndpoint)
        try dealer.send([Array("SNAPSHOT".utf8)])
        let got = try #require(try router.receive(wait: .until(.seconds(5)), properties: Socket.standardProperties))
        #expect(got.frames.count == 2)
        #expect(got.frames.last == Array("SNAPSHOT".utf8))
        #expect(got.properties["User-Id"] == "analyst-1")
        #expect(got.properties["X-IOM-Role"] == "analyst")
        #expect(got.properties["Peer-Address"] == "127.0.0.1")
        #expect(got.properties["X-Not-Set"] == nil)
    }

    @Test("receive(wait:properties:) returns nil on timeout and without ZAP has no User-Id")
    func metadataTimeoutAndPlain() throws {
        let pull = try context.socket(.pull)
        try pull.bind("tcp://127.0.0.1:*")
        #expect(try pull.receive(wait: .never, properties: ["User-Id"]) == nil)
        #expect(try pull.receive(wait: .until(.milliseconds(50)), properties: ["User-Id"]) == nil)
        let push = try context.socket(.push)
        try push.connect(try pull.lastEndpoint)
        try push.send([[1], [2, 3]])
        let got = try #require(try pull.receive(wait: .until(.seconds(5)), properties: ["X-IOM-Role"]))
        #expect(got.frames == [[1], [2, 3]])
        #expect(got.properties.isEmpty)
    }

    @Test("receive(wait:properties:) returns the bytes of small frames (held inside the message) and large ones intact")
    func metadataReceiveKeepsSmallFrames() throws {
        let pull = try context.socket(.pull)
        try pull.bind("tcp://127.0.0.1:*")
        let push = try context.socket(.push)
        try push.connect(try pull.lastEndpoint)
        // Up to 33 bytes libzmq keeps a frame inside the zmq_msg_t; beyond, in a separate buffer.
        for size in [0, 1, 7, 32, 33, 34, 100, 4096] {
            for round in 0..<50 {
                let frames = [[UInt8](repeating: UInt8(truncatingIfNeeded: round), count: size),
                              (0..<size).map { UInt8(truncatingIfNeeded: $0 &+ round) }]
                try push.send(frames)
                let got = try #require(try pull.receive(wait: .until(.seconds(5)), properties: Socket.standardProperties))
                #expect(got.frames == frames, "size \(size), round \(round)")
            }
        }
    }

    @Test("a second handler in the same context is refused; stop is idempotent and frees the endpoint")
    func oneHandlerPerContext() throws {
        let first = try ZAPHandler(context: context) { _ in .deny(reason: "no") }
        #expect(throws: ZMQError.self) { try ZAPHandler(context: context) { _ in .deny(reason: "no") } }
        first.stop()
        first.stop()
        let second = try ZAPHandler(context: context) { _ in .deny(reason: "no") }
        second.stop()
    }

    @Test("the async stop suspends until the handler's thread has ended and the endpoint is free; concurrent and repeated stops all return")
    func asyncStop() async throws {
        let first = try ZAPHandler(context: context) { _ in .deny(reason: "no") }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { await first.stop() } }
            group.addTask { first.stop() }
        }
        await first.stop()
        let second = try ZAPHandler(context: context) { _ in .deny(reason: "no") }  // bound at once: the first unbound before returning
        await second.stop()
    }

    @Test("metadata encoding follows RFC 27 and round-trips; malformed requests are parsed as nil")
    func encoding() throws {
        let bytes = ZAPHandler.encodeMetadata(["X-IOM-Role": "analyst"])
        #expect(bytes == [10] + Array("X-IOM-Role".utf8) + [0, 0, 0, 7] + Array("analyst".utf8))
        #expect(ZAPHandler.decodeMetadata(bytes) == ["X-IOM-Role": "analyst"])
        #expect(ZAPHandler.decodeMetadata([5, 65]) == nil)
        let ok: [[UInt8]] = [Array("1.0".utf8), [7], Array("d".utf8), Array("1.2.3.4".utf8), [], Array("CURVE".utf8), Array(repeating: 1, count: 32)]
        #expect(ZAPHandler.parse(ok)?.request.clientKey != nil)
        #expect(ZAPHandler.parse(Array(ok.dropLast())) == nil)        // CURVE without key
        #expect(ZAPHandler.parse([Array("2.0".utf8)] + ok.dropFirst()) == nil)
        var badKey = ok
        badKey[6] = [1, 2, 3]
        #expect(ZAPHandler.parse(badKey) == nil)
        let reply = ZAPHandler.reply(requestID: [7], .deny(reason: "unknown key"))
        #expect(reply[2] == Array("400".utf8))
    }

    @Test("many clients at once: each admitted or denied by its own key")
    func concurrentClients() throws {
        let log = ZAPLog()
        let zap = try handler(log)
        defer { zap.stop() }
        let pull = try curveServer(.pull)
        let endpoint = try pull.lastEndpoint
        let strangers = try (0..<4).map { _ in try CurveKeyPair.generate() }
        var clients: [Socket] = []
        for keys in strangers + [admitted, admitted] {
            let push = try curveClient(.push, keys: keys, serverKey: server.publicKey, to: endpoint)
            _ = try push.send([Array(keys.publicKey.z85.utf8)], timeout: .milliseconds(100))
            clients.append(push)
        }
        var received: [[[UInt8]]] = []
        while let m = try pull.receive(timeout: .milliseconds(500)) { received.append(m) }
        #expect(received.count == 2)
        #expect(received.allSatisfy { $0 == [Array(admitted.publicKey.z85.utf8)] })
        #expect(log.waitFor { $0.clientKey == strangers[3].publicKey } != nil)
        #expect(zap.deniedCount >= 4)
        _ = clients
    }
}
