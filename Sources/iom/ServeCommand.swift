import ArgumentParser
import Foundation
import IOMBridge
import IOMFixtures
import IOMKit
import IOMStore
import Logging
import Prometheus
import ServiceLifecycle
import ZeroMQ

extension BridgeView: ExpressibleByArgument {}

/// `iom serve`: one IOMKit node — a store, its bridge publisher and (optionally) an endpoint
/// to save records through — running until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a node: open a store and publish its changes over ZeroMQ until SIGINT or SIGTERM.",
        discussion: """
            Opens the store (created when missing; an empty store gets the seed records: the \
            organisation, the Morocco mission and the 24 July 2017 Rabat breakfast), binds the \
            events endpoint (XPUB) and the sync endpoint (ROUTER, snapshot and replay) of \
            Protocols/bridge.md, and with --accept an endpoint taking records to save \
            (Protocols/node-save.md; `iom save TYPE --file F --node ENDPOINT`).

            The first line on standard output is machine-readable, with the real ports when an \
            endpoint is bound to *:
              serving events=tcp://127.0.0.1:40123 sync=tcp://127.0.0.1:40124 source=<uuid>
            (with accept=ENDPOINT before source= when --accept is given, and metrics=URL after it \
            with --metrics). Logs go to standard error.

            Monitoring: --metrics HOST:PORT serves the node's iom_* metrics in Prometheus' text \
            format on http://HOST:PORT/metrics, and /health: 200 when a save can be committed \
            now, 503 with the reason otherwise.

            Hub: --follow EVENTS,SYNC[,SERVER_KEY_FILE] (repeatable) makes the node follow other \
            nodes: every change of theirs is committed to this store under its original source, \
            sequence, id and time, then published on this node's endpoints as the origin would \
            (bridge.md §8.7); snapshot and replay serve every source held. A restarted hub \
            resumes each source after what it committed. With a SERVER_KEY_FILE (the upstream's \
            .pub) the hub connects with CURVE as its own --secret-key pair (allow its .pub as \
            service:… at the upstream). A hub needs --host-key (cases are sealed at rest under \
            its keys) and takes no saves (no --accept, no seed). With --metrics, /metrics adds \
            iom_hub_upstream_{connected,behind_sequences,since_last_change_seconds,silent_seconds} \
            per upstream, and /health answers 503 while an upstream has been silent for 3 \
            heartbeat intervals.

            Security: --secret-key makes every endpoint a CURVE server with that key (from \
            iom keygen; give clients the matching .pub) admitting only the client keys given with \
            --allow ROLE:FILE (bridge.md §12.2). The role decides what a client gets: the events \
            endpoint admits the roles of its --view (full: service, supervisor, auditor; \
            redacted: analyst; public: the others), the sync endpoint everyone allowed, each \
            request prepared for its role; the accept endpoint lets supervisor and caseworker \
            keys save any record and service keys any record but protection cases (a service \
            key is for replication), as themselves. Plain text needs --insecure.

            On SIGINT or SIGTERM it stops taking saves, sends every committed change, closes the \
            store and exits 0. Every committed change is in the store: the next `iom serve` on \
            the same file continues its sequence under the same source id.

            Example:
              iom keygen --name node; iom keygen --name replica
              iom serve --store /var/lib/iom/iom.sqlite --secret-key node.key --allow service:replica.pub \\
                        --publish tcp://0.0.0.0:5670 --replay tcp://0.0.0.0:5671
            """
    )

    @Option(name: .long, help: ArgumentHelp("The store's SQLite file (created when missing).", valueName: "path"))
    var store: String = "iom.sqlite"

    @Option(name: .long, help: ArgumentHelp("Where the events endpoint (XPUB) binds; port * picks a free one.", valueName: "endpoint"))
    var publish: String = "tcp://127.0.0.1:5670"

    @Option(name: .long, help: ArgumentHelp("Where the sync endpoint (ROUTER: snapshot and replay) binds.", valueName: "endpoint"))
    var replay: String = "tcp://127.0.0.1:5671"

    @Option(name: .long, help: ArgumentHelp("Also bind a node-save endpoint (ROUTER, Protocols/node-save.md) for iom save --node.", valueName: "endpoint"))
    var accept: String?

    @Option(name: .customLong("accept-window"),
            help: ArgumentHelp("Unanswered save requests one client connection may have at the accept endpoint; the next is answered BUSY (1…\(NodeSave.window)).", valueName: "count"))
    var acceptWindow: Int = NodeSave.window

    @Option(name: .long, help: ArgumentHelp("What the events endpoint reveals of protection cases: full, redacted or public.", valueName: "view"))
    var view: BridgeView = .full

    @Option(name: .customLong("secret-key"),
            help: ArgumentHelp("The node's CURVE secret key file (NAME.key from iom keygen): every endpoint a CURVE server.", valueName: "file"))
    var secretKey: String?

    @Flag(name: .long, help: "Serve in plain text (no CURVE): anyone who can reach the endpoints reads every change.")
    var insecure = false

    @OptionGroup var allow: AllowOptions

    @Flag(name: .customLong("no-seed"), help: "Do not load the seed records into an empty store.")
    var noSeed = false

    @Option(name: .long, help: ArgumentHelp(
        "Follow an upstream node as a hub: its events and sync endpoints, and for CURVE its public key file (NAME.pub); repeatable. The hub holds every upstream change under its original source and publishes it onward (bridge.md §8.7).",
        valueName: "events,sync[,server-key]"))
    var follow: [String] = []

    @Option(name: .long, help: ArgumentHelp("Serve Prometheus metrics on http://HOST:PORT/metrics and a health check on /health (port 0 picks a free one).",
                                            valueName: "host:port"))
    var metrics: String?

    @OptionGroup var keyRing: KeyRingOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard !store.isEmpty else { throw ValidationError("--store must name a SQLite file") }
        if secretKey == nil && !insecure {
            throw ValidationError("the endpoints would carry changes in plain text: pass --secret-key FILE (a key pair from iom keygen --name node), or --insecure to accept that")
        }
        if secretKey != nil && insecure {
            throw ValidationError("--secret-key and --insecure contradict each other: choose one")
        }
        guard (1...NodeSave.window).contains(acceptWindow) else {
            throw ValidationError("--accept-window must be between 1 and \(NodeSave.window), got \(acceptWindow)")
        }
        _ = try allow.parsed()
        if insecure && !allow.entries.isEmpty {
            throw ValidationError("--allow lists CURVE client keys; with --insecure there are none: pass --secret-key instead")
        }
        if secretKey != nil && allow.entries.isEmpty {
            throw ValidationError("with --secret-key only the client keys given with --allow ROLE:FILE are admitted, and there are none: add e.g. --allow service:replica.pub (a client's .pub from iom keygen)")
        }
        let upstreams = try followed()
        if !upstreams.isEmpty && accept != nil {
            throw ValidationError("a hub (--follow) holds other nodes' changes and takes no saves of its own: drop --accept")
        }
        if !upstreams.isEmpty && keyRing.hostKeys.isEmpty {
            throw ValidationError("a hub (--follow) seals the protection cases it holds under its own keys: pass --host-key FILE")
        }
        if upstreams.contains(where: { $0.key != nil }) && secretKey == nil {
            throw ValidationError("--follow with an upstream's public key connects with CURVE, as this node's key pair: pass --secret-key FILE")
        }
        if let metrics {
            do { _ = try MetricsAddress(parsing: metrics) } catch let failure as CommandFailure { throw ValidationError(failure.message) }
        }
        for (option, endpoint) in [("--publish", publish), ("--replay", replay)] + (accept.map { [("--accept", $0)] } ?? []) {
            do { try EndpointFailure.validate(endpoint, option: option) } catch let failure as CommandFailure {
                throw ValidationError(failure.message)
            }
        }
    }

    /// The `--follow` values: endpoints and the upstream's public key file, if any.
    private func followed() throws -> [(events: String, sync: String, key: String?)] {
        try follow.map { value in
            let parts = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, parts.count == 2 || !parts[2].isEmpty else {
                throw ValidationError("--follow takes EVENTS,SYNC or EVENTS,SYNC,SERVER_KEY_FILE (e.g. tcp://ma:5670,tcp://ma:5671,ma.pub), got \"\(value)\"")
            }
            for (option, endpoint) in [("--follow", parts[0]), ("--follow", parts[1])] {
                do { try EndpointFailure.validate(endpoint, option: option) } catch let failure as CommandFailure {
                    throw ValidationError(failure.message)
                }
            }
            return (parts[0], parts[1], parts.count == 3 ? parts[2] : nil)
        }
    }

    func run() async throws {
        let logger = logging.bootstrap()
        let keys = try secretKey.map { try KeyFiles.curveKeyPair($0, option: "--secret-key") }
        if insecure {
            logger.warning("plain text (--insecure): anyone who can reach \(publish), \(replay)\(accept.map { " and \($0)" } ?? "") reads every change\(accept == nil ? "" : " and may save records")")
        }
        let allowList = keys == nil ? nil : try allow.allowList()

        // With --metrics the node records into a Prometheus registry that /metrics prints.
        let registry = metrics == nil ? nil : PrometheusCollectorRegistry()
        let iom = try await keyRing.open(store: store, logger: logger, metricsFactory: registry.map { PrometheusMetricsFactory(registry: $0) })

        let node: NodeService
        var services: [any Service] = []
        // Set once a hub is started: /health and /metrics then cover its upstreams too.
        let hubBox = HubBox()
        do {
            if let metrics, let registry {
                services.append(try MetricsEndpoint(address: MetricsAddress(parsing: metrics), registry: registry,
                                                    health: { [iom] in
                                                        if let problem = await iom.store.writeProbe() { return problem }
                                                        return hubBox.hub?.upstreamProblem
                                                    },
                                                    beforeScrape: { HubMetrics.update(registry, hubBox.hub) }))
            }
            node = try await start(iom, keys: keys, allowList: allowList, logger: logger, metrics: services.first as? MetricsEndpoint,
                                   hubBox: hubBox)
        } catch {
            try? await iom.close()
            throw error
        }
        // Shut down in reverse order: the node first, the metrics endpoint last.
        services.append(node)
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        logger.notice("node stopped")
    }

    /// Seeds an empty store, starts the publisher and the accept endpoint, prints the readiness lines.
    private func start(_ iom: IOM, keys: CurveKeyPair?, allowList: ClientAllowList?, logger: Logger,
                       metrics: MetricsEndpoint?, hubBox: HubBox) async throws -> NodeService {
        let security: PublisherSecurity = if let keys, let allowList { .curve(keys, allow: allowList) } else { .insecure }
        var publisherConfiguration = PublisherConfiguration(events: publish, sync: replay, security: security, view: view)
        publisherConfiguration.logger = logger
        // One context for the bridge and the accept endpoint: the publisher's ZAP handler
        // (installed on it with CURVE) then admits the allow-listed keys on all three.
        let context: Context
        do { context = try Context() } catch { throw CommandFailure(.unavailable, "cannot create a ZeroMQ context: \(error)") }
        let publisher: BridgePublisher
        var hub: IOMHub?
        let upstreams = try followed()
        do {
            if upstreams.isEmpty {
                // The facade passes the store's sealer, so sync replies carry protection cases opened.
                publisher = try await iom.startPublisher(publisherConfiguration, context: context)
            } else {
                var list: [HubUpstream] = []
                for upstream in upstreams {
                    var security = SubscriberSecurity.insecure
                    if let file = upstream.key, let keys {
                        security = .curve(client: keys, server: try KeyFiles.curvePublicKey(file, option: "--follow"))
                    }
                    list.append(HubUpstream(events: upstream.events, sync: upstream.sync, security: security))
                }
                let started = try await iom.startHub(upstreams: list, publisher: publisherConfiguration, context: context)
                hub = started
                hubBox.hub = started
                publisher = started.publisher
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw EndpointFailure.make(error, options: [publish: "--publish", replay: "--replay"])
        }

        var server: NodeSaveServer?
        if let accept {
            do { server = try NodeSaveServer(endpoint: accept, keys: keys, allowList: allowList, context: context, iom: iom, logger: logger,
                                             window: acceptWindow) } catch {
                await publisher.stop()
                throw EndpointFailure.make("--accept", accept, error)
            }
        }

        // Seeded once the endpoints are bound: a node that cannot start leaves the store as it was.
        var latest = try await lastSequence(iom)
        if latest == 0 && !noSeed && hub == nil {
            for record in Seed.all {
                do { latest = try await RecordSaving.save(record, into: iom).sequence } catch {
                    server?.stop()
                    await publisher.stop()
                    throw CommandFailure(.ioError, "cannot load the seed records into \(store): \(error)")
                }
            }
            logger.notice("empty store: loaded the seed records", metadata: ["store": "\(store)", "changes": "\(Seed.all.count)"])
        }

        var first = "serving events=\(publisher.eventsEndpoint) sync=\(publisher.syncEndpoint ?? "none")"
        if let server { first += " accept=\(server.endpoint)" }
        let description = keys.map { "CURVE server, public key \($0.publicKey.z85), \(allow.entries.count) allowed client key\(allow.entries.count == 1 ? "" : "s")" } ?? "plain text"
        let held = hub == nil ? "" : "; hub following \(upstreams.count) upstream\(upstreams.count == 1 ? "" : "s")"
        let second = "store \(store): latest sequence \(latest)\(held); view \(view.rawValue); \(description); stop with Ctrl-C or SIGTERM"
        return NodeService(iom: iom, publisher: publisher, hub: hub, server: server, metrics: metrics, logger: logger,
                           readiness: (first, " source=\(publisher.source)", second))
    }

    private func lastSequence(_ iom: IOM) async throws -> UInt64 {
        do { return try await iom.store.lastSequence() } catch {
            throw CommandFailure(.ioError, "cannot read the store \(store): \(error)")
        }
    }
}

/// A running node as a swift-service-lifecycle `Service`: on graceful shutdown (SIGINT,
/// SIGTERM) it stops taking saves, lets the publisher send every committed change, and closes
/// the store.
struct NodeService: Service {
    let iom: IOM
    let publisher: BridgePublisher
    let hub: IOMHub?
    let server: NodeSaveServer?
    /// The `--metrics` endpoint, run beside the node in the same service group.
    let metrics: MetricsEndpoint?
    let logger: Logger
    /// The readiness lines: the first line up to `source=`, its end, the second line.
    let readiness: (first: String, source: String, second: String)

    func run() async throws {
        var first = readiness.first
        let metricsURL = try await metrics?.waitUntilListening()
        if let metricsURL { first += " metrics=\(metricsURL)" }
        first += readiness.source
        // Written at once and unbuffered, so a supervising process sees the lines now.
        FileHandle.standardOutput.write(Data((first + "\n" + readiness.second + "\n").utf8))
        logger.info("node running", metadata: ["events": "\(publisher.eventsEndpoint)", "sync": "\(publisher.syncEndpoint ?? "none")",
                                                "accept": "\(server?.endpoint ?? "none")", "metrics": "\(metricsURL ?? "none")",
                                                "source": "\(publisher.source)", "sqliteMemoryStatistics": "\(IOMCommand.sqliteMemoryStatistics)"])
        // The node's work, held here: the bridges (through the store's runBridges), the hub's
        // following and committing, and the accept endpoint. On graceful shutdown the accept
        // endpoint stops first (answering what it has read), then the hub commits what it
        // received, then the publisher sends what is committed, then the store closes. A hub
        // that stops by itself (its store failed) ends the node too.
        let (iom, server, publisher, hub, logger) = (iom, server, publisher, hub, logger)
        let (sent, hubFailure) = try await withThrowingDiscardingTaskGroup(returning: (UInt64, (any Error)?).self) { group in
            group.addTask { await iom.runBridges() }
            let hubFailure: (any Error)? = await withTaskGroup(of: (any Error)?.self) { parts in
                if let server { parts.addTask { await server.run(); return nil } }
                if let hub {
                    parts.addTask {
                        do { try await hub.run(); return nil } catch { return error }
                    }
                }
                // Returns on graceful shutdown; throws CancellationError if the group is cancelled.
                if let hub {
                    await withTaskCancellationHandler {
                        await withGracefulShutdownHandler {
                            await hub.waitUntilStopping()
                        } onGracefulShutdown: {
                            hub.stop()
                        }
                    } onCancel: {
                        hub.stop()
                    }
                } else {
                    try? await gracefulShutdown()
                }
                logger.notice("stopping the node")
                server?.stop()  // saves and answers the requests already read, reads no more
                hub?.stop()     // commits what it received, publishes it
                var failure: (any Error)?
                for await result in parts { if let result { failure = result } }
                return failure
            }
            await publisher.stop()
            let sent = await publisher.lastSent
            do { try await iom.close() } catch {
                throw CommandFailure(.ioError, "closing the store failed: \(error)")
            }
            return (sent, hubFailure)
        }
        if let hubFailure { throw CommandFailure(.ioError, "the hub stopped: \(hubFailure)") }
        logger.notice("node stopped cleanly", metadata: ["lastSent": "\(sent)"])
    }
}

/// The hub of a node, once started (the metrics endpoint is made before it).
final class HubBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: IOMHub?
    var hub: IOMHub? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

/// The per-upstream gauges of a hub, set before each scrape.
enum HubMetrics {
    static func update(_ registry: PrometheusCollectorRegistry, _ hub: IOMHub?) {
        guard let hub else { return }
        for lag in hub.lag {
            let labels = [("upstream", lag.endpoint)]
            func gauge(_ name: String, _ unit: String, _ help: String, _ value: Double) {
                registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "iom", subsystem: "hub_upstream", metricName: name,
                                                                    unitName: unit, helpText: help), labels: labels).set(to: value)
            }
            gauge("connected", "", "1 when the upstream was heard from within 3 heartbeat intervals", lag.connected ? 1 : 0)
            gauge("behind", "sequences", "Sequences the upstream announced that the hub has not committed yet", Double(lag.behind))
            gauge("since_last_change", "seconds", "Seconds since the hub last committed a change of the upstream (-1: none since start)",
                  lag.sinceLastChange.map(seconds) ?? -1)
            gauge("silent", "seconds", "Seconds since anything arrived from the upstream (-1: never)", lag.silentFor.map(seconds) ?? -1)
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
