import Testing
@testable import ZeroMQ

@Suite("Socket options")
struct OptionTests {
    let context: Context
    init() throws { context = try Context() }

    @Test("typed options are set and read back")
    func roundTrip() throws {
        let socket = try context.socket(.dealer)
        try socket.set(.sendHighWaterMark, 5_000)
        try socket.set(.receiveHighWaterMark, 7_000)
        try socket.set(.linger, .milliseconds(250))
        try socket.set(.maxMessageSize, 1 << 20)
        try socket.set(.immediate, true)
        try socket.set(.receiveTimeout, .milliseconds(40))
        #expect(try socket.get(.sendHighWaterMark) == 5_000)
        #expect(try socket.get(.receiveHighWaterMark) == 7_000)
        #expect(try socket.get(.linger) == .milliseconds(250))
        #expect(try socket.get(.maxMessageSize) == 1 << 20)
        #expect(try socket.get(.immediate))
        #expect(try socket.get(.receiveTimeout) == .milliseconds(40))
        #expect(try socket.get(.rawType) == SocketType.dealer.rawValue)
    }

    @Test("write-only options set fine and refuse to be read")
    func writeOnly() throws {
        let xpub = try context.socket(.xpub)
        try xpub.set(.xpubNoDrop, true)
        try xpub.set(.xpubVerbose, true)
        try xpub.set(.heartbeatInterval, .seconds(1))
        try xpub.set(.heartbeatTimeout, .seconds(3))
        try xpub.set(.heartbeatTTL, .seconds(10))
        let error = try #require(throws: ZMQError.self) { try xpub.get(.xpubNoDrop) }
        #expect(error.description.contains("ZMQ_XPUB_NODROP"))
    }

    @Test("invalid option values are errors naming the option")
    func invalidValues() throws {
        let socket = try context.socket(.dealer)
        let error = try #require(throws: ZMQError.self) { try socket.set(.linger, .milliseconds(-5)) }
        #expect(error.description.contains("ZMQ_LINGER"))
        // A routing id may not be empty.
        #expect(throws: ZMQError.self) { try socket.set(.routingID, []) }
        // SUBSCRIBE only applies to SUB sockets.
        #expect(throws: ZMQError.self) { try socket.set(.subscribe, [1]) }
    }

    @Test("a new socket does not linger")
    func defaultLinger() throws {
        #expect(try context.socket(.push).get(.linger) == .zero)
    }
}
