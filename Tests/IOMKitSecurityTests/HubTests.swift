import ChangeBus
import Foundation
import IOMDomain
import IOMFixtures
@testable import IOMKit
import IOMStore
import IOMWire
import Testing
import ZeroMQ

/// A fresh mission with its own id (the seed mission's facts).
private func mission(_ suffix: String) throws -> Mission {
    let seed = Seed.moroccoMission
    return try Mission(id: .init("mission-hub-\(suffix)"), version: 1, createdAt: seed.createdAt, updatedAt: seed.updatedAt,
                       organisation: seed.organisation, name: seed.name, country: seed.country,
                       presentSince: seed.presentSince, chiefOfMission: seed.chiefOfMission,
                       thematicAxes: seed.thematicAxes, offices: seed.offices, status: seed.status)
}

/// Waits (polling an observable condition, generously bounded) until `condition` holds.
private func eventually(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting: \(what)")
    throw CancellationError()
}

/// An origin node: a file store with a key ring, publishing in plain text on loopback.
private struct Origin {
    let iom: IOM
    let path: String
    var upstream: HubUpstream {
        HubUpstream(events: iom.publisher!.eventsEndpoint, sync: iom.publisher!.syncEndpoint!, security: .insecure)
    }

    static func open(_ path: String = temporaryPath(), ring: KeyRing = .ephemeral(), events: String = "tcp://127.0.0.1:*",
                     sync: String = "tcp://127.0.0.1:*") async throws -> Origin {
        var configuration = IOMConfiguration(store: .init(location: .file(path: path)))
        configuration.security.keyRing = ring
        configuration.publisher = PublisherConfiguration(events: events, sync: sync, security: .insecure)
        configuration.publisher!.heartbeatInterval = .milliseconds(100)
        let iom = try await IOM.open(configuration)
        Task { try await iom.run() }  // the host's ServiceGroup, in a test: its publisher sends until iom.close()
        return Origin(iom: iom, path: path)
    }
}

/// A hub on its own file store with its own key ring.
private func openHub(_ path: String, ring: KeyRing, upstreams: [HubUpstream]) async throws -> (IOM, IOMHub, Task<Void, any Error>) {
    let iom = try await openFileKit(path, ring: ring)
    var publisher = PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .insecure)
    publisher.heartbeatInterval = .milliseconds(100)
    let hub = try await iom.startHub(upstreams: upstreams, publisher: publisher)
    let running = Task { try await hub.run() }
    return (iom, hub, running)
}

private func close(_ iom: IOM, _ hub: IOMHub, _ running: Task<Void, any Error>) async throws {
    hub.stop()
    try await running.value
    try await iom.close()
}

/// What a downstream subscriber of the hub delivered, per source, in order.
private final class Delivered: @unchecked Sendable {
    private let lock = NSLock()
    private var changes: [SourceID: [(UInt64, UUID, Date)]] = [:]
    func add(_ change: CommittedChange) { lock.withLock { changes[change.source, default: []].append((change.sequence, change.changeID, change.time)) } }
    var all: [SourceID: [(UInt64, UUID, Date)]] { lock.withLock { changes } }
    func count(_ source: SourceID) -> Int { lock.withLock { changes[source]?.count ?? 0 } }
}

@Suite("Hub: a node that durably follows others and publishes their changes onward", .serialized, .timeLimit(.minutes(5)))
struct HubTests {
    @Test("changes of two origins are held under their source, sequence, id and time, and reach a downstream subscriber as from the origin")
    func followsAndForwards() async throws {
        let a = try await Origin.open(), b = try await Origin.open()
        let hubPath = temporaryPath()
        defer { for path in [a.path, b.path, hubPath] { removeFiles(path) } }
        let (hubKit, hub, running) = try await openHub(hubPath, ring: .ephemeral(), upstreams: [a.upstream, b.upstream])

        let downstream = try BridgeSubscriber.start(SubscriberConfiguration(
            upstreams: [.init(events: hub.publisher.eventsEndpoint, sync: hub.publisher.syncEndpoint)], security: .insecure, start: .beginning))
        let delivered = Delivered()
        let changes = try downstream.changes()
        let reading = Task { for try await change in changes { delivered.add(change) } }

        for i in 0..<30 { try await a.iom.missions.create(try mission("a\(i)")) }
        for i in 0..<20 { try await b.iom.missions.create(try mission("b\(i)")) }
        // The hub held a case too: a caseworker's save at origin A.
        try await a.iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).create(try makeCase(1))

        let sa = a.iom.store.source, sb = b.iom.store.source
        try await eventually("the downstream subscriber has 31 + 20 changes") { delivered.count(sa) == 31 && delivered.count(sb) == 20 }
        for origin in [a, b] {
            let journal = try await origin.iom.store.journal(from: 1)
            let got = delivered.all[origin.iom.store.source] ?? []
            #expect(got.map(\.0) == journal.map(\.sequence))
            #expect(got.map(\.1) == journal.map(\.changeID))
            #expect(got.map { Int64($0.2.timeIntervalSince1970 * 1000) } == journal.map { Int64($0.time.timeIntervalSince1970 * 1000) })
            let held = try await hubKit.store.journal(of: origin.iom.store.source, from: 1)
            #expect(held.map(\.changeID) == journal.map(\.changeID))
        }
        // The hub's own source stays empty; both origins are held.
        #expect(try await hubKit.store.lastSequence() == 0)
        #expect(Set(try await hubKit.store.heldSources().map(\.source)) == [sa, sb])
        // The hub's lag: nothing behind, both upstreams heard from.
        try await eventually("both upstreams connected, nothing behind") {
            hub.lag.allSatisfy { $0.connected && $0.behind == 0 } && hub.upstreamProblem == nil
        }
        changes.cancel()
        reading.cancel()
        downstream.stop()
        try await close(hubKit, hub, running)
        try await a.iom.close()
        try await b.iom.close()
    }

    @Test("a restarted hub resumes each source from what it committed; an origin that was offline is caught up when it returns")
    func resumesAfterRestart() async throws {
        let a = try await Origin.open()
        var b = try await Origin.open()
        let bPath = b.path
        let bEvents = b.iom.publisher!.eventsEndpoint, bSync = b.iom.publisher!.syncEndpoint!
        let hubPath = temporaryPath(), ring = KeyRing.ephemeral()
        defer { for path in [a.path, bPath, hubPath] { removeFiles(path) } }
        var (hubKit, hub, running) = try await openHub(hubPath, ring: ring, upstreams: [a.upstream, b.upstream])
        for i in 0..<10 { try await a.iom.missions.create(try mission("a\(i)")) }
        for i in 0..<10 { try await b.iom.missions.create(try mission("b\(i)")) }
        try await eventually("the hub holds 10 + 10") {
            try await hubKit.store.heldSources().map(\.lastSequence) == [10, 10]
        }
        try await close(hubKit, hub, running)
        // While the hub is down, A saves more; B goes offline too and comes back on the same endpoints.
        for i in 10..<25 { try await a.iom.missions.create(try mission("a\(i)")) }
        try await b.iom.close()
        (hubKit, hub, running) = try await openHub(hubPath, ring: ring, upstreams: [a.upstream, HubUpstream(events: bEvents, sync: bSync, security: .insecure)])
        try await eventually("the restarted hub caught A up") { try await hubKit.store.lastSequence(of: a.iom.store.source) == 25 }
        b = try await Origin.open(bPath, events: bEvents, sync: bSync)
        for i in 10..<15 { try await b.iom.missions.create(try mission("b\(i)")) }
        try await eventually("B caught up after it returned") { try await hubKit.store.lastSequence(of: b.iom.store.source) == 15 }
        for origin in [a, b] {
            let journal = try await origin.iom.store.journal(from: 1)
            #expect(try await hubKit.store.journal(of: origin.iom.store.source, from: 1).map(\.changeID) == journal.map(\.changeID))
        }
        #expect(try await hubKit.store.lastHeldPosition() == 40)  // nothing held twice
        try await close(hubKit, hub, running)
        try await a.iom.close()
        try await b.iom.close()
    }

    @Test("an upstream that comes back with a new source (its store lost) is followed as a new source; the old one stays held and served")
    func newSourceID() async throws {
        var a = try await Origin.open()
        let aPath = a.path
        let events = a.iom.publisher!.eventsEndpoint, sync = a.iom.publisher!.syncEndpoint!
        let hubPath = temporaryPath()
        defer { removeFiles(aPath); removeFiles(hubPath) }
        let (hubKit, hub, running) = try await openHub(hubPath, ring: .ephemeral(), upstreams: [a.upstream])
        for i in 0..<5 { try await a.iom.missions.create(try mission("old\(i)")) }
        let old = a.iom.store.source
        try await eventually("the hub holds the old source") { try await hubKit.store.lastSequence(of: old) == 5 }
        try await a.iom.close()
        removeFiles(aPath)  // the mission's store is lost
        a = try await Origin.open(aPath, events: events, sync: sync)
        let new = a.iom.store.source
        #expect(new != old)
        for i in 0..<3 { try await a.iom.missions.create(try mission("new\(i)")) }
        try await eventually("the hub follows the new source from 1") { try await hubKit.store.lastSequence(of: new) == 3 }
        #expect(try await hubKit.store.lastSequence(of: old) == 5)
        #expect(try await hubKit.store.snapshot(of: old).records.count == 5)  // the only copy left of the old store

        // A downstream subscriber that joins late gets both sources from the hub.
        let downstream = try BridgeSubscriber.start(SubscriberConfiguration(
            upstreams: [.init(events: hub.publisher.eventsEndpoint, sync: hub.publisher.syncEndpoint)], security: .insecure, start: .beginning))
        let delivered = Delivered()
        let changes = try downstream.changes()
        let reading = Task { for try await change in changes { delivered.add(change) } }
        try await eventually("late joiner has 5 old + 3 new") { delivered.count(old) == 5 && delivered.count(new) == 3 }
        changes.cancel()
        reading.cancel()
        downstream.stop()
        try await close(hubKit, hub, running)
        try await a.iom.close()
    }

    @Test("a case is sealed at rest under the hub's keys; deleted at its origin, it is shredded at the hub and the tombstone forwarded; no file holds its identifying values")
    func erasurePropagates() async throws {
        let a = try await Origin.open()
        let hubPath = temporaryPath(), ring = KeyRing.ephemeral()
        defer { removeFiles(a.path); removeFiles(hubPath) }
        let (hubKit, hub, running) = try await openHub(hubPath, ring: ring, upstreams: [a.upstream])
        let downstream = try BridgeSubscriber.start(SubscriberConfiguration(
            upstreams: [.init(events: hub.publisher.eventsEndpoint, sync: hub.publisher.syncEndpoint)], security: .insecure, start: .beginning))
        let received = Collected()
        let changes = try downstream.changes()
        let reading = Task { for try await change in changes { received.add(change) } }

        let cases = a.iom.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement)
        try await cases.create(try makeCase(1, retention: try .init(year: 2024, month: 1, day: 1)))
        try await cases.create(try makeCase(2))
        let source = a.iom.store.source
        try await eventually("the hub holds both cases") { try await hubKit.store.lastSequence(of: source) == 2 }
        // Held sealed: the hub's files never hold the identifying values in clear, yet its full view opens them.
        try await eventually("the downstream full view has case 1 with its identifying data") {
            received.all.contains { $0.change.recordID == "case-sec-1" && $0.change.after?.typed(as: ProtectionCase.self)?.identifying != nil }
        }
        for (path, bytes) in fileBytes(hubPath) + fileBytes(hubPath + ".security.sqlite") {
            for secret in secrets { #expect(!contains(bytes, secret), "\(secret) in \(path)") }
        }

        let lead = a.iom.protectionCases(as: .supervisor("sup-1"), purpose: .retention)
        try await lead.delete(try .init("case-sec-1"), now: Date(timeIntervalSince1970: 1_800_000_000))
        try await eventually("the hub holds the deletion") { try await hubKit.store.lastSequence(of: source) == 3 }
        #expect(try hubKit.security.caseKeys.isShredded("case-sec-1"))
        #expect(try !hubKit.security.caseKeys.isShredded("case-sec-2"))
        #expect(try await hubKit.store.snapshot(of: source).records.map(\.id) == ["case-sec-2"])
        // The tombstone is kept and forwarded; the held creation no longer opens.
        let held = try await hubKit.store.journal(of: source, from: 1)
        #expect(held.last?.kind == .deleted)
        let sealer = CaseSealer(vault: hubKit.security.caseKeys)
        #expect(try WireCodec.decodeChange(held[0].payload, openingWith: sealer).after?.typed(as: ProtectionCase.self)?.identifying == nil)
        try await eventually("the downstream subscriber got the tombstone") {
            received.all.contains { $0.change.recordID == "case-sec-1" && $0.change.kind == .deleted }
        }
        // A late joiner replaying from the hub gets case 1 without its identifying data.
        let late = try BridgeSubscriber.start(SubscriberConfiguration(
            upstreams: [.init(events: hub.publisher.eventsEndpoint, sync: hub.publisher.syncEndpoint)], security: .insecure, start: .beginning))
        let lateReceived = Collected()
        let lateChanges = try late.changes()
        let lateReading = Task { for try await change in lateChanges { lateReceived.add(change) } }
        try await eventually("the late joiner replayed all 3") { lateReceived.all.count == 3 }
        let replayedCreation = try #require(lateReceived.all.first { $0.change.recordID == "case-sec-1" && $0.change.kind == .created })
        #expect(replayedCreation.change.after?.typed(as: ProtectionCase.self)?.identifying == nil)
        #expect(lateReceived.all.first { $0.change.recordID == "case-sec-2" }?.change.after?.typed(as: ProtectionCase.self)?.identifying != nil)

        lateChanges.cancel(); lateReading.cancel(); late.stop()
        changes.cancel(); reading.cancel(); downstream.stop()
        try await close(hubKit, hub, running)
        try await a.iom.close()
        // Afterwards, at rest: no file of the hub holds an identifying value of either case.
        for (path, bytes) in fileBytes(hubPath) + fileBytes(hubPath + ".security.sqlite") {
            for secret in secrets { #expect(!contains(bytes, secret), "\(secret) in \(path)") }
            #expect(!containsBytes(bytes, birthDateBytes), "birth date in \(path)")
        }
    }

    @Test("a hub without a key ring, or without upstreams, is refused")
    func refused() async throws {
        let iom = try await IOM.open(IOMConfiguration(store: .init(location: .inMemory)))  // no key ring
        let publisher = PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .insecure)
        await #expect(throws: IOMError.self) {
            _ = try await iom.startHub(upstreams: [HubUpstream(events: "tcp://127.0.0.1:1", sync: "tcp://127.0.0.1:2", security: .insecure)],
                                       publisher: publisher)
        }
        try await iom.close()
        let path = temporaryPath()
        defer { removeFiles(path) }
        let keyed = try await openFileKit(path, ring: .ephemeral())
        await #expect(throws: IOMError.self) { _ = try await keyed.startHub(upstreams: [], publisher: publisher) }
        try await keyed.close()
    }
}

private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [CommittedChange] = []
    func add(_ change: CommittedChange) { lock.withLock { items.append(change) } }
    var all: [CommittedChange] { lock.withLock { items } }
}

@Suite("Hub: views", .serialized, .timeLimit(.minutes(5)))
struct HubViewTests {
    @Test("a hub whose key gets the redacted view upstream holds no identifying data, and so cannot give any, even on a full endpoint")
    func holdsOnlyItsView() async throws {
        let path = temporaryPath(), hubPath = temporaryPath()
        defer { removeFiles(path); removeFiles(hubPath) }
        var configuration = IOMConfiguration(store: .init(location: .file(path: path)))
        configuration.security.keyRing = .ephemeral()
        configuration.publisher = PublisherConfiguration(events: "tcp://127.0.0.1:*", sync: "tcp://127.0.0.1:*", security: .insecure, view: .redacted)
        let origin = try await IOM.open(configuration)
        Task { try await origin.run() }  // its publisher sends until origin.close()
        let (hubKit, hub, running) = try await openHub(hubPath, ring: .ephemeral(), upstreams: [
            HubUpstream(events: origin.publisher!.eventsEndpoint, sync: origin.publisher!.syncEndpoint!, security: .insecure),
        ])
        try await origin.protectionCases(as: .caseworker("cw-1"), purpose: .caseManagement).create(try makeCase(1))
        try await eventually("the hub holds the case") { try await hubKit.store.lastSequence(of: origin.store.source) == 1 }
        let downstream = try BridgeSubscriber.start(SubscriberConfiguration(
            upstreams: [.init(events: hub.publisher.eventsEndpoint, sync: hub.publisher.syncEndpoint)], security: .insecure, start: .beginning))
        let received = Collected()
        let changes = try downstream.changes()
        let reading = Task { for try await change in changes { received.add(change) } }
        try await eventually("the downstream full view has the case") { received.all.count == 1 }
        let held = try #require(received.all.first?.change.after?.typed(as: ProtectionCase.self))
        #expect(held.identifying == nil)
        #expect(held.status == .registered)
        changes.cancel(); reading.cancel(); downstream.stop()
        try await close(hubKit, hub, running)
        try await origin.close()
        for (file, bytes) in fileBytes(hubPath) + fileBytes(hubPath + ".security.sqlite") {
            for secret in secrets { #expect(!contains(bytes, secret), "\(secret) in \(file)") }
        }
    }
}

/// Runs blocking socket work on a thread of its own, off Swift's cooperative pool.
private func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// The params frame of a sync reply, as a dictionary.
private func params(_ frame: [UInt8]) -> [String: String] {
    var result: [String: String] = [:]
    for line in String(decoding: frame, as: UTF8.self).split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1)
        if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
    }
    return result
}

@Suite("Hub: its sync endpoint serves every source it holds", .serialized, .timeLimit(.minutes(5)))
struct HubSyncTests {
    @Test("INFO lists the held sources; SNAPSHOT and REPLAY take source; a source not held is BAD_REQUEST param=source")
    func syncPerSource() async throws {
        let a = try await Origin.open(), b = try await Origin.open()
        let hubPath = temporaryPath()
        defer { for path in [a.path, b.path, hubPath] { removeFiles(path) } }
        let (hubKit, hub, running) = try await openHub(hubPath, ring: .ephemeral(), upstreams: [a.upstream, b.upstream])
        for i in 0..<4 { try await a.iom.missions.create(try mission("sa\(i)")) }
        for i in 0..<2 { try await b.iom.missions.create(try mission("sb\(i)")) }
        let sa = a.iom.store.source, sb = b.iom.store.source
        try await eventually("the hub holds 4 + 2") {
            let (la, lb) = (try await hubKit.store.lastSequence(of: sa), try await hubKit.store.lastSequence(of: sb))
            return la == 4 && lb == 2
        }
        let endpoint = try #require(hub.publisher.syncEndpoint)
        let tag = Array("iom.v1.sync".utf8)
        let replies: [[[UInt8]]] = try await offPool {
            let context = try Context()
            defer { context.shutdown() }
            let dealer = try context.socket(.dealer)
            try dealer.set(.linger, .zero)
            try dealer.connect(endpoint)
            var replies: [[[UInt8]]] = []
            func ask(_ command: String, _ id: String, _ params: String) throws {
                try dealer.send([tag, Array(command.utf8), Array(id.utf8), Array(params.utf8)])
                while let reply = try dealer.receive(timeout: .seconds(20)) {
                    replies.append(reply)
                    let kind = String(decoding: reply[1], as: UTF8.self)
                    if kind != "RECORDS" && kind != "CHANGES" { return }
                }
            }
            try ask("INFO", "i", "")
            try ask("SNAPSHOT", "s", "source=urn:uuid:\(sa)\n")
            try ask("REPLAY", "r", "source=urn:uuid:\(sb)\nfrom=1\n")
            try ask("REPLAY", "x", "source=urn:uuid:\(SourceID(UUID()))\nfrom=1\n")
            return replies
        }
        func kind(_ reply: [[UInt8]]) -> String { String(decoding: reply[1], as: UTF8.self) }
        func id(_ reply: [[UInt8]]) -> String { String(decoding: reply[2], as: UTF8.self) }

        let info = try #require(replies.first { id($0) == "i" })
        #expect(kind(info) == "INFO" && params(info[3])["sources"] == "2")
        #expect(params(info[3])["source"] == "urn:uuid:\(hubKit.store.source)")  // its own, empty
        let held = Dictionary(uniqueKeysWithValues: info.dropFirst(4).map { frame in
            let p = params(frame)
            return (p["source"] ?? "?", (p["latest"] ?? "?", p["oldest"] ?? "?"))
        })
        #expect(held["urn:uuid:\(sa)"]?.0 == "00000000000000000004" && held["urn:uuid:\(sa)"]?.1 == "00000000000000000001")
        #expect(held["urn:uuid:\(sb)"]?.0 == "00000000000000000002")

        let snapshot = replies.filter { id($0) == "s" }
        #expect(snapshot.filter { kind($0) == "RECORDS" }.reduce(0) { $0 + $1.count - 4 } == 4)
        let snapshotEnd = try #require(snapshot.last)
        #expect(kind(snapshotEnd) == "END" && params(snapshotEnd[3])["source"] == "urn:uuid:\(sa)"
                && params(snapshotEnd[3])["sequence"] == "00000000000000000004")

        let replay = replies.filter { id($0) == "r" }
        let items = replay.filter { kind($0) == "CHANGES" }.flatMap { Array($0.dropFirst(4)) }
        #expect(items.count == 4)  // 2 changes: attributes + data each
        #expect(params(items[0])["source"] == "urn:uuid:\(sb)" && params(items[0])["sequence"] == "00000000000000000001")
        let replayEnd = try #require(replay.last)
        #expect(kind(replayEnd) == "END" && params(replayEnd[3])["source"] == "urn:uuid:\(sb)" && params(replayEnd[3])["latest"] == "00000000000000000002")

        let unknown = try #require(replies.first { id($0) == "x" })
        #expect(kind(unknown) == "ERROR" && params(unknown[3])["code"] == "BAD_REQUEST" && params(unknown[3])["param"] == "source")

        try await close(hubKit, hub, running)
        try await a.iom.close()
        try await b.iom.close()
    }
}
