import Logging
import ZeroMQ

/// Watches a CURVE endpoint's connection events for clients that fail the handshake — a
/// client without CURVE, or one using the wrong server key — which libzmq refuses before the
/// ZAP handler is asked. Each is counted as an authentication failure and logged, at most once
/// a second. (Refusals by the allow-list itself are counted where ZAP answers.)
///
/// Owned by the thread that owns the socket: the monitor is drained between socket calls.
final class HandshakeWatch {
    private let monitor: SocketMonitor
    private let endpoint: String
    private var lastLog: ContinuousClock.Instant?

    init(_ socket: Socket, endpoint: String) throws {
        monitor = try socket.monitor()
        self.endpoint = endpoint
    }

    /// Reads the events waiting; never blocks.
    func drain(_ counters: BridgeCounters, _ logger: Logger?) {
        while let event = try? monitor.tryNext() {
            switch event.kind {
            case .handshakeFailed, .handshakeFailedProtocol:
                counters.add(.authenticationFailures)
                let now = ContinuousClock.now
                if lastLog.map({ now - $0 >= .seconds(1) }) ?? true {
                    lastLog = now
                    logger?.warning("bridge publisher: refused a client that failed the CURVE handshake (no CURVE, or the wrong server key); it receives nothing",
                                    metadata: ["endpoint": "\(endpoint)", "event": "\(event.kind)"])
                }
            default:
                continue
            }
        }
    }
}
