import CZeroMQ

/// A typed socket option: the libzmq option code together with the Swift type of its value.
///
/// ```swift
/// try socket.set(.receiveHighWaterMark, 10_000)
/// try socket.set(.subscribe, Array("iom.v1.mission.".utf8))
/// let hwm = try socket.get(.receiveHighWaterMark)   // 10000
/// ```
package struct SocketOption<Value: Sendable>: Sendable, CustomStringConvertible {
    /// libzmq's option code (`ZMQ_SNDHWM`, …).
    package let code: Int32
    /// The option's name, used in error messages.
    package let name: String
    let encode: @Sendable (Value) throws -> [UInt8]
    let decode: (@Sendable ([UInt8]) throws -> Value)?
    /// The exact buffer size `zmq_getsockopt` expects: 4 for int options, 8 for int64,
    /// 32 for a binary CURVE key, room for text and byte options.
    var readSize = 256

    package var description: String { name }
}

extension SocketOption where Value == Int32 {
    static func int32(_ code: Int32, _ name: String, readable: Bool = true) -> Self {
        Self(code: code, name: name, encode: { withUnsafeBytes(of: $0) { Array($0) } },
             decode: readable ? { @Sendable bytes in bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) } } : nil,
             readSize: 4)
    }

    /// Messages queued per peer before a send blocks or drops (`ZMQ_SNDHWM`, default 1000; 0 = no limit).
    package static var sendHighWaterMark: Self { .int32(ZMQ_SNDHWM, "ZMQ_SNDHWM") }
    /// Messages queued per peer on receive (`ZMQ_RCVHWM`, default 1000; 0 = no limit).
    package static var receiveHighWaterMark: Self { .int32(ZMQ_RCVHWM, "ZMQ_RCVHWM") }
    /// The socket type as libzmq reports it (`ZMQ_TYPE`).
    package static var rawType: Self { .int32(ZMQ_TYPE, "ZMQ_TYPE") }
    /// Read-only: the events the socket is ready for right now (`ZMQ_EVENTS`: 1 in, 2 out).
    package static var events: Self { .int32(ZMQ_EVENTS, "ZMQ_EVENTS") }
    /// TCP keepalive on the connections of the socket (`ZMQ_TCP_KEEPALIVE`: 1 on, 0 off,
    /// -1 the operating system's default). The kernel answers keepalive probes whether or not
    /// the application reads, so a slow reader never fails them.
    package static var tcpKeepalive: Self { .int32(ZMQ_TCP_KEEPALIVE, "ZMQ_TCP_KEEPALIVE") }
    /// Idle seconds before the first keepalive probe (`ZMQ_TCP_KEEPALIVE_IDLE`; -1 = system default).
    package static var tcpKeepaliveIdle: Self { .int32(ZMQ_TCP_KEEPALIVE_IDLE, "ZMQ_TCP_KEEPALIVE_IDLE") }
    /// Seconds between unanswered keepalive probes (`ZMQ_TCP_KEEPALIVE_INTVL`; -1 = system default).
    package static var tcpKeepaliveInterval: Self { .int32(ZMQ_TCP_KEEPALIVE_INTVL, "ZMQ_TCP_KEEPALIVE_INTVL") }
    /// Unanswered probes before the connection is dropped (`ZMQ_TCP_KEEPALIVE_CNT`; -1 = system default).
    package static var tcpKeepaliveCount: Self { .int32(ZMQ_TCP_KEEPALIVE_CNT, "ZMQ_TCP_KEEPALIVE_CNT") }
}

extension SocketOption where Value == Int64 {
    /// Largest inbound message accepted, in bytes; larger ones drop the connection
    /// (`ZMQ_MAXMSGSIZE`, -1 = no limit).
    package static var maxMessageSize: Self {
        Self(code: ZMQ_MAXMSGSIZE, name: "ZMQ_MAXMSGSIZE", encode: { withUnsafeBytes(of: $0) { Array($0) } },
             decode: { bytes in bytes.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) } }, readSize: 8)
    }
}

extension SocketOption where Value == Bool {
    static func flag(_ code: Int32, _ name: String, readable: Bool = true) -> Self {
        Self(code: code, name: name, encode: { withUnsafeBytes(of: Int32($0 ? 1 : 0)) { Array($0) } },
             decode: readable ? { @Sendable bytes in bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) } != 0 } : nil,
             readSize: 4)
    }

    /// XPUB: block (or fail with `EAGAIN`) instead of silently dropping when a subscriber
    /// is at its high-water mark (`ZMQ_XPUB_NODROP`). Write-only in libzmq.
    package static var xpubNoDrop: Self { .flag(ZMQ_XPUB_NODROP, "ZMQ_XPUB_NODROP", readable: false) }
    /// XPUB: pass every subscription message up, not only new ones (`ZMQ_XPUB_VERBOSE`). Write-only.
    package static var xpubVerbose: Self { .flag(ZMQ_XPUB_VERBOSE, "ZMQ_XPUB_VERBOSE", readable: false) }
    /// Queue messages only to completed connections (`ZMQ_IMMEDIATE`).
    package static var immediate: Self { .flag(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE") }
    /// ROUTER: fail with `EHOSTUNREACH` instead of dropping a message to an unknown peer
    /// (`ZMQ_ROUTER_MANDATORY`). Write-only.
    package static var routerMandatory: Self { .flag(ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY", readable: false) }
    /// Make this socket a CURVE server (`ZMQ_CURVE_SERVER`); it then needs ``curveSecretKey``.
    package static var curveServer: Self { .flag(ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER") }
    /// Whether more frames of the current message are waiting (`ZMQ_RCVMORE`). Read-only.
    package static var receiveMore: Self { .flag(ZMQ_RCVMORE, "ZMQ_RCVMORE") }
}

extension SocketOption where Value == Duration {
    static func millis(_ code: Int32, _ name: String, readable: Bool = true) -> Self {
        Self(code: code, name: name,
             encode: { duration in
                 guard duration >= .zero else {
                     throw ZMQError.invalidArgument("set(\(name))", "a duration must not be negative")
                 }
                 return withUnsafeBytes(of: Int32(clamping: duration.roundedUpMilliseconds)) { Array($0) }
             },
             decode: readable ? { @Sendable bytes in .milliseconds(bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }) } : nil,
             readSize: 4)
    }

    /// How long unsent messages are kept after the socket is closed (`ZMQ_LINGER`).
    /// New sockets of this wrapper use zero.
    package static var linger: Self { .millis(ZMQ_LINGER, "ZMQ_LINGER") }
    /// Interval between ZMTP heartbeats (PING) on each connection (`ZMQ_HEARTBEAT_IVL`).
    package static var heartbeatInterval: Self { .millis(ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL", readable: false) }
    /// How long to wait for any traffic after a PING before the connection is closed
    /// (`ZMQ_HEARTBEAT_TIMEOUT`).
    package static var heartbeatTimeout: Self { .millis(ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT", readable: false) }
    /// The time-to-live the remote peer should apply to this side (`ZMQ_HEARTBEAT_TTL`,
    /// whole deciseconds, at most 6553.5 s).
    package static var heartbeatTTL: Self { .millis(ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL", readable: false) }
    /// Timeout of blocking receives at the libzmq level (`ZMQ_RCVTIMEO`). Prefer
    /// ``Socket/receive(timeout:)``.
    package static var receiveTimeout: Self { .millis(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO") }
    /// Timeout of blocking sends at the libzmq level (`ZMQ_SNDTIMEO`).
    package static var sendTimeout: Self { .millis(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO") }
}

extension SocketOption where Value == [UInt8] {
    static func bytes(_ code: Int32, _ name: String, readable: Bool = true) -> Self {
        Self(code: code, name: name, encode: { $0 }, decode: readable ? { @Sendable in $0 } : nil)
    }

    /// SUB: receive messages whose first frame starts with this prefix; `[]` means all
    /// (`ZMQ_SUBSCRIBE`). Write-only.
    package static var subscribe: Self { .bytes(ZMQ_SUBSCRIBE, "ZMQ_SUBSCRIBE", readable: false) }
    /// SUB: remove one earlier ``subscribe`` of the same prefix (`ZMQ_UNSUBSCRIBE`). Write-only.
    package static var unsubscribe: Self { .bytes(ZMQ_UNSUBSCRIBE, "ZMQ_UNSUBSCRIBE", readable: false) }
    /// The identity a ROUTER peer sees for this socket, 1 to 255 bytes, not starting with 0
    /// (`ZMQ_ROUTING_ID`).
    package static var routingID: Self { .bytes(ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID") }
}

extension SocketOption where Value == CurveKey {
    static func key(_ code: Int32, _ name: String) -> Self {
        Self(code: code, name: name, encode: { $0.bytes }, decode: { try CurveKey(bytes: $0) }, readSize: CurveKey.byteCount)
    }

    /// This socket's long-term package key (`ZMQ_CURVE_PUBLICKEY`), for clients.
    package static var curvePublicKey: Self { .key(ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY") }
    /// This socket's long-term secret key (`ZMQ_CURVE_SECRETKEY`), for servers and clients.
    package static var curveSecretKey: Self { .key(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY") }
    /// The server's package key a client expects (`ZMQ_CURVE_SERVERKEY`); setting it makes the
    /// socket a CURVE client.
    package static var curveServerKey: Self { .key(ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY") }
}

extension SocketOption where Value == String {
    static func text(_ code: Int32, _ name: String, readable: Bool = true) -> Self {
        Self(code: code, name: name, encode: { Array($0.utf8) },
             decode: readable ? { @Sendable bytes in String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) } : nil)
    }

    /// The ZAP domain sent to the authentication handler (`ZMQ_ZAP_DOMAIN`). Setting it also
    /// makes libzmq ask ZAP even for NULL security.
    package static var zapDomain: Self { .text(ZMQ_ZAP_DOMAIN, "ZMQ_ZAP_DOMAIN") }
    /// The endpoint last bound or connected, wildcards resolved (`ZMQ_LAST_ENDPOINT`). Read-only.
    package static var lastEndpoint: Self { .text(ZMQ_LAST_ENDPOINT, "ZMQ_LAST_ENDPOINT") }
}

extension Socket {
    /// Sets a socket option. Most options apply to connections made or accepted afterwards,
    /// so set them before ``bind(_:)`` / ``connect(_:)``.
    ///
    /// - Throws: ``ZMQError`` naming the option, e.g. `EINVAL` for a value libzmq rejects.
    package func set<Value>(_ option: SocketOption<Value>, _ value: Value) throws {
        let bytes = try option.encode(value)
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option.code, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw ZMQError.last("set(\(option.name))") }
    }

    /// Reads a socket option back.
    ///
    /// - Throws: ``ZMQError`` (`EINVAL`) for options libzmq cannot read back (subscriptions,
    ///   XPUB flags, heartbeats).
    package func get<Value>(_ option: SocketOption<Value>) throws -> Value {
        guard let decode = option.decode else {
            throw ZMQError.invalidArgument("get(\(option.name))", "libzmq cannot read this option back")
        }
        var buffer = [UInt8](repeating: 0, count: option.readSize)
        var size = buffer.count
        let rc = buffer.withUnsafeMutableBytes { zmq_getsockopt(handle, option.code, $0.baseAddress, &size) }
        guard rc == 0 else { throw ZMQError.last("get(\(option.name))") }
        return try decode(Array(buffer.prefix(size)))
    }
}
