import ArgumentParser
import ChangeBus
import Foundation
import IOMBridge
import IOMKit
import Logging
import ServiceLifecycle
import Synchronization
import ZeroMQ

extension ChangeKind: ExpressibleByArgument {}

/// `iom tail ENDPOINT`: follows a node's events endpoint and prints each change, one per line.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Follow a node's change events and print each change on one line (or as JSON).",
        discussion: """
            Connects to the events endpoint of a node (`iom serve`), in order and without gaps: \
            with --sync (the node's sync endpoint) lost changes are replayed, and --from SEQ \
            replays the journal from that sequence before following live changes.

            Each line: SEQUENCE TIME TYPE KIND RECORD vVERSION SUMMARY, e.g.
              2 2017-07-24T00:00:00.000Z mission created mission-ma v1 Mission OIM Maroc (MA, open)
            With --json, one object per line: source, sequence, id, time, type, kind, record, \
            version and change (iom.v1.Change in the protobuf JSON mapping of Protocols/iom/v1).

            --type and --kind (repeatable) select what is printed; the subscription still covers \
            every change, so gaps are detected and repaired (Protocols/bridge.md §5.1). While a \
            replay runs, progress goes to standard error once a second ("replayed 120000/1000000").

            Stops after --count changes (exit 0), or on SIGINT or SIGTERM (exit 0). When nothing \
            at all (no change, no heartbeat) arrives from the endpoint for --timeout seconds, \
            exits 69: the node is not running there, or security does not match.

            Example:
              iom tail tcp://127.0.0.1:5670 --sync tcp://127.0.0.1:5671 --from 1 \\
                       --server-key node.pub --secret-key me.key --type mission
            """
    )

    @Argument(help: ArgumentHelp("The node's events endpoint, e.g. tcp://127.0.0.1:5670.", valueName: "endpoint"))
    var endpoint: String

    @Option(name: .long, help: ArgumentHelp("The node's sync endpoint, for replay and gap repair (needed by --from).", valueName: "endpoint"))
    var sync: String?

    @Option(name: .long, help: ArgumentHelp("Replay from this sequence (1: everything the journal holds), then follow.", valueName: "sequence"))
    var from: UInt64?

    @Option(name: .long, help: ArgumentHelp("Stop after printing this many changes.", valueName: "n"))
    var count: Int?

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("Print only this record type (repeatable): organisation, mission, member-state, event, protection-case.", valueName: "type"))
    var type: [RecordTypeArgument] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Print only this kind (repeatable): created, updated, deleted.", valueName: "kind"))
    var kind: [ChangeKind] = []

    @Flag(name: .long, help: "One JSON object per line instead of text.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Give up (exit 69) after this many seconds without any message from the node; 0 waits forever.", valueName: "seconds"))
    var timeout: Double = 10

    @Option(name: .customLong("server-key"), help: ArgumentHelp("The node's CURVE public key file (NAME.pub).", valueName: "file"))
    var serverKey: String?

    @Option(name: .customLong("secret-key"), help: ArgumentHelp("This client's CURVE secret key file (NAME.key from iom keygen).", valueName: "file"))
    var secretKey: String?

    @Flag(name: .long, help: "Connect in plain text (the node must run with --insecure).")
    var insecure = false

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        for (option, value) in [("endpoint", endpoint)] + (sync.map { [("--sync", $0)] } ?? []) {
            do { try EndpointFailure.validate(value, option: option) } catch let failure as CommandFailure {
                throw ValidationError(failure.message)
            }
        }
        if let from, from == 0 { throw ValidationError("--from counts from 1 (the first change of a store)") }
        if from != nil, sync == nil {
            throw ValidationError("--from replays from the node's journal: pass its sync endpoint with --sync (iom serve prints it as sync=)")
        }
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        guard timeout >= 0, timeout.isFinite else { throw ValidationError("--timeout must be a number of seconds ≥ 0, got \(timeout)") }
        if insecure {
            if serverKey != nil || secretKey != nil { throw ValidationError("--insecure contradicts --server-key/--secret-key: choose one") }
        } else {
            guard serverKey != nil, secretKey != nil else {
                throw ValidationError("CURVE needs both --server-key FILE (the node's .pub) and --secret-key FILE (your key from iom keygen); or pass --insecure for a node run with --insecure")
            }
        }
    }

    func run() async throws {
        let logger = logging.bootstrap()
        let security: SubscriberSecurity
        if let serverKey, let secretKey {
            security = .curve(client: try KeyFiles.curveKeyPair(secretKey, option: "--secret-key"),
                              server: try KeyFiles.curvePublicKey(serverKey, option: "--server-key"))
        } else {
            security = .insecure
        }
        let types = Set(type.map(\.recordType))
        let kinds = Set(kind)
        let filter: ChangeBus<CommittedChange>.Filter = types.isEmpty && kinds.isEmpty
            ? .all
            : .matching { (types.isEmpty || types.contains($0.topic)) && (kinds.isEmpty || kinds.contains($0.kind)) }
        // Subscribed before the subscriber starts, so the first delivery is seen; `.wait` holds
        // delivery (and the sockets behind it) while standard output is slow: nothing is dropped.
        let bus: ChangeBus<CommittedChange>
        let subscription: ChangeBus<CommittedChange>.Subscription
        do {
            bus = try ChangeBus<CommittedChange>(replayWindow: 0)
            subscription = try bus.subscribe(filter, capacity: 65_536, whenFull: .wait(timeout: .seconds(3600)))
        } catch {
            throw CommandFailure(.failure, "cannot create the delivery bus: \(error)")
        }
        var configuration = SubscriberConfiguration(upstreams: [.init(events: endpoint, sync: sync)], security: security,
                                                    start: from.map { $0 <= 1 ? .beginning : .after($0 - 1) } ?? .now)
        configuration.logger = logger
        let subscriber: BridgeSubscriber
        do { subscriber = try BridgeSubscriber.start(configuration, bus: bus, context: nil) } catch {
            throw EndpointFailure.make(error, options: [endpoint: "endpoint", sync ?? "": "--sync"])
        }
        let target: UInt64? = if let from, let sync {
            await SyncInfo.fetch(sync, security: security, timeout: .seconds(2))?["latest"].flatMap { UInt64($0) }.flatMap { $0 >= from ? $0 : nil }
        } else {
            nil
        }
        let service = TailService(subscriber: subscriber, subscription: subscription, json: json, count: count,
                                  timeout: timeout == 0 ? nil : .milliseconds(Int64(timeout * 1000)),
                                  endpoint: endpoint, replay: from.flatMap { from in target.map { (from, $0) } }, logger: logger)
        // The tail ends on its own (--count, silence): that shuts the group down, not an error.
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        if let failure = service.outcome.withLock({ $0 }) { throw failure }
    }
}

/// The running `iom tail`: prints the subscription, watches for silence, shows replay progress.
final class TailService: Service, Sendable {
    let subscriber: BridgeSubscriber
    let subscription: ChangeBus<CommittedChange>.Subscription
    let json: Bool
    let count: Int?
    let timeout: Duration?
    let endpoint: String
    /// First and last sequence of the replay asked for with `--from`, when the node told its latest.
    let replay: (from: UInt64, through: UInt64)?
    let logger: Logger
    /// Why the tail stopped early, if it did.
    let outcome = Mutex<CommandFailure?>(nil)
    private let output = LineOutput()

    init(subscriber: BridgeSubscriber, subscription: ChangeBus<CommittedChange>.Subscription, json: Bool, count: Int?,
         timeout: Duration?, endpoint: String, replay: (from: UInt64, through: UInt64)?, logger: Logger) {
        self.subscriber = subscriber
        self.subscription = subscription
        self.json = json
        self.count = count
        self.timeout = timeout
        self.endpoint = endpoint
        self.replay = replay
        self.logger = logger
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.print() }
                group.addTask { await self.watch() }
                await group.next()   // whichever ends first: count reached, silence, or shutdown
                group.cancelAll()
                self.subscriber.stop()
            }
        } onGracefulShutdown: {
            self.subscriber.stop()   // ends the subscription: print() returns
        }
        output.flush()
        // One closing line on stderr (stdout holds only changes): what crossing the wire took.
        let s = subscriber.statistics
        FileHandle.standardError.write(Data("""
            iom tail: delivered \(s.events), gaps \(s.gapsDetected), repaired \(s.changesRepaired), \
            duplicates \(s.duplicates), withheld \(s.withheld), malformed \(s.malformedTotal)\n
            """.utf8))
    }

    private func print() async {
        var printed = 0
        do {
            for try await element in subscription {
                guard case .change(_, let committed) = element else { continue }
                output.append(json ? ChangeLine.json(committed) : ChangeLine.text(committed))
                printed += 1
                if let count, printed >= count { break }
            }
        } catch .producerFailed(let reason) {
            // The subscriber met a change it can never deliver: say so instead of waiting for ever.
            outcome.withLock {
                $0 = CommandFailure(.dataError, """
                    stuck: \(reason). Changes after it cannot be delivered in order; the node's journal \
                    needs an operator's attention.
                    """)
            }
        } catch {
            outcome.withLock { $0 = CommandFailure(.failure, "delivery stopped: \(error)") }
        }
        output.flush()
        if let count, printed < count, outcome.withLock({ $0 == nil }) {
            logger.notice("stopped after \(printed) of \(count) changes")
        }
    }

    /// Flushes output every 100 ms, reports replay progress once a second, and ends the tail
    /// when the endpoint has been silent for `timeout`.
    private func watch() async {
        let clock = ContinuousClock()
        var lastActivity = clock.now
        var lastCount = -1
        var lastProgress = clock.now
        var progressShown = false
        var connected = false
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            output.flush()
            let statistics = subscriber.statistics
            if !connected && statistics.heartbeats > 0 {
                // Said once, on standard error: from here on the node's changes reach this tail.
                connected = true
                FileHandle.standardError.write(Data("iom tail: following \(endpoint)\n".utf8))
            }
            let activity = statistics.heartbeats + statistics.events + statistics.duplicates + statistics.withheld
            if activity != lastCount || output.isWriting {
                lastCount = activity
                lastActivity = clock.now
            } else if let timeout, clock.now - lastActivity > timeout {
                outcome.withLock {
                    $0 = CommandFailure(.unavailable, """
                        nothing arrived from \(endpoint) for \(timeout): no node is serving there, or its security \
                        does not match (a node run with --secret-key needs --server-key and --secret-key; one run \
                        with --insecure needs --insecure). Start it with iom serve, or check the endpoint.
                        """)
                }
                return
            }
            if let replay, clock.now - lastProgress >= .seconds(1) {
                lastProgress = clock.now
                let delivered = subscriber.deliveredSequences.values.max() ?? (replay.from - 1)
                let total = replay.through - replay.from + 1
                let done = min(delivered >= replay.from ? delivered - replay.from + 1 : 0, total)
                if done < total || progressShown {
                    FileHandle.standardError.write(Data("replayed \(done)/\(total)\n".utf8))
                    progressShown = done < total
                }
            }
        }
    }
}

/// Standard output for many lines: buffered, written in large blocks (by the printing task
/// when 64 KiB are pending, by the watchdog every 100 ms).
final class LineOutput: Sendable {
    private let pending = Mutex<[UInt8]>([])
    private let writing = Atomic<Bool>(false)

    /// Whether a write to standard output is in progress (a slow reader is not a silent node).
    var isWriting: Bool { writing.load(ordering: .relaxed) }

    func append(_ line: String) {
        let full = pending.withLock { buffer in
            buffer.append(contentsOf: line.utf8)
            buffer.append(0x0A)
            return buffer.count >= 64 << 10
        }
        if full { flush() }
    }

    /// Writes what is pending. The write happens under the lock, so lines never leave out of order.
    func flush() {
        pending.withLock { buffer in
            guard !buffer.isEmpty else { return }
            writing.store(true, ordering: .relaxed)
            FileHandle.standardOutput.write(Data(buffer))
            writing.store(false, ordering: .relaxed)
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
