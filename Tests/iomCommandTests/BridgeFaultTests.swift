import Foundation
import IOMStore
import IOMTestSupport
import Testing
import ZeroMQ

/// Saves missions through a node's accept endpoint (Protocols/node-save.md), one request at a
/// time, from a thread of its own; counts the saves the node acknowledged.
final class Saver: @unchecked Sendable {
    private let endpoint: String
    private let prefix: String
    private let lock = NSLock()
    private var acknowledged = 0
    private var stopped = false
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    init(endpoint: String, prefix: String) {
        self.endpoint = endpoint
        self.prefix = prefix
    }

    var count: Int { lock.withLock { acknowledged } }

    /// Starts saving `total` missions, pacing one every `pause`; failed or unanswered saves
    /// (the node was killed) are retried with the next id, so ids stay unique.
    func start(total: Int, pause: Duration = .milliseconds(2)) {
        let thread = Thread { [self] in
            defer { done.signal() }
            guard let context = try? Context() else { return }
            var socket: Socket?
            var n = 0
            while count < total && !lock.withLock({ stopped }) {
                if socket == nil {
                    socket = try? context.socket(.dealer)
                    try? socket?.set(.linger, .zero)
                    try? socket?.connect(endpoint)
                }
                guard let dealer = socket, let json = try? missionJSON(id: "\(prefix)-\(n)") else { return }
                n += 1
                let request: [[UInt8]] = [[], Array("iom.v1.save".utf8), Array("mission".utf8), Array(json.utf8)]
                if (try? dealer.send(request, timeout: .seconds(2))) == true,
                   let reply = try? dealer.receive(timeout: .seconds(2)), reply.count == 4, reply[2] == Array("OK".utf8) {
                    lock.withLock { acknowledged += 1 }
                } else {
                    socket = nil  // a fresh socket: no late reply to a lost request on the new one
                }
                Thread.sleep(forTimeInterval: Double(pause.components.attoseconds) / 1e18)
            }
            socket = nil
            context.shutdown()
        }
        self.thread = thread
        thread.start()
    }

    /// Waits for the saver to finish (or stops it after `timeout`).
    func finish(timeout: Duration = .seconds(120)) {
        if done.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000))) == .timedOut {
            lock.withLock { stopped = true }
            done.wait()
        }
    }
}

/// Runs a blocking wait (a process, the saver) on a thread of its own, so that it never holds
/// one of the few threads of Swift's cooperative pool that the other tests need.
func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

/// (sequence, record id) of every journal entry of the store at `path`, opened after its node stopped.
func journal(_ path: String) async throws -> [(UInt64, String)] {
    let store = try await RecordStore.open(StoreConfiguration(location: .file(path: path)))
    var entries: [(UInt64, String)] = []
    var next: UInt64 = 1
    while true {
        let page = try await store.journal(from: next, limit: 10_000)
        guard let last = page.last else { break }
        entries += page.map { ($0.sequence, $0.recordID) }
        next = last.sequence + 1
    }
    try await store.close()
    return entries
}

/// (sequence, record id) of every line `iom tail` printed.
func printed(_ stdout: String) -> [(UInt64, String)] {
    stdout.split(separator: "\n").compactMap { line in
        let fields = line.split(separator: " ")
        guard fields.count >= 5, let sequence = UInt64(fields[0]) else { return nil }
        return (sequence, String(fields[4]))
    }
}

/// Nothing missing, nothing doubled, in order: what the subscriber printed is the journal.
func expectSameAsJournal(_ seen: [(UInt64, String)], _ journal: [(UInt64, String)], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(seen.map(\.0) == journal.map(\.0), "printed \(seen.count) changes, the journal has \(journal.count)", sourceLocation: sourceLocation)
    #expect(seen.map(\.1) == journal.map(\.1), "record ids differ from the journal", sourceLocation: sourceLocation)
}

/// Fault tests across processes (issue 6): `iom serve`, `iom tail` and `iom proxy` killed and
/// restarted while changes flow; each ends comparing what the subscriber printed with the
/// publisher's journal.
@Suite("Bridge faults across processes", .serialized, .timeLimit(.minutes(5)))
struct BridgeFaultTests {
    @Test("a subscriber killed (SIGKILL) and restarted from its last sequence misses nothing and doubles nothing")
    func subscriberKilled() async throws {
        let directory = try temporaryDirectory()
        let store = directory + "/node.sqlite"
        let node = try Node(store: store)
        // Changes before the kill, and more after it, so the restarted tail has something to resume.
        let before = Saver(endpoint: node.accept, prefix: "sub-kill-a")
        before.start(total: 300)
        let first = try IOMProcess(["tail", node.events, "--sync", node.sync, "--from", "1", "--insecure"])
        try await eventually("the first tail printed 50 changes", timeout: .seconds(60)) { printed(first.stdout).count >= 50 }
        first.signal(SIGKILL)
        _ = await offPool { first.wait() }
        let printedBefore = printed(first.stdout)
        let resume = (printedBefore.last?.0 ?? 0) + 1
        await offPool { before.finish() }
        let after = Saver(endpoint: node.accept, prefix: "sub-kill-b")
        after.start(total: 300)
        await offPool { after.finish() }
        #expect(before.count + after.count == 600)
        let total = try await latest(node)
        try #require(total >= resume, "nothing left to resume: the node's latest is \(total), the first tail printed up to \(resume - 1)")
        let second = try IOMProcess(["tail", node.events, "--sync", node.sync, "--from", "\(resume)", "--count", "\(total + 1 - resume)",
                                     "--insecure"])
        let outcome = try #require(await offPool { second.wait(timeout: .seconds(60)) }, "the restarted tail did not finish")
        #expect(outcome.status == 0, "\(outcome)")
        let stopped = await offPool { node.stop() }
        #expect(stopped?.status == 0)
        expectSameAsJournal(printedBefore + printed(outcome.stdout), try await journal(store))
    }

    @Test("a publisher killed (SIGKILL) and restarted on its store: the subscriber resumes without loss or duplicates")
    func publisherKilled() async throws {
        let directory = try temporaryDirectory()
        let store = directory + "/node.sqlite"
        let events = try unusedLoopbackEndpoint(), sync = try unusedLoopbackEndpoint(), accept = try unusedLoopbackEndpoint()
        func serve() throws -> IOMProcess {
            let process = try IOMProcess(["serve", "--store", store, "--publish", events, "--replay", sync, "--accept", accept, "--insecure"])
            _ = try #require(process.line(startingWith: "serving "), "no readiness line: \(process.stderr)")
            return process
        }
        var node = try serve()
        let tail = try IOMProcess(["tail", events, "--sync", sync, "--from", "1", "--insecure", "--timeout", "0"])
        let saver = Saver(endpoint: accept, prefix: "pub-kill")
        saver.start(total: 300)
        try await eventually("100 saves acknowledged") { saver.count >= 100 }
        node.signal(SIGKILL)
        _ = await offPool { [node] in node.wait() }
        node = try serve()
        await offPool { saver.finish() }
        #expect(saver.count == 300)
        let total = try await latestSequence(sync)
        try await eventually("the tail printed up to \(total)", timeout: .seconds(60)) { printed(tail.stdout).last?.0 == total }
        tail.signal(SIGTERM)
        _ = await offPool { tail.wait() }
        node.signal(SIGTERM)
        let stopped = await offPool { [node] in node.wait(timeout: .seconds(20)) }
        #expect(stopped?.status == 0)
        expectSameAsJournal(printed(tail.stdout), try await journal(store))
    }

    @Test("a relay (iom proxy) killed and restarted between publisher and subscriber: gaps are repaired from the journal")
    func relayKilled() async throws {
        let directory = try temporaryDirectory()
        let store = directory + "/node.sqlite"
        let node = try Node(store: store)
        let backend = try unusedLoopbackEndpoint()
        func relay() throws -> IOMProcess {
            let process = try IOMProcess(["proxy", "--frontend", node.events, "--backend", backend, "--insecure"])
            _ = try #require(process.line(startingWith: "backend "), "the proxy did not start: \(process.stderr)")
            return process
        }
        var proxy = try relay()
        let tail = try IOMProcess(["tail", backend, "--sync", node.sync, "--from", "1", "--insecure", "--timeout", "0"])
        let saver = Saver(endpoint: node.accept, prefix: "relay-kill")
        saver.start(total: 300)
        try await eventually("100 saves acknowledged") { saver.count >= 100 }
        proxy.signal(SIGKILL)
        _ = await offPool { [proxy] in proxy.wait() }
        try await Task.sleep(for: .milliseconds(200))  // changes published while no relay runs
        proxy = try relay()
        await offPool { saver.finish() }
        #expect(saver.count == 300)
        let total = try await latest(node)
        try await eventually("the tail printed up to \(total)", timeout: .seconds(60)) { printed(tail.stdout).last?.0 == total }
        tail.signal(SIGTERM)
        _ = await offPool { tail.wait() }
        proxy.signal(SIGTERM)
        _ = await offPool { [proxy] in proxy.wait() }
        let stopped = await offPool { node.stop() }
        #expect(stopped?.status == 0)
        expectSameAsJournal(printed(tail.stdout), try await journal(store))
    }

    /// The node's latest journal sequence, asked on its sync endpoint (INFO, bridge.md §9.6).
    func latest(_ node: Node) async throws -> UInt64 { try await latestSequence(node.sync) }

    func latestSequence(_ sync: String) async throws -> UInt64 {
        let context = try Context()
        let dealer = try context.socket(.dealer)
        try dealer.connect(sync)
        let actor = SocketActor(dealer)
        try await actor.send([Array("iom.v1.sync".utf8), Array("INFO".utf8), Array("i".utf8), []])
        let reply = try #require(try await actor.receive(timeout: .seconds(10)), "no INFO reply from \(sync)")
        let line = String(decoding: reply[3], as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("latest=") }
        return try #require(line.flatMap { UInt64($0.dropFirst("latest=".count)) })
    }
}

/// Waits until `condition` holds, polling; fails the test after `timeout`.
func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out after \(timeout) waiting for: \(what)")
    throw CancellationError()
}

// Waited on from `offPool` threads: a Process and its output files may be read from any thread.
extension IOMProcess: @unchecked Sendable {}
extension Node: @unchecked Sendable {}
