import Foundation
import Testing
@testable import ZeroMQ

@Suite("Socket")
struct SocketTests {
    let context: Context

    init() throws { context = try Context() }

    @Test("multipart messages round-trip whole and in order", arguments: Transport.allCases)
    func multipartRoundTrip(transport: Transport) throws {
        let pull = try context.socket(.pull)
        let push = try context.socket(.push)
        try link(pull, push, over: transport)
        let messages: [[[UInt8]]] = (0..<100).map { i in [[UInt8]("topic.\(i)"), [], [UInt8](repeating: UInt8(i), count: i)] }
        for message in messages { try push.send(message) }
        for expected in messages {
            let got = try #require(try pull.receive(timeout: .seconds(5)))
            #expect(got == expected)
        }
        #expect(try pull.tryReceive() == nil)
    }

    @Test("1 MiB frames arrive intact, without truncation", arguments: Transport.allCases)
    func largeFrames(transport: Transport) throws {
        let pair = try context.socket(.pair)
        let other = try context.socket(.pair)
        try link(pair, other, over: transport)
        var big = [UInt8](repeating: 0, count: 1 << 20)
        for index in big.indices { big[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
        try other.send([big, [UInt8]("tail"), big])
        let got = try #require(try pair.receive(timeout: .seconds(10)))
        #expect(got.count == 3)
        #expect(got[0] == big && got[2] == big)
        #expect(got[1] == [UInt8]("tail"))
    }

    @Test("a subscriber receives only the prefixes it subscribed to", arguments: Transport.allCases)
    func prefixFiltering(transport: Transport) throws {
        let publisher = try context.socket(.pub)
        let subscriber = try context.socket(.sub)
        try subscriber.set(.subscribe, [UInt8]("iom.v1.mission."))
        try link(publisher, subscriber, over: transport)
        let probe: [[UInt8]] = [[UInt8]("iom.v1.mission.probe")]
        #expect(try waitUntilSubscribed(publisher: publisher, subscriber: subscriber, probe: probe))

        for i in 0..<50 {
            try publisher.send([[UInt8]("iom.v1.event.created"), [UInt8(i)]])
            try publisher.send([[UInt8]("iom.v1.mission.updated"), [UInt8(i)]])
        }
        var received: [[[UInt8]]] = []
        while let message = try subscriber.receive(timeout: .milliseconds(300)) { received.append(message) }
        #expect(received.count == 50)
        #expect(received.allSatisfy { $0[0] == [UInt8]("iom.v1.mission.updated") })
        #expect(received.map { $0[1][0] } == (0..<50).map(UInt8.init))

        // Unsubscribing stops the flow.
        try subscriber.set(.unsubscribe, [UInt8]("iom.v1.mission."))
        Thread.sleep(forTimeInterval: 0.1)
        try publisher.send([[UInt8]("iom.v1.mission.updated"), [1]])
        #expect(try subscriber.receive(timeout: .milliseconds(200)) == nil)
    }

    @Test("a router addresses each dealer by its routing id", arguments: Transport.allCases)
    func routerDealerAddressing(transport: Transport) throws {
        let router = try context.socket(.router)
        try router.set(.routerMandatory, true)
        try router.bind(transport.bindEndpoint())
        let endpoint = try router.lastEndpoint
        var dealers: [Socket] = []
        for name in ["alpha", "beta"] {
            let dealer = try context.socket(.dealer)
            try dealer.set(.routingID, [UInt8](name))
            #expect(try dealer.get(.routingID) == [UInt8](name))
            try dealer.connect(endpoint)
            dealers.append(dealer)
        }
        for dealer in dealers { try dealer.send([[UInt8]("hello")]) }
        var seen: Set<String> = []
        for _ in dealers {
            let request = try #require(try router.receive(timeout: .seconds(5)))
            #expect(request.count == 2)
            let identity = request[0]
            seen.insert(String(decoding: identity, as: UTF8.self))
            try router.send([identity, [UInt8]("to ") + identity])
        }
        #expect(seen == ["alpha", "beta"])
        for (dealer, name) in zip(dealers, ["alpha", "beta"]) {
            #expect(try dealer.receive(timeout: .seconds(5)) == [[UInt8]("to \(name)")])
        }
        // An unknown peer is an error with ROUTER_MANDATORY, not a silent drop.
        #expect(throws: ZMQError.self) { try router.send([[UInt8]("nobody"), [1]]) }
    }

    @Test("receive with a timeout returns nil after about the timeout")
    func receiveTimeout() throws {
        let pull = try context.socket(.pull)
        try pull.bind("tcp://127.0.0.1:*")
        let clock = ContinuousClock()
        let start = clock.now
        let got = try pull.receive(timeout: .milliseconds(150))
        let elapsed = clock.now - start
        #expect(got == nil)
        #expect(elapsed >= .milliseconds(140))
        #expect(elapsed < .seconds(2))
        #expect(try pull.tryReceive() == nil)
    }

    @Test("non-blocking send reports a full or peerless socket instead of blocking")
    func nonBlockingSend() throws {
        let push = try context.socket(.push)
        try push.bind("tcp://127.0.0.1:*")
        // No peer has connected: PUSH cannot queue.
        #expect(try push.trySend([[1, 2, 3]]) == false)
        #expect(try push.send([[1]], timeout: .milliseconds(50)) == false)
    }

    @Test("an empty message is refused with a clear error")
    func emptyMessage() throws {
        let push = try context.socket(.push)
        #expect {
            try push.send([])
        } throws: { error in
            (error as? ZMQError)?.message.contains("at least one frame") == true
        }
    }

    @Test("a malformed endpoint is an error that names it", arguments: ["tcp://127.0.0.1", "nonsense", "tcp://127.0.0.1:notaport", "carrier-pigeon://x"])
    func malformedEndpoint(endpoint: String) throws {
        let socket = try context.socket(.pub)
        let error = try #require(throws: ZMQError.self) { try socket.bind(endpoint) }
        #expect(error.description.contains(endpoint))
        #expect(!error.message.isEmpty)
    }

    @Test("binding a port already in use is EADDRINUSE")
    func portInUse() throws {
        let first = try context.socket(.pub)
        try first.bind("tcp://127.0.0.1:*")
        let endpoint = try first.lastEndpoint
        let second = try context.socket(.pub)
        let error = try #require(throws: ZMQError.self) { try second.bind(endpoint) }
        #expect(error.isAddressInUse)
        #expect(error.description.contains(endpoint))
        // After unbinding, the port can be taken (libzmq closes the listener asynchronously).
        try first.unbind(endpoint)
        var rebound = false
        for _ in 0..<100 where !rebound {
            do { try second.bind(endpoint); rebound = true } catch let error as ZMQError where error.isAddressInUse {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        #expect(rebound)
    }

    @Test("wildcard tcp binds read back a concrete port")
    func lastEndpoint() throws {
        let socket = try context.socket(.router)
        try socket.bind("tcp://127.0.0.1:*")
        let endpoint = try socket.lastEndpoint
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        let port = try #require(Int(endpoint.split(separator: ":").last!))
        #expect(port > 0)
    }

    @Test("disconnect stops delivery to that peer")
    func disconnect() throws {
        let pull = try context.socket(.pull)
        let push = try context.socket(.push)
        let endpoint = try link(pull, push, over: .tcp)
        try push.send([[1]])
        #expect(try pull.receive(timeout: .seconds(5)) == [[1]])
        try push.disconnect(endpoint)
        #expect(try push.send([[2]], timeout: .milliseconds(100)) == false)
        #expect(throws: ZMQError.self) { try push.disconnect("tcp://127.0.0.1:1") }
    }

    @Test("zero-copy frame receive sees the same bytes and the more flag")
    func frameLevelAPI() throws {
        let pull = try context.socket(.pull)
        let push = try context.socket(.push)
        try link(pull, push, over: .inproc)
        let payload = [UInt8](repeating: 9, count: 64)
        payload.withUnsafeBytes { bytes in
            _ = try? push.send(bytes: bytes, more: true)
            _ = try? push.send(bytes: bytes, more: false)
        }
        let first = try pull.receiveFrame(wait: .until(.seconds(5))) { bytes, more in (Array(bytes), more) }
        let second = try pull.receiveFrame(wait: .never) { bytes, more in (Array(bytes), more) }
        #expect(first?.0 == payload && first?.1 == true)
        #expect(second?.0 == payload && second?.1 == false)
        #expect(try pull.receiveFrame(wait: .never) { _, _ in true } == nil)
    }
}
