import Foundation
import Synchronization
import IOMStore
import IOMTestSupport
import Testing

/// A node run by `iom serve` on fixed loopback endpoints, so that it can be stopped and started
/// again where its followers look for it.
final class FixedNode: @unchecked Sendable {
    let store: String
    let events: String
    let sync: String
    let accept: String?
    let extra: [String]
    private(set) var process: IOMProcess?
    private(set) var source = ""
    /// The metrics URL, with --metrics.
    private(set) var metrics: String?

    /// `extra` replaces `--insecure` when it holds `--secret-key`.
    init(store: String, accept: Bool, extra: [String] = []) throws {
        self.store = store
        events = try unusedLoopbackEndpoint()
        sync = try unusedLoopbackEndpoint()
        self.accept = accept ? try unusedLoopbackEndpoint() : nil
        self.extra = extra
    }

    /// Starts `iom serve` and waits for its readiness line.
    func start() throws {
        var arguments = ["serve", "--store", store, "--publish", events, "--replay", sync]
        if !extra.contains("--secret-key") { arguments.append("--insecure") }
        if let accept { arguments += ["--accept", accept] }
        let process = try IOMProcess(arguments + extra)
        let line = try #require(process.line(startingWith: "serving ", timeout: .seconds(60)), "no readiness line: \(process.stderr)")
        source = String(line.split(separator: " ").first { $0.hasPrefix("source=") }?.dropFirst("source=".count) ?? "")
        metrics = line.split(separator: " ").first { $0.hasPrefix("metrics=") }.map { String($0.dropFirst("metrics=".count)) }
        self.process = process
    }

    /// SIGTERM (or `signal`), then waits for the process to end; its exit status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) -> Int32? {
        guard let process else { return nil }
        process.signal(signal)
        let outcome = process.wait(timeout: .seconds(30))
        self.process = nil
        return outcome?.status
    }
}

/// (source, sequence, record id) of every JSON line `iom tail --json` printed.
func printedJSON(_ stdout: String) -> [(String, UInt64, String)] {
    stdout.split(separator: "\n").compactMap { line in
        guard let data = line.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let source = object["source"] as? String, let sequence = (object["sequence"] as? NSNumber)?.uint64Value,
              let record = object["record"] as? String else { return nil }
        return (source, sequence, record)
    }
}

/// Per source, what a tail delivered must be exactly that origin's journal: nothing missing,
/// nothing doubled, in order.
func expectSameAsJournals(_ seen: [(String, UInt64, String)], _ origins: [(source: String, journal: [(UInt64, String)])],
                          _ who: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(Set(seen.map(\.0)) == Set(origins.map(\.source)), "\(who): sources differ", sourceLocation: sourceLocation)
    for origin in origins {
        let mine = seen.filter { $0.0 == origin.source }
        #expect(mine.map(\.1) == origin.journal.map(\.0),
                "\(who): \(mine.count) changes of \(origin.source) printed, its journal has \(origin.journal.count)", sourceLocation: sourceLocation)
        #expect(mine.map(\.2) == origin.journal.map(\.1), "\(who): record ids of \(origin.source) differ", sourceLocation: sourceLocation)
    }
}

/// Issue 17: three mission nodes and a hub following them, as separate `iom` processes on
/// loopback, with `iom tail` on the hub; faults while changes flow.
@Suite("Hub faults across processes", .serialized, .timeLimit(.minutes(10)))
struct HubFaultTests {
    @Test("a mission stopped and restarted, the hub SIGKILLed and restarted, a tail joining late: every origin's journal, once, in order")
    func missionsHubAndTails() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try writeHostKey(directory + "/hub.key")
        let missions = try (0..<3).map { try FixedNode(store: directory + "/mission\($0).sqlite", accept: true) }
        for mission in missions { try mission.start() }
        let follow = missions.flatMap { ["--follow", "\($0.events),\($0.sync)"] }
        let hub = try FixedNode(store: directory + "/hub.sqlite", accept: false, extra: ["--host-key", directory + "/hub.key"] + follow)
        try hub.start()
        let tail = try IOMProcess(["tail", hub.events, "--sync", hub.sync, "--from", "1", "--json", "--insecure", "--timeout", "0"])

        let savers = missions.enumerated().map { Saver(endpoint: $0.element.accept!, prefix: "hub-m\($0.offset)") }
        // The hub is SIGKILLed mid-stream by a thread of its own (not the cooperative pool, which
        // other suites' waits can hold up): once 900 of the 1,500 saves are acknowledged.
        let killed = DispatchSemaphore(value: 0)
        let savedBeforeKill = Mutex(0)
        let hubProcess = try #require(hub.process)
        Thread {
            while savers.map(\.count).reduce(0, +) < 900 { usleep(1000) }
            savedBeforeKill.withLock { $0 = savers.map(\.count).reduce(0, +) }
            hubProcess.signal(SIGKILL)
            killed.signal()
        }.start()
        for saver in savers { saver.start(total: 500, pause: .milliseconds(4)) }
        // A mission stops while the others keep saving (its saver retries until it is back).
        try await eventually("mission 1 had 80 saves acknowledged", timeout: .seconds(60)) { savers[1].count >= 80 }
        #expect(missions[1].stop() == 0)
        try await eventually("the others saved on meanwhile", timeout: .seconds(60)) { savers[0].count >= 150 && savers[2].count >= 150 }
        try missions[1].start()
        // The hub, killed mid-stream, is started again on its store.
        await offPool { killed.wait() }
        hub.stop(SIGKILL)
        try await Task.sleep(for: .milliseconds(300))  // the missions save on while no hub runs
        try hub.start()
        for saver in savers { await offPool { saver.finish() } }
        #expect(savedBeforeKill.withLock { $0 } < 1500, "the hub was killed after the saving ended: no longer mid-stream")
        #expect(savers.map(\.count) == [500, 500, 500])

        var totals: [UInt64] = []
        for mission in missions { totals.append(try await BridgeFaultTests().latestSequence(mission.sync)) }
        let total = Int(totals.reduce(0, +))
        try await eventually("the tail printed all \(total) changes", timeout: .seconds(120)) { printedJSON(tail.stdout).count >= total }
        // A tail that joins late gets everything from the hub alone.
        let late = try IOMProcess(["tail", hub.events, "--sync", hub.sync, "--from", "1", "--json", "--insecure", "--count", "\(total)"])
        let lateOutcome = try #require(await offPool { late.wait(timeout: .seconds(120)) }, "the late tail did not finish")
        #expect(lateOutcome.status == 0, "\(lateOutcome)")

        tail.signal(SIGTERM)
        _ = await offPool { tail.wait() }
        #expect(await offPool { hub.stop() } == 0)
        var origins: [(source: String, journal: [(UInt64, String)])] = []
        for mission in missions {
            #expect(await offPool { mission.stop() } == 0)
            origins.append((mission.source, try await journal(mission.store)))
        }
        expectSameAsJournals(printedJSON(tail.stdout), origins, "the tail running throughout")
        expectSameAsJournals(printedJSON(lateOutcome.stdout), origins, "the late tail")
        // The hub holds each origin under its source: its own source has nothing.
        let held = try await RecordStore.open(StoreConfiguration(location: .file(path: hub.store)))
        #expect(try await held.lastSequence() == 0)
        #expect(Set(try await held.heldSources().map { "\($0.source)" }) == Set(origins.map(\.source)))
        try await held.close()
    }

    @Test("a hub's /metrics has each upstream's lag; /health is 503 naming an upstream silent for 3 heartbeat intervals, 200 once it is back")
    func lagAndHealth() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try writeHostKey(directory + "/hub.key")
        let mission = try FixedNode(store: directory + "/mission.sqlite", accept: true)
        try mission.start()
        let hub = try FixedNode(store: directory + "/hub.sqlite", accept: false,
                                extra: ["--host-key", directory + "/hub.key", "--follow", "\(mission.events),\(mission.sync)", "--metrics", "127.0.0.1:0"])
        try hub.start()
        let base = try #require(hub.metrics, "the hub's readiness line gives metrics=URL")
        let scraper = MetricsEndpointTests()
        let label = "{upstream=\"\(mission.events)\"}"
        func value(_ name: String) async throws -> Double? {
            let body = try await scraper.get(base + "/metrics").body
            return body.split(separator: "\n").first { $0.hasPrefix(name + label + " ") }.flatMap { Double($0.split(separator: " ").last!) }
        }
        func until(_ what: String, _ condition: () async throws -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                if try await condition() { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("timed out waiting for: \(what)")
            throw CancellationError()
        }
        let saved = try iom("save", "mission", "--file", "-", "--node", mission.accept!, "--insecure", stdin: try missionJSON(id: "mission-lag"))
        #expect(saved.status == 0, "\(saved)")
        try await until("the hub committed the 4 changes, connected, nothing behind") {
            let connected = try await value("iom_hub_upstream_connected")
            let behind = try await value("iom_hub_upstream_behind_sequences")
            let since = try await value("iom_hub_upstream_since_last_change_seconds")
            return connected == 1 && behind == 0 && (since ?? -1) >= 0
        }
        #expect(try await value("iom_hub_upstream_silent_seconds").map { $0 >= 0 } == true)
        #expect(try await scraper.get(base + "/health").status == 200)

        #expect(mission.stop() == 0)
        try await until("/health is 503 naming the silent upstream") {
            let health = try await scraper.get(base + "/health")
            return health.status == 503 && health.body.contains(mission.events) && health.body.contains("silent")
        }
        #expect(try await value("iom_hub_upstream_connected") == 0)
        try mission.start()
        try await until("/health is 200 again") { try await scraper.get(base + "/health").status == 200 }
        #expect(hub.stop() == 0)
        #expect(mission.stop() == 0)
    }

    @Test("CURVE on both sides of a hub: the mission admits the hub's key as a service key, the hub admits the tail's")
    func curve() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["mission", "hub", "tail"] {
            let made = try iom("keygen", "--out", directory, "--name", name)
            #expect(made.status == 0, "\(made)")
        }
        try writeHostKey(directory + "/hub-host.key")
        let mission = try FixedNode(store: directory + "/mission.sqlite", accept: false,
                                    extra: ["--secret-key", directory + "/mission.key", "--allow", "service:\(directory)/hub.pub"])
        try mission.start()
        let hub = try FixedNode(store: directory + "/hub.sqlite", accept: false,
                                extra: ["--secret-key", directory + "/hub.key", "--allow", "service:\(directory)/tail.pub",
                                        "--host-key", directory + "/hub-host.key",
                                        "--follow", "\(mission.events),\(mission.sync),\(directory)/mission.pub"])
        try hub.start()
        let total = 3  // the mission's seed records
        let tail = try IOMProcess(["tail", hub.events, "--sync", hub.sync, "--from", "1", "--json", "--count", "\(total)",
                                   "--server-key", directory + "/hub.pub", "--secret-key", directory + "/tail.key"])
        let outcome = try #require(await offPool { tail.wait(timeout: .seconds(60)) }, "the tail did not finish")
        #expect(outcome.status == 0, "\(outcome)")
        #expect(hub.stop() == 0)
        #expect(mission.stop() == 0)
        expectSameAsJournals(printedJSON(outcome.stdout), [(mission.source, try await journal(mission.store))], "the CURVE tail")
    }

    @Test("iom serve --help shows --follow and --metrics; --follow without --host-key, or with --accept, is refused")
    func options() throws {
        let help = try iom("serve", "--help")
        #expect(help.stdout.contains("--follow") && help.stdout.contains("--metrics"))
        let noKey = try iom("serve", "--insecure", "--follow", "tcp://127.0.0.1:1,tcp://127.0.0.1:2")
        #expect(noKey.status != 0 && noKey.stderr.contains("--host-key"), "\(noKey)")
        let bad = try iom("serve", "--insecure", "--follow", "tcp://127.0.0.1:1")
        #expect(bad.status != 0 && bad.stderr.contains("EVENTS,SYNC"), "\(bad)")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try writeHostKey(directory + "/hub.key")
        let accepting = try iom("serve", "--insecure", "--host-key", directory + "/hub.key", "--accept", "tcp://127.0.0.1:*",
                                "--follow", "tcp://127.0.0.1:1,tcp://127.0.0.1:2")
        #expect(accepting.status != 0 && accepting.stderr.contains("--accept"), "\(accepting)")
    }
}
