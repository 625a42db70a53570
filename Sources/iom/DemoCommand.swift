import ArgumentParser
import Foundation
import IOMFixtures
import IOMKit
import IOMStore
import IOMWire
import Synchronization
import ZeroMQ

/// `iom demo`: the product in one command. A node (`iom serve`) and a subscriber (`iom tail`)
/// run as two processes of their own; the demo saves realistic changes through the node and
/// shows them arriving on the other side with their sequence numbers, then ends by itself with
/// a summary.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a node and a subscriber as two processes and watch changes cross between them.",
        discussion: """
            Starts `iom serve` on a fresh store in a temporary directory (loopback endpoints, plain \
            text), `iom tail` in another process, then saves through the node: the organisation, the \
            Morocco mission and the Rabat event from the seed page, an update of the mission, a \
            FICTIONAL protection case moving through its workflow, and a burst of --burst changes. \
            Every change is printed as the subscriber receives it. Ends with a summary.
            """
    )

    @Option(help: "How many changes the closing throughput burst saves through the node.")
    var burst: Int = 1_000

    @Option(help: ArgumentHelp("Keep the demo's store and keys in this directory (default: a temporary one, removed at the end).", valueName: "path"))
    var directory: String?

    func validate() throws {
        guard (0...1_000_000).contains(burst) else { throw ValidationError("--burst must be between 0 and 1000000, got \(burst)") }
    }

    func run() async throws {
        let temporary = directory == nil
        let directory = self.directory ?? NSTemporaryDirectory() + "iom-demo-" + UUID().uuidString.prefix(8)
        try PrivateFile.createDirectory(atPath: directory)  // 0700 whatever the umask
        defer { if temporary { try? FileManager.default.removeItem(atPath: directory) } }
        let hostKey = directory + "/host.key"
        if !FileManager.default.fileExists(atPath: hostKey) {
            // The key that seals protection cases at rest: 32 random bytes as hex, mode 0600.
            let hex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            guard FileManager.default.createFile(atPath: hostKey, contents: Data(hex.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CommandFailure(.cannotCreate, "cannot write \(hostKey)")
            }
        }

        say("1. A node: iom serve on a new store (\(directory)/demo.sqlite)")
        let node = try Child(["serve", "--store", directory + "/demo.sqlite", "--publish", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*",
                              "--accept", "tcp://127.0.0.1:*", "--insecure", "--no-seed", "--host-key", hostKey, "--log-level", "error"],
                             echo: nil)
        defer { node.terminate() }
        guard let ready = node.waitForLine(prefix: "serving ", timeout: .seconds(30)) else {
            throw CommandFailure(.failure, "the node did not start: \(node.errors)")
        }
        var endpoints: [String: String] = [:]
        for pair in ready.split(separator: " ").dropFirst() {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { endpoints[String(parts[0])] = String(parts[1]) }
        }
        guard let events = endpoints["events"], let sync = endpoints["sync"], let accept = endpoints["accept"] else {
            throw CommandFailure(.failure, "the node's readiness line lacks an endpoint: \(ready)")
        }
        say("   events \(events) · sync \(sync) · accept \(accept)")

        say("2. A subscriber in another process: iom tail \(events) --sync \(sync) --from 1")
        let tail = try Child(["tail", events, "--sync", sync, "--from", "1", "--insecure", "--timeout", "0", "--log-level", "error"],
                             echo: "   subscriber ▸ ")
        defer { tail.terminate() }
        try await Task.sleep(for: .milliseconds(300))

        say("3. Changes saved through the node (publisher ◂), arriving at the subscriber (▸):")
        var sent = 0
        func save(_ record: AnyRecord, _ what: String, operation: RecordSaving.Operation? = nil) async throws {
            let reply = try await NodeSaveClient.send(type: record.recordType, json: WireCodec.json(record), operation: operation,
                                                      to: accept, keys: nil, timeout: .seconds(10))
            switch reply {
            case .saved(let version, let sequence):
                sent += 1
                say("   publisher ◂ #\(sequence) \(what) (\(record.recordType.rawValue) \(record.recordID), version \(version))")
            case .refused(let code, let message):
                throw CommandFailure(.failure, "the node refused \(what): \(code?.rawValue ?? "?"): \(message)")
            }
            try await tail.waitForLines(sent, timeout: .seconds(10))
        }
        let now = Instant(millisecondsSince1970: Int64(Date().timeIntervalSince1970 * 1000))
        try await save(Seed.organisation.anyRecord, "the organisation")
        try await save(Seed.moroccoMission.anyRecord, "a mission")
        try await save(Seed.rabatBreakfast2017.anyRecord, "a new public event")
        let suspended = try edited(Seed.moroccoMission, status: .suspended, at: now)
        try await save(suspended.anyRecord, "a mission update (status suspended: a demonstration, not news)", operation: .update)
        var protectionCase = FictionalCases.minimal
        try await save(protectionCase.anyRecord, "a FICTIONAL protection case, identified")
        for next in [CaseStatus.registered, .assessment, .casePlan, .serviceProvision] {
            let moved = try protectionCase.transition(to: next, at: now, by: .init("FICTIONAL caseworker A"))
            // Updates are optimistic: send the version read; the store stamps the next one.
            let toSave = try moved.restamped(version: protectionCase.version, updatedAt: now).anyRecord
            try await save(toSave, "the case moves to \(next.rawValue)", operation: .update)
            protectionCase = moved  // what the node now holds
        }

        var seconds = 0.0
        if burst > 0 {
            say("4. A burst of \(burst) changes through the node (member states; only the last line shown)")
            tail.quiet = true
            let clock = ContinuousClock()
            let start = clock.now
            // One connection, requests pipelined (Protocols/node-save.md, Pipelining): a window of
            // unanswered requests, each with its id; the node saves them in the order sent.
            let pipeline = try NodeSavePipeline(endpoint: accept, keys: nil)
            let run = UUID().uuidString.lowercased()
            var requests: [NodeSavePipeline.Request] = []
            for n in 0..<burst {
                let state = try MemberState(id: .init("demo-state-\(n)"), version: 1, createdAt: now, updatedAt: now, country: .init("MA"),
                                            name: .init(fr: "Maroc", en: "Morocco"), status: .member, admittedOn: nil)
                requests.append(.init(id: "\(run)-\(n)", type: .memberState, json: WireCodec.json(state.anyRecord)))
            }
            let replies = try await pipeline.save(requests, timeout: .seconds(30))
            for reply in replies {
                guard case .saved = reply else { throw CommandFailure(.failure, "the node did not save every burst change: \(reply)") }
                sent += 1
            }
            try await tail.waitForLines(sent, timeout: .seconds(60))
            seconds = Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
            if let last = tail.lines.last { say("   subscriber ▸ \(last)") }
        }

        // Stop the subscriber first (it prints its statistics), then the node (clean shutdown).
        tail.interrupt()
        _ = tail.wait(timeout: .seconds(10))
        node.interrupt()
        let nodeStatus = node.wait(timeout: .seconds(20))
        let received = tail.lines.count
        let statistics = tail.errors.split(separator: "\n").last { $0.hasPrefix("iom tail:") }.map(String.init) ?? ""
        let repaired = Self.number(after: "repaired ", in: statistics)
        let gaps = Self.number(after: "gaps ", in: statistics)
        let sequences = tail.lines.compactMap { UInt64($0.split(separator: " ").first ?? "") }
        let contiguous = sequences == Array(1...UInt64(max(sequences.count, 1))).prefix(sequences.count).map { $0 }

        say("")
        say("Summary")
        say("   sent (acknowledged by the node)   \(sent)")
        say("   received by the other process     \(received)\(contiguous ? ", sequences 1…\(received) in order, none doubled" : " — NOT contiguous")")
        say("   gaps detected / changes repaired  \(gaps.map(String.init) ?? "?") / \(repaired.map(String.init) ?? "?")")
        if burst > 0 && seconds > 0 {
            #if DEBUG
            let build = "; a debug build"
            #else
            let build = ""
            #endif
            say("   burst throughput                  \(Int(Double(burst) / seconds)) changes/s end to end (pipelined saves on the node, journal, bus, ZeroMQ, subscriber\(build))")
        }
        say("   node shutdown                     \(nodeStatus == 0 ? "clean (exit 0)" : "exit \(nodeStatus.map(String.init) ?? "none: killed")")")
        guard sent == received, contiguous else {
            throw CommandFailure(.failure, "the subscriber did not receive every change exactly once")
        }
    }

    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func number(after label: String, in text: String) -> Int? {
        guard let range = text.range(of: label) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// The seed mission with another status, as an editing service would send it (the version read).
    private func edited(_ m: Mission, status: MissionStatus, at time: Instant) throws -> Mission {
        try Mission(id: m.id, version: m.version, createdAt: m.createdAt, updatedAt: max(time, m.updatedAt),
                    organisation: m.organisation, name: m.name, country: m.country, presentSince: m.presentSince,
                    chiefOfMission: m.chiefOfMission, thematicAxes: m.thematicAxes, offices: m.offices, status: status)
    }
}

/// A child `iom` process whose output the demo reads line by line.
final class Child: @unchecked Sendable {
    private let process = Process()
    private let state = Mutex<(lines: [String], errors: String, partial: String)>(([], "", ""))
    private let quietFlag = Atomic<Bool>(false)
    private let prefix: String?

    /// Stop echoing lines as they arrive (they are still collected).
    var quiet: Bool {
        get { quietFlag.load(ordering: .relaxed) }
        set { quietFlag.store(newValue, ordering: .relaxed) }
    }

    var lines: [String] { state.withLock { $0.lines } }
    var errors: String { state.withLock { $0.errors } }

    /// Starts this executable with `arguments`; echoes each stdout line with `echo` as a prefix.
    init(_ arguments: [String], echo prefix: String?) throws {
        self.prefix = prefix
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in self?.received(handle.availableData) }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            self?.state.withLock { $0.errors += text }
        }
        do { try process.run() } catch {
            throw CommandFailure(.failure, "cannot start \(process.executableURL!.path) \(arguments.first ?? ""): \(error)")
        }
    }

    private func received(_ data: Data) {
        guard !data.isEmpty else { return }
        let complete: [String] = state.withLock { state in
            state.partial += String(decoding: data, as: UTF8.self)
            var parts = state.partial.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            state.partial = parts.removeLast()
            state.lines += parts
            return parts
        }
        if let prefix, !quiet {
            FileHandle.standardOutput.write(Data(complete.map { prefix + $0 + "\n" }.joined().utf8))
        }
    }

    func waitForLine(prefix: String, timeout: Duration) -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && process.isRunning {
            if let line = lines.first(where: { $0.hasPrefix(prefix) }) { return line }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return lines.first { $0.hasPrefix(prefix) }
    }

    func waitForLines(_ count: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while lines.count < count {
            guard ContinuousClock.now < deadline else {
                throw CommandFailure(.failure, "the subscriber received \(lines.count) of \(count) changes within \(timeout): \(errors)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func interrupt() { if process.isRunning { kill(process.processIdentifier, SIGINT) } }
    func terminate() { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// The exit status, or nil if it did not end within `timeout`.
    func wait(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return process.isRunning ? nil : process.terminationStatus
    }
}
