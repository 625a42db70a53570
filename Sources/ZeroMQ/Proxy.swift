import CZeroMQ

/// libzmq's built-in forwarder (`zmq_proxy_steerable`).
package enum Proxy {
    /// Forwards messages between `frontend` and `backend` in both directions until a
    /// `TERMINATE` message arrives on `control` or the context is shut down.
    ///
    /// For a publish/subscribe relay use an XSUB frontend connected to the publishers and an
    /// XPUB backend bound for subscribers: subscriptions flow upstream, messages downstream.
    /// `capture`, when given, receives a copy of every message. This call blocks its thread.
    ///
    /// - Throws: ``ZMQError``; a context shut down while proxying ends the proxy with
    ///   ``ZMQError/isContextTerminated`` set.
    package static func run(frontend: Socket, backend: Socket, capture: Socket? = nil, control: Socket? = nil) throws {
        guard zmq_proxy_steerable(frontend.handle, backend.handle, capture?.handle, control?.handle) == 0 else {
            throw ZMQError.last("zmq_proxy(\(frontend.type) ⇄ \(backend.type))")
        }
    }

    /// The message that stops a proxy when sent to its control socket.
    package static let terminateCommand: [[UInt8]] = [Array("TERMINATE".utf8)]
}
