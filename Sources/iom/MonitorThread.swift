import CoreMetrics
import Foundation
import IOMKit
import Logging
import Synchronization
import ZeroMQ

/// Reads the proxy sockets' connection events on a thread of its own and turns them into
/// log lines an operator can act on ("publisher not reachable yet", "CURVE handshake
/// failed") and into ``IOMMetrics/authFailuresTotal``.
final class MonitorThread: @unchecked Sendable {
    // Safety: `monitors` is filled by the proxy thread before `start()` and from then on used
    // only by the monitor thread; each `SocketMonitor` thus belongs to one thread at a time.
    enum Side: String { case frontend, backend }
    private var monitors: [(SocketMonitor, Side)] = []
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private var started = false
    private let logger: Logger
    private let authFailures: Counter

    init(logger: Logger) {
        self.logger = logger
        authFailures = Counter(label: IOMMetrics.authFailuresTotal, dimensions: [(IOMMetrics.Dimension.reason, "handshake")])
    }

    func add(_ monitor: SocketMonitor, side: Side) { monitors.append((monitor, side)) }

    func start() {
        started = true
        Thread.detachNewThread { [self] in
            loop()
            finished.signal()
        }
    }

    func stopAndWait() {
        stopping.store(true, ordering: .releasing)
        if started { finished.wait() }
    }

    private func loop() {
        var unreachable = Set<String>()
        while !stopping.load(ordering: .acquiring) {
            for (monitor, side) in monitors {
                guard let event = try? monitor.next(timeout: .milliseconds(50)) else { continue }
                report(event, side: side, unreachable: &unreachable)
            }
        }
        monitors.removeAll()
    }

    private func report(_ event: MonitorEvent, side: Side, unreachable: inout Set<String>) {
        let metadata: Logger.Metadata = ["side": "\(side.rawValue)", "endpoint": "\(event.endpoint)"]
        switch (side, event.kind) {
        case (.frontend, .connectRetried), (.frontend, .connectDelayed):
            if unreachable.insert(event.endpoint).inserted {
                logger.warning("publisher \(event.endpoint) is not reachable yet; retrying until it is", metadata: metadata)
            } else {
                logger.trace("still retrying \(event.endpoint)", metadata: metadata)
            }
        case (.frontend, .connected):
            unreachable.remove(event.endpoint)
            logger.notice("connected to publisher \(event.endpoint)", metadata: metadata)
        case (.frontend, .disconnected):
            logger.warning("lost publisher \(event.endpoint); reconnecting", metadata: metadata)
        case (.frontend, .handshakeFailedProtocol), (.frontend, .handshakeFailed), (.frontend, .authenticationFailed):
            authFailures.increment()
            logger.error("CURVE handshake with publisher \(event.endpoint) failed: check that --curve-publisher-key is that publisher's .pub and that it allows the proxy's key", metadata: metadata)
        case (.backend, .handshakeFailedProtocol), (.backend, .handshakeFailed), (.backend, .authenticationFailed):
            authFailures.increment()
            logger.warning("a subscriber failed the handshake on \(event.endpoint) (wrong server key, or no CURVE)", metadata: metadata)
        case (.backend, .accepted):
            logger.debug("subscriber connected on \(event.endpoint)", metadata: metadata)
        case (.backend, .disconnected):
            logger.debug("subscriber left \(event.endpoint)", metadata: metadata)
        case (_, .listening):
            logger.debug("listening on \(event.endpoint)", metadata: metadata)
        default:
            logger.trace("socket event \(event)", metadata: metadata)
        }
    }
}
