import ZeroMQ

/// The connection-level options of both ends of an events connection (`Protocols/bridge.md`
/// §4, §7.3): the publisher's XPUB and the subscriber's SUB.
///
/// No ZMTP heartbeat, and so no ZMTP heartbeat timeout or TTL, on either end. Backpressure
/// applies to these connections by design: a subscriber whose receive pipe is full stops
/// reading its TCP connection. A ZMTP heartbeat timeout on such a connection fires although
/// the peer is alive (the engine does not read the PONGs), and libzmq 4.3.4/4.3.5 then abort
/// the process when the consumer catches up (`Assertion failed: _input_stopped`,
/// libzmq#3937). Dead connections are found instead by TCP keepalive, which the kernel answers
/// whatever the application reads, and whose failure libzmq handles as an ordinary
/// connection error; a dead publisher is found by IOMB/1's own heartbeats (§7.2).
enum EventsSocketOptions {
    /// Seconds of silence before the first keepalive probe.
    static let keepaliveIdle: Int32 = 10
    /// Seconds between unanswered probes.
    static let keepaliveInterval: Int32 = 2
    /// Unanswered probes before the kernel drops the connection (so ≈ 20 s in all).
    static let keepaliveCount: Int32 = 5

    static func apply(to socket: Socket) throws {
        try socket.set(.heartbeatInterval, .zero)
        try socket.set(.tcpKeepalive, 1)
        try socket.set(.tcpKeepaliveIdle, keepaliveIdle)
        try socket.set(.tcpKeepaliveInterval, keepaliveInterval)
        try socket.set(.tcpKeepaliveCount, keepaliveCount)
    }
}
