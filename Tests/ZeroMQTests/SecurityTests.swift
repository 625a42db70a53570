import Foundation
import Testing
@testable import ZeroMQ

@Suite("CURVE, Z85 and keys")
struct SecurityTests {
    let context: Context
    init() throws { context = try Context() }

    /// A CURVE server (PULL) and a client (PUSH) that believes the server key is `serverKey`.
    private func curvePair(server: CurveKeyPair, clientBelieves serverKey: CurveKey?, transport: Transport)
        throws -> (pull: Socket, push: Socket, monitor: SocketMonitor)
    {
        let pull = try context.socket(.pull)
        try pull.set(.curveServer, true)
        try pull.set(.curveSecretKey, server.secretKey)
        let monitor = try pull.monitor()
        try pull.bind(transport.bindEndpoint())
        let push = try context.socket(.push)
        if let serverKey {
            let client = try CurveKeyPair.generate()
            try push.set(.curveServerKey, serverKey)
            try push.set(.curvePublicKey, client.publicKey)
            try push.set(.curveSecretKey, client.secretKey)
        }
        try push.connect(try pull.lastEndpoint)
        return (pull, push, monitor)
    }

    private func nextEvent(_ monitor: SocketMonitor, where match: (MonitorEvent.Kind) -> Bool) throws -> MonitorEvent? {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let event = try monitor.next(timeout: .milliseconds(100)), match(event.kind) { return event }
        }
        return nil
    }

    @Test("CURVE with the right server key delivers messages", arguments: [Transport.tcp, .ipc])
    func curveHandshakeSucceeds(transport: Transport) throws {
        #expect(Context.has("curve"))
        let server = try CurveKeyPair.generate()
        let (pull, push, monitor) = try curvePair(server: server, clientBelieves: server.publicKey, transport: transport)
        try push.send([[UInt8]("secret payload")])
        #expect(try pull.receive(timeout: .seconds(5)) == [[UInt8]("secret payload")])
        #expect(try nextEvent(monitor) { $0 == .handshakeSucceeded } != nil)
    }

    @Test("CURVE with a wrong server key delivers nothing and the server sees a failed handshake")
    func curveWrongServerKey() throws {
        let server = try CurveKeyPair.generate()
        let impostor = try CurveKeyPair.generate()
        let (pull, push, monitor) = try curvePair(server: server, clientBelieves: impostor.publicKey, transport: .tcp)
        _ = try push.send([[UInt8]("should never arrive")], timeout: .milliseconds(200))
        #expect(try pull.receive(timeout: .milliseconds(500)) == nil)
        let failure = try nextEvent(monitor) {
            [.handshakeFailedProtocol, .handshakeFailed, .authenticationFailed].contains($0)
        }
        #expect(failure != nil)
    }

    @Test("a plain-text client gets nothing through to a CURVE server")
    func plainClientRefused() throws {
        let server = try CurveKeyPair.generate()
        let (pull, push, _) = try curvePair(server: server, clientBelieves: nil, transport: .tcp)
        _ = try push.send([[UInt8]("plain")], timeout: .milliseconds(200))
        #expect(try pull.receive(timeout: .milliseconds(500)) == nil)
    }

    @Test("Z85 matches the RFC 32 test vector")
    func z85Vector() throws {
        let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
        #expect(try Z85.encode(bytes) == "HelloWorld")
        #expect(try Z85.decode("HelloWorld") == bytes)
        let random = (0..<64).map { _ in UInt8.random(in: 0...255) }
        #expect(try Z85.decode(Z85.encode(random)) == random)
    }

    @Test("Z85 rejects bad lengths and characters")
    func z85Errors() throws {
        #expect(throws: ZMQError.self) { try Z85.encode([1, 2, 3]) }
        #expect(throws: ZMQError.self) { try Z85.decode("Hello!") }
        #expect(throws: ZMQError.self) { try Z85.decode("Hell\"") }
    }

    @Test("key pairs: generated, rebuilt from the secret, checked, and never printed")
    func keyPairs() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey != pair.secretKey)
        #expect(pair.publicKey.z85.count == 40)
        #expect(try CurveKeyPair(secretKey: pair.secretKey) == pair)
        #expect(try CurveKey(z85: " \(pair.publicKey.z85)\n") == pair.publicKey)
        let other = try CurveKeyPair.generate()
        #expect(throws: ZMQError.self) { try CurveKeyPair(publicKey: other.publicKey, secretKey: pair.secretKey) }
        #expect(!String(describing: pair.secretKey).contains(pair.secretKey.z85))
        #expect(!String(describing: pair).contains(pair.secretKey.z85))
        #expect(throws: ZMQError.self) { try CurveKey(bytes: [1, 2, 3]) }
        #expect(throws: ZMQError.self) { try CurveKey(z85: "short") }
    }

    @Test("CURVE options read back")
    func curveOptions() throws {
        let pair = try CurveKeyPair.generate()
        let socket = try context.socket(.router)
        try socket.set(.curveServer, true)
        try socket.set(.curveSecretKey, pair.secretKey)
        try socket.set(.zapDomain, "iomkit")
        #expect(try socket.get(.curveServer))
        #expect(try socket.get(.curveSecretKey) == pair.secretKey)
        #expect(try socket.get(.zapDomain) == "iomkit")
    }
}
