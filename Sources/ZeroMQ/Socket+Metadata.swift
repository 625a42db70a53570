import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Socket {
    /// The message properties a server usually wants: who the ZAP handler said the peer is,
    /// the role it attached and the peer's address.
    package static let standardProperties = ["User-Id", "X-IOM-Role", "Peer-Address"]

    /// Receives one whole multipart message together with its metadata properties
    /// (`zmq_msg_gets`): `User-Id` and the metadata a ``ZAPHandler`` attached on admission
    /// (e.g. `X-IOM-Role`), `Peer-Address`, `Socket-Type`, `Routing-Id`.
    ///
    /// Properties are those of the connection the message came from; a property the
    /// connection does not have is absent from the dictionary. Returns `nil` when `wait`
    /// allows giving up and nothing arrived.
    ///
    /// ```swift
    /// if let (frames, properties) = try router.receive(wait: .until(.seconds(1)), properties: ["User-Id", "X-IOM-Role"]) {
    ///     print(properties["User-Id"] ?? "anonymous", frames.count)
    /// }
    /// ```
    package func receive(wait: Wait = .forever, properties names: [String] = Socket.standardProperties)
        throws -> (frames: [[UInt8]], properties: [String: String])?
    {
        // A heap-allocated message: `zmq_msg_data` of a small message points inside the
        // `zmq_msg_t` itself, so it must not live in a Swift variable passed with `&`, which
        // may be a temporary copy that is gone when the call returns.
        let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        zmq_msg_init(message)
        defer {
            zmq_msg_close(message)
            message.deallocate()
        }
        var frames: [[UInt8]] = []
        var properties: [String: String] = [:]
        var first = true
        while true {
            if first, case .until(let timeout) = wait, try !self.wait(for: ZMQ_POLLIN, timeout: timeout) { return nil }
            let flags = (first && wait != .forever) ? ZMQ_DONTWAIT : 0
            var received = false
            while !received {
                if zmq_msg_recv(message, handle, flags) >= 0 { received = true; break }
                let code = zmq_errno()
                if code == EINTR { continue }
                if code == EAGAIN && first && wait != .forever { return nil }
                throw ZMQError.last("receive(\(type), properties:)")
            }
            let bytes = UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message))
            frames.append(Array(bytes))
            // A ROUTER's routing-id frame is made locally and carries no metadata: ask every frame.
            for name in names where properties[name] == nil {
                if let value = zmq_msg_gets(message, name) { properties[name] = String(cString: value) }
            }
            first = false
            if zmq_msg_more(message) == 0 { return (frames, properties) }
        }
    }
}
