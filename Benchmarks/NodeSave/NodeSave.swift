// Node-save benchmarks (Protocols/node-save.md): records saved through a running node over tcp
// loopback, beside the same records saved into a local store, in one suite and one run.
//
// NodeSave/pipelined/IOMKit         one DEALER client, identified requests, 1024 unanswered at most
// NodeSave/pipelined-curve/IOMKit   the same with CURVE (the node's default security)
// NodeSave/sequential/IOMKit        one request at a time (a REQ client of the first IOM-SAVE/1)
// NodeSave/local-batched/IOMStore   the same records' changes into a local RecordStore, 64 savers
// NodeSave/local-batched/IOMKit     the same records through a local IOMKit's repository, 64 savers
//
// The node is the built `iom serve` binary (IOM_BINARY, or `iom` beside this executable: build
// both with `swift build -c release`), run as a child process on a store file in a temporary
// directory with its default durability (processCrash: WAL, synchronous=NORMAL). Running the real
// binary measures what a deployment gets — the command's socket loop, its logging setup, process
// boundaries — and keeps the node's server code in the `iom` target, where it belongs.
import Benchmark
import Foundation
import IOMDomain
import IOMKit
import IOMStore
import IOMWire
import ZeroMQ

let saversCount = 64
/// Unanswered requests of the pipelining client: the node's window (`Protocols/node-save.md`),
/// or `NODESAVE_WINDOW` (to measure a node built with a smaller one: a BUSY answer stops the run).
let window = ProcessInfo.processInfo.environment["NODESAVE_WINDOW"].flatMap(Int.init) ?? 1024

/// Holds what a benchmark opened in its setup hook.
final class Fixture<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?
    private var counter = 0
    func set(_ new: Value?) { lock.lock(); value = new; lock.unlock() }
    var current: Value { lock.lock(); defer { lock.unlock() }; return value! }
    /// Reserves `count` fresh record numbers.
    func reserve(_ count: Int) -> Int { lock.lock(); defer { lock.unlock() }; counter += count; return counter - count }
}

func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("iom-nodesave-bench-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

// MARK: - The records (member states; the same facts on both sides)

let now = Instant(millisecondsSince1970: 1_700_000_000_000)

func memberState(_ n: Int) -> MemberState {
    try! MemberState(id: .init("bench-state-\(n)"), version: 1, createdAt: now, updatedAt: now, country: .init("MA"),
                     name: .init(fr: "Maroc", en: "Morocco"), status: .member, admittedOn: nil)
}

/// The JSON of record `n`, made by splicing the id into a template (cheap, outside SQLite's way).
struct JSONTemplate: Sendable {
    let prefix: [UInt8]
    let suffix: [UInt8]
    init() {
        let json = WireCodec.json(memberState(0).anyRecord)
        let marker = "bench-state-0"
        let range = json.range(of: marker)!
        prefix = Array(json[..<range.lowerBound].utf8) + Array("bench-state-".utf8)
        suffix = Array(json[range.upperBound...].utf8)
    }
    func json(_ n: Int) -> [UInt8] { prefix + Array(String(n).utf8) + suffix }
}

// MARK: - The node

/// `iom serve` as a child process on a fresh store; its accept endpoint from its first line.
final class NodeProcess: @unchecked Sendable {
    let process = Process()
    let directory = temporaryDirectory()
    var accept = ""
    /// With CURVE: the client's key pair and the node's public key.
    var keys: (client: CurveKeyPair, server: CurveKey)?

    init(curve: Bool) throws {
        let binary = ProcessInfo.processInfo.environment["IOM_BINARY"]
            // The running executable's own path: under `swift package benchmark` the first
            // argument is only the suite's name, relative to nothing.
            ?? URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0]).resolvingSymlinksInPath()
                .deletingLastPathComponent().appendingPathComponent("iom").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            fatalError("the iom binary is not at \(binary): build it (swift build -c release) or set IOM_BINARY")
        }
        var arguments = ["serve", "--store", directory + "/node.sqlite", "--publish", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*",
                         "--accept", "tcp://127.0.0.1:*", "--no-seed", "--log-level", "warning"]
        if curve {
            let node = try CurveKeyPair.generate(), client = try CurveKeyPair.generate()
            _ = try CurveKeyFile.write(node, directory: directory, name: "node")
            _ = try CurveKeyFile.write(client, directory: directory, name: "client")
            arguments += ["--secret-key", directory + "/node.key", "--allow", "service:" + directory + "/client.pub"]
            keys = (client, node.publicKey)
        } else {
            arguments.append("--insecure")
        }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // The readiness line: "serving events=… sync=… accept=… source=…".
        var text = ""
        while !text.contains("\n") {
            let data = stdout.fileHandleForReading.availableData
            guard !data.isEmpty else { fatalError("iom serve ended before it was ready") }
            text += String(decoding: data, as: UTF8.self)
        }
        let line = text.split(separator: "\n")[0]
        accept = line.split(separator: " ").first { $0.hasPrefix("accept=") }.map { String($0.dropFirst(7)) } ?? ""
    }

    func stop() {
        process.interrupt()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// One DEALER connection to the node, on its own thread: a client streaming saves, which keeps
/// its window of unanswered requests full from one measured batch to the next (a batch ends when
/// its count of answers arrived, not when the connection is idle).
final class Client: Sendable {
    private let socket: SocketActor
    private let template = JSONTemplate()
    /// Requests sent and answered so far; used on the socket's thread only.
    private let progress = Counts()

    private final class Counts: @unchecked Sendable {
        var sent = 0
        var answered = 0
    }

    init(_ node: NodeProcess) throws {
        let context = try Context()
        let socket = try context.socket(.dealer)
        try socket.set(.linger, .zero)
        try socket.set(.sendHighWaterMark, 10_000)
        try socket.set(.receiveHighWaterMark, 10_000)
        if let keys = node.keys {
            try socket.set(.curveServerKey, keys.server)
            try socket.set(.curvePublicKey, keys.client.publicKey)
            try socket.set(.curveSecretKey, keys.client.secretKey)
        }
        try socket.connect(node.accept)
        self.socket = SocketActor(socket, name: "bench.nodesave.client")
    }

    /// Waits for `count` more answers, keeping `inFlight` requests unanswered meanwhile (new
    /// records, numbered on from the last); checks every answer is OK.
    func save(count: Int, inFlight: Int, identified: Bool) async throws {
        let (template, progress) = (self.template, self.progress)
        try await socket.withSocket { socket in
            let tag = Array("iom.v1.save".utf8), type = Array("memberState".utf8), ok = Array("OK".utf8)
            let target = progress.answered + count
            while progress.answered < target {
                while progress.sent - progress.answered < inFlight {
                    var message: [[UInt8]] = [[], tag, type, template.json(progress.sent)]
                    if identified { message.append(Array("id=b-\(progress.sent)\n".utf8)) }
                    try socket.send(message)
                    progress.sent += 1
                }
                var wait: Wait = .until(.seconds(30))
                while let reply = try socket.receive(wait: wait) {
                    guard reply.count == 4, reply[2] == ok else {
                        fatalError("the node refused a record: \(reply.count > 3 ? String(decoding: reply[3], as: UTF8.self) : "\(reply.count) frames")")
                    }
                    progress.answered += 1
                    wait = .never
                    if progress.answered == target { break }
                }
                if wait != .never { fatalError("the node answered nothing for 30 s") }
            }
        }
    }
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    let throughput = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .cpuTotal], scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 200)

    for (name, curve, inFlight, identified) in [("pipelined", false, window, true), ("pipelined-curve", true, window, true),
                                                ("sequential", false, 1, false)] {
        let node = Fixture<(NodeProcess, Client)>()
        var configuration = throughput
        if inFlight == 1 { configuration.scalingFactor = .one; configuration.maxIterations = 20_000 }
        configuration.setup = {
            let process = try NodeProcess(curve: curve)
            node.set((process, try Client(process)))
        }
        configuration.teardown = { node.current.0.stop(); node.set(nil) }
        Benchmark("NodeSave/\(name)/IOMKit", configuration: configuration) { benchmark async in
            let count = benchmark.scaledIterations.count
            try! await node.current.1.save(count: count, inFlight: inFlight, identified: identified)
        }
    }

    // The peers: the same records saved locally by 64 concurrent savers, same durability.
    let store = Fixture<(RecordStore, String)>()
    var storeConfiguration = throughput
    storeConfiguration.setup = {
        let directory = temporaryDirectory()
        store.set((try await RecordStore.open(StoreConfiguration(location: .file(path: directory + "/store.sqlite"))), directory))
    }
    storeConfiguration.teardown = {
        try await store.current.0.close()
        try? FileManager.default.removeItem(atPath: store.current.1)
        store.set(nil)
    }
    Benchmark("NodeSave/local-batched/IOMStore", configuration: storeConfiguration) { benchmark async in
        let count = benchmark.scaledIterations.count, base = store.reserve(count), target = store.current.0
        await withTaskGroup(of: Void.self) { group in
            for saver in 0..<saversCount {
                group.addTask {
                    var n = saver
                    while n < count {
                        let record = memberState(base + n).anyRecord
                        let change = try! Change(kind: .created, before: nil, after: record)
                        _ = try! await target.apply(.create(type: "memberState", id: record.recordID, payload: WireCodec.encode(change)))
                        n += saversCount
                    }
                }
            }
        }
    }

    let kit = Fixture<(IOM, String)>()
    var kitConfiguration = throughput
    kitConfiguration.setup = {
        let directory = temporaryDirectory()
        kit.set((try await IOM.open(IOMConfiguration(store: StoreConfiguration(location: .file(path: directory + "/store.sqlite")))), directory))
    }
    kitConfiguration.teardown = {
        try await kit.current.0.close()
        try? FileManager.default.removeItem(atPath: kit.current.1)
        kit.set(nil)
    }
    Benchmark("NodeSave/local-batched/IOMKit", configuration: kitConfiguration) { benchmark async in
        let count = benchmark.scaledIterations.count, base = kit.reserve(count), iom = kit.current.0
        await withTaskGroup(of: Void.self) { group in
            for saver in 0..<saversCount {
                group.addTask {
                    var n = saver
                    while n < count {
                        _ = try! await iom.memberStates.save(memberState(base + n))
                        n += saversCount
                    }
                }
            }
        }
    }
}
