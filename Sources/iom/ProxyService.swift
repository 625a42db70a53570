import CoreMetrics
import Foundation
import IOMBridge
import IOMKit
import Logging
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// What `iom proxy` forwards between, and with which keys.
struct ProxyPlan: Sendable {
    let frontends: [ProxyEndpoint]
    let backend: ProxyEndpoint
    /// The proxy's own key pair: CURVE server key of the backend, client key toward publishers.
    let keyPair: CurveKeyPair?
    /// The publisher's public key: makes the frontend a CURVE client.
    let publisherKey: CurveKey?
    /// The subscribers admitted on the backend (with CURVE): a ZAP handler checks each key.
    let allowList: ClientAllowList?
    /// The view of the relayed stream: the backend's ZAP domain.
    let view: BridgeView
}

/// A failure of the proxy, turned into a message and an exit code by the command.
enum ProxyError: Error, CustomStringConvertible {
    /// Binding or connecting an endpoint failed.
    case attach(side: String, endpoint: ProxyEndpoint, ZMQError)
    /// libzmq failed otherwise.
    case zmq(ZMQError)

    var description: String { failure.message }

    var failure: CommandFailure {
        switch self {
        case .attach(let side, let endpoint, let error):
            let what = "cannot \(endpoint.mode.rawValue) the \(side) \(endpoint.address): \(error.message)"
            switch error.code {
            case EADDRINUSE:
                return CommandFailure(.unavailable, "\(what). Another socket or process uses that address: choose another port or stop it")
            case EADDRNOTAVAIL, ENODEV:
                return CommandFailure(.unavailable, "\(what). No network interface of this machine has that address: use 127.0.0.1, 0.0.0.0 (every interface) or one of its addresses")
            case EINVAL, EPROTONOSUPPORT:
                return CommandFailure(.usage, "\(what). Write endpoints as tcp://HOST:PORT, ipc:///path/to/socket or inproc://name")
            case EACCES:
                return CommandFailure(.unavailable, "\(what). Permission denied: use a port above 1023 or a writable ipc path")
            default:
                return CommandFailure(.unavailable, what)
            }
        case .zmq(let error):
            return CommandFailure(.unavailable, "the proxy failed: \(error)")
        }
    }
}

/// `iom proxy` as a swift-service-lifecycle `Service`: runs libzmq's `zmq_proxy_steerable`
/// on its own thread and stops it with a `TERMINATE` control message on graceful shutdown
/// (SIGINT, SIGTERM) or cancellation.
struct ProxyService: Service {
    let plan: ProxyPlan
    let logger: Logger

    func run() async throws {
        let context: Context
        do { context = try Context() } catch let error as ZMQError { throw ProxyError.zmq(error) }
        let stopper = ProxyStopper(context: context, control: "inproc://iom-proxy-control")
        let plan = plan
        let logger = logger
        // §12.2: without a ZAP handler libzmq would admit any CURVE client key.
        var zap: ZAPHandler?
        if let allowList = plan.allowList {
            let refused = Counter(label: IOMMetrics.authFailuresTotal, dimensions: [(IOMMetrics.Dimension.reason, "not_allowed")])
            do {
                zap = try ZAPHandler(context: context, admitting: allowList) { request, reason in
                    refused.increment()
                    logger.warning("refused a subscriber", metadata: ["reason": "\(reason)", "address": "\(request.address)",
                                                                   "key": "\(request.clientKey?.z85 ?? "none")"])
                }
            } catch { throw ProxyError.zmq(error) }
        }
        let outcome: Result<Void, any Error>
        do {
            try await withTaskCancellationOrGracefulShutdownHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let thread = Thread {
                        do {
                            try ProxyRunner.run(plan, context: context, control: stopper.control, logger: logger)
                            continuation.resume()
                        } catch {
                            continuation.resume(throwing: error)
                        }
                    }
                    thread.name = "iom-proxy"
                    thread.start()
                }
            } onCancelOrGracefulShutdown: {
                logger.notice("stopping the proxy")
                stopper.stop()
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await zap?.stop()
        try outcome.get()
    }
}

/// Sends the proxy its `TERMINATE` once, from whichever thread asks first. If the proxy is
/// still running two seconds later, shuts the context down, which ends it too.
final class ProxyStopper: Sendable {
    let context: Context
    let control: String
    /// The sending end of the control pair, kept open until the proxy has read the message.
    private let sender = Mutex<Socket?>(nil)

    init(context: Context, control: String) {
        self.context = context
        self.control = control
    }

    func stop() {
        let context = context
        let control = control
        let first = sender.withLock { sender -> Bool in
            guard sender == nil else { return false }
            // inproc allows connecting before the proxy thread has bound the control socket.
            guard let socket = try? context.socket(.pair), (try? socket.connect(control)) != nil else { return true }
            _ = try? socket.send(Proxy.terminateCommand, timeout: .seconds(1))
            sender = socket
            return true
        }
        guard first else { return }
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 2)
            context.shutdown()
        }
    }
}

/// The proxy thread: sockets, endpoints, the readiness lines, then `zmq_proxy_steerable`.
enum ProxyRunner {
    static func run(_ plan: ProxyPlan, context: Context, control: String, logger: Logger) throws {
        let frontend = try context.socket(.xsub)
        let backend = try context.socket(.xpub)
        let controlSocket = try context.socket(.pair)
        do {
            // What each side may receive (Protocols/bridge.md §11.2): subscribers send only
            // subscription messages; the publisher's frames are bounded by the protocol's limit.
            try backend.set(.maxMessageSize, Int64(BridgeProtocol.maximumSubscriptionSize))
            try frontend.set(.maxMessageSize, Int64(BridgeProtocol.maximumMessageSize))
            if let publisherKey = plan.publisherKey, let pair = plan.keyPair {
                try frontend.set(.curveServerKey, publisherKey)
                try frontend.set(.curvePublicKey, pair.publicKey)
                try frontend.set(.curveSecretKey, pair.secretKey)
            }
            if let pair = plan.keyPair {
                try backend.set(.curveServer, true)
                try backend.set(.curveSecretKey, pair.secretKey)
                try backend.set(.zapDomain, plan.view.zapDomain)
            }
            try controlSocket.bind(control)
        } catch let error as ZMQError { throw ProxyError.zmq(error) }

        let monitors = MonitorThread(logger: logger)
        do {
            monitors.add(try frontend.monitor(), side: .frontend)
            monitors.add(try backend.monitor(), side: .backend)
        } catch let error as ZMQError { throw ProxyError.zmq(error) }
        monitors.start()
        defer { monitors.stopAndWait() }

        var lines: [String] = []
        for endpoint in plan.frontends {
            let resolved = try attach(frontend, endpoint, side: "frontend")
            lines.append("frontend \(endpoint.mode.rawValue) \(resolved) (\(plan.publisherKey == nil ? "plain text" : "CURVE client"))")
        }
        let resolved = try attach(backend, plan.backend, side: "backend")
        let security = plan.keyPair.map { "CURVE server, public key \($0.publicKey.z85)" } ?? "plain text"
        lines.append("backend \(plan.backend.mode.rawValue) \(resolved) (\(security))")
        lines.append("proxy running; stop it with Ctrl-C or SIGTERM")
        // Written at once and unbuffered, so a supervising process sees the lines now.
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        logger.info("proxy running", metadata: ["frontends": "\(plan.frontends)", "backend": "\(plan.backend)"])

        do {
            try Proxy.run(frontend: frontend, backend: backend, control: controlSocket)
        } catch let error as ZMQError where error.isContextTerminated {
            // The stopper's fallback: the proxy did not read TERMINATE in time.
            logger.warning("the proxy did not stop on TERMINATE; stopped by shutting its context down")
        } catch let error as ZMQError {
            throw ProxyError.zmq(error)
        }
    }

    /// Binds or connects, returning the endpoint as libzmq resolved it (the real port for `*`).
    private static func attach(_ socket: Socket, _ endpoint: ProxyEndpoint, side: String) throws -> String {
        do {
            switch endpoint.mode {
            case .bind:
                try socket.bind(endpoint.address)
                return try socket.lastEndpoint
            case .connect:
                try socket.connect(endpoint.address)
                return endpoint.address
            }
        } catch let error as ZMQError {
            throw ProxyError.attach(side: side, endpoint: endpoint, error)
        }
    }
}
