import ArgumentParser
import Foundation
import IOMKit
import Logging
import ServiceLifecycle
import ZeroMQ

/// `iom proxy`: an XSUB/XPUB forwarder on libzmq's own `zmq_proxy`, so one publisher fans
/// out to many subscribers on other machines.
struct ProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Forward change events from publishers to many subscribers (XSUB/XPUB on zmq_proxy).",
        discussion: """
            The frontend (XSUB) faces the publishers: by default it connects to them, so point it \
            at a node's publish endpoint; prefix @ to bind instead and let publishers connect. The \
            backend (XPUB) faces the subscribers: by default it binds; prefix > to connect. \
            Subscriptions travel upstream, changes downstream; the proxy neither reads nor changes them.

            Security: with --curve-secret-key the backend is a CURVE server with that key (give \
            subscribers the matching .pub) admitting only the client keys listed with --allow whose \
            role gets the relayed --view (a ZAP handler; refusals are logged); with --curve-publisher-key the frontend is a CURVE \
            client of that publisher, using the same key pair. Plain text over tcp or ipc needs \
            --insecure.

            On start it prints one line per endpoint ("frontend connect ...", "backend bind ...", \
            with the real port when bound to *), then runs until SIGINT or SIGTERM, when it stops \
            the proxy through its TERMINATE control message and exits 0.

            Example:
              iom proxy --frontend tcp://node-rabat:5560 --backend tcp://0.0.0.0:5570 \\
                        --curve-secret-key proxy.key --curve-publisher-key node-rabat.pub --allow service:replica.pub
            """
    )

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("A publisher endpoint (repeat for several); connects unless prefixed with @.", valueName: "endpoint"))
    var frontend: [String] = []

    @Option(name: .long, help: ArgumentHelp("The endpoint subscribers use; binds unless prefixed with >.", valueName: "endpoint"))
    var backend: String

    @Option(name: .customLong("curve-secret-key"),
            help: ArgumentHelp("The proxy's secret key file (NAME.key from iom keygen): makes the backend a CURVE server.", valueName: "file"))
    var curveSecretKey: String?

    @Option(name: .customLong("curve-publisher-key"),
            help: ArgumentHelp("The publisher's public key file (NAME.pub): makes the frontend a CURVE client.", valueName: "file"))
    var curvePublisherKey: String?

    @Flag(name: .long, help: "Allow plain text (no CURVE) on tcp and ipc endpoints: anyone who can reach them reads every change.")
    var insecure = false

    @OptionGroup var allow: AllowOptions

    @Option(name: .long, help: ArgumentHelp("The view of the stream relayed (what the publisher's endpoint carries): full, redacted or public. Only --allow keys whose role gets that view are admitted.", valueName: "view"))
    var view: BridgeView = .full

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard !frontend.isEmpty else {
            throw ValidationError("give at least one --frontend: the publisher's endpoint, e.g. --frontend tcp://127.0.0.1:5560")
        }
        let frontends = try frontend.map { try ProxyEndpoint(parsing: $0, defaultMode: .connect, option: "--frontend") }
        let backend = try ProxyEndpoint(parsing: backend, defaultMode: .bind, option: "--backend")
        if curveSecretKey != nil, allow.entries.isEmpty {
            throw ValidationError("with --curve-secret-key the backend would admit any CURVE client key: list the subscribers' keys with --allow [ROLE:]FILE (their NAME.pub from iom keygen)")
        }
        if curveSecretKey == nil, !allow.entries.isEmpty {
            throw ValidationError("--allow needs --curve-secret-key: without CURVE there are no client keys to check")
        }
        _ = try allow.parsed()
        if curvePublisherKey != nil, curveSecretKey == nil {
            throw ValidationError("--curve-publisher-key needs --curve-secret-key too: the proxy's own key pair (create one with iom keygen --name proxy)")
        }
        if !insecure {
            if curveSecretKey == nil, backend.crossesProcesses {
                throw ValidationError("--backend \(backend.address) would carry changes in plain text: pass --curve-secret-key FILE (from iom keygen), or --insecure to accept that")
            }
            if curvePublisherKey == nil, let plain = frontends.first(where: \.crossesProcesses) {
                throw ValidationError("--frontend \(plain.address) would carry changes in plain text: pass --curve-publisher-key FILE (the publisher's .pub), or --insecure to accept that")
            }
        }
    }

    func run() async throws {
        let logger = logging.bootstrap()
        let plan = try makePlan(logger: logger)
        let service = ProxyService(plan: plan, logger: logger)
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch let error as ProxyError {
            throw error.failure
        }
        logger.notice("proxy stopped")
    }

    private func makePlan(logger: Logger) throws -> ProxyPlan {
        // validate() has parsed these already.
        let frontends = try frontend.map { try ProxyEndpoint(parsing: $0, defaultMode: .connect, option: "--frontend") }
        let backend = try ProxyEndpoint(parsing: backend, defaultMode: .bind, option: "--backend")
        var keyPair: CurveKeyPair?
        var publisherKey: CurveKey?
        if curveSecretKey != nil || curvePublisherKey != nil {
            guard Context.has("curve") else {
                throw CommandFailure(.unavailable, "this libzmq was built without CURVE; install a libzmq built with libsodium (Debian: apt-get install libzmq3-dev)")
            }
        }
        if let path = curveSecretKey {
            keyPair = try loadKey(option: "--curve-secret-key") { try CurveKeyFile.readKeyPair(secretKeyPath: path) }
        }
        if let path = curvePublisherKey {
            publisherKey = try loadKey(option: "--curve-publisher-key") { try CurveKeyFile.readPublicKey(at: path) }
        }
        if insecure {
            if keyPair == nil { logger.warning("plain text: the backend has no CURVE (--insecure); anyone who can reach it reads every change") }
            if publisherKey == nil { logger.warning("plain text: the frontend has no CURVE (--insecure); changes from the publisher travel unencrypted") }
        }
        let allowList = keyPair == nil ? nil : try allow.allowList()
        return ProxyPlan(frontends: frontends, backend: backend, keyPair: keyPair, publisherKey: publisherKey, allowList: allowList, view: view)
    }

    private func loadKey<Key>(option: String, _ read: () throws -> Key) throws -> Key {
        do { return try read() } catch let error as CurveKeyFileError {
            switch error.code {
            case .insecurePermissions: throw CommandFailure(.noPermission, "\(option): \(error)")
            case .notFound: throw CommandFailure(.noInput, "\(option): \(error.path ?? "the key file") does not exist; create a key pair with iom keygen")
            default: throw CommandFailure(.dataError, "\(option): \(error)")
            }
        }
    }
}
