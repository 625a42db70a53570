import ChangeBus
import Foundation
import IOMBridge
import IOMFixtures
import IOMKit
import IOMStore
import IOMWire
import Testing
import ZeroMQ

@Suite("Malformed input on every receive path", .timeLimit(.minutes(1)))
struct HostileInputTests {
    /// Frames of a valid event of `mission`, sequence `sequence`, from `source`.
    func event(_ sequence: UInt64, source: UUID, mission n: Int) throws -> [[UInt8]] {
        let change = try Change(kind: .created, before: nil, after: .mission(try mission(n)))
        let attributes = """
        specversion=1.0
        id=\(UUID().uuidString.lowercased())
        source=urn:uuid:\(source.uuidString.lowercased())
        type=org.iom.v1.mission.created
        subject=mission-\(n)
        time=2026-11-29T05:41:07.512Z
        datacontenttype=application/protobuf
        dataschema=urn:iom:proto:iom.v1.Change
        sequence=\(String(repeating: "0", count: 20 - String(sequence).count))\(sequence)

        """
        return [Array("iom.v1.mission.created".utf8), Array(attributes.utf8), WireCodec.encode(change)]
    }

    @Test("a subscriber drops, counts and survives garbage, then delivers the next valid event")
    func subscriberSurvivesGarbage() async throws {
        let context = try Context()
        let publisher = try context.socket(.xpub)
        try publisher.bind("tcp://127.0.0.1:*")
        let recorder = try Recorder()
        let subscriber = try BridgeSubscriber.start(
            SubscriberConfiguration(upstreams: [.init(events: try publisher.lastEndpoint, sync: nil)], security: .insecure, start: .beginning),
            bus: recorder.bus)
        // Wait for the subscription to reach the publisher.
        _ = try #require(try publisher.receive(timeout: .seconds(5)))
        let source = UUID()
        let valid = try event(1, source: source, mission: 1)
        let garbage: [[[UInt8]]] = [
            [Array("iom.v1.mission.created".utf8)],                                    // one frame
            [Array("iom.v1.mission.created".utf8), [0xFF, 0x00, 0x0A], valid[2]],       // bad attributes
            [valid[0], valid[1], [0x08, 0x02, 0xFF]],                                  // bad data
            [Array("iom.v1.mission.deleted".utf8), valid[1], valid[2]],                 // topic disagrees
            [valid[0], valid[1], valid[2], [1, 2, 3]],                                 // four frames
            [Array("iom.v1._heartbeat".utf8), Array("latest=x\n".utf8)],               // bad heartbeat
            [Array("iom.v1.".utf8) + [UInt8](repeating: 0x61, count: 300), valid[1], valid[2]],  // long topic
            [valid[0], [UInt8](repeating: 0x61, count: 5000), valid[2]],                // huge attributes
        ]
        for message in garbage { try publisher.send(message) }
        try publisher.send(valid)
        try await eventually("the valid event delivered") { subscriber.delivered(from: SourceID(source)) == 1 }
        #expect(subscriber.statistics.malformedTotal == garbage.count)
        subscriber.stop()
        #expect(await recorder.finish().map(\.sequence) == [1])
    }

    @Test("a burst decoded on 0, 1 or 3 decode threads is delivered in order, with the garbage inside it dropped and counted",
          arguments: [0, 1, 3])
    func burstWithGarbageOnDecodeThreads(threads: Int) async throws {
        let context = try Context()
        let publisher = try context.socket(.xpub)
        try publisher.set(.sendHighWaterMark, 0)
        try publisher.bind("tcp://127.0.0.1:*")
        let recorder = try Recorder()
        var configuration = SubscriberConfiguration(upstreams: [.init(events: try publisher.lastEndpoint, sync: nil)], security: .insecure,
                                                    start: .beginning)
        configuration.receiveHighWaterMark = 0
        configuration.decodeThreads = threads
        let subscriber = try BridgeSubscriber.start(configuration, bus: recorder.bus)
        _ = try #require(try publisher.receive(timeout: .seconds(5)))
        let source = UUID()
        let events = 1_000
        var garbage = 0
        // Sent faster than the subscriber decodes, so it reads them in batches that it splits.
        for sequence in 1...UInt64(events) {
            try publisher.send(try event(sequence, source: source, mission: Int(sequence)))
            if sequence % 7 == 0 {
                var bad = try event(sequence, source: source, mission: Int(sequence))
                bad[2] = [0x08, 0x02, 0xFF]  // undecodable data: dropped, and the good copy was already delivered
                try publisher.send(bad)
                garbage += 1
            }
        }
        try await eventually("\(events) delivered") { subscriber.delivered(from: SourceID(source)) == UInt64(events) }
        #expect(subscriber.statistics.malformedTotal == garbage)
        #expect(subscriber.statistics.duplicates == 0)
        subscriber.stop()
        let delivered = await recorder.finish()
        #expect(delivered.map(\.sequence) == Array(1...UInt64(events)))
        #expect(delivered.map(\.change.recordID) == (1...events).map { "mission-\($0)" })
    }

    @Test("decodeThreads outside 0…64 is refused", arguments: [-1, 65])
    func decodeThreadsOutOfRange(threads: Int) {
        var configuration = SubscriberConfiguration(upstreams: [.init(events: "tcp://127.0.0.1:1", sync: nil)], security: .insecure)
        configuration.decodeThreads = threads
        #expect(throws: BridgeError.self) { _ = try BridgeSubscriber.start(configuration) }
    }

    /// Sends a raw sync request and returns the reply frames (nil when none comes). The wait
    /// happens on the actor's own thread: a blocked test must not hold a cooperative thread
    /// the publisher's store needs.
    func request(_ dealer: SocketActor, _ frames: [[UInt8]], timeout: Duration = .seconds(2)) async throws -> [[UInt8]]? {
        try await dealer.send(frames)
        return try await dealer.receive(timeout: timeout)
    }

    /// A DEALER connected to `node`'s sync endpoint.
    func dealer(_ node: Node, _ context: Context) throws -> SocketActor {
        let dealer = try context.socket(.dealer)
        try dealer.connect(try #require(node.publisher.syncEndpoint))
        return SocketActor(dealer)
    }

    func params(_ frame: [UInt8]) -> [String: String] {
        var result: [String: String] = [:]
        for line in String(decoding: frame, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }

    @Test("the sync endpoint answers bad requests with the §9.5 errors and keeps serving")
    func syncErrors() async throws {
        let node = try await Node.start()
        try await node.save(0..<5)
        let context = try Context()
        let dealer = try dealer(node, context)
        let tag = Array("iom.v1.sync".utf8)
        func code(_ command: String, _ params: String, tag: [UInt8] = tag) async throws -> (String, [String: String]) {
            let reply = try #require(try await request(dealer, [tag, Array(command.utf8), Array("r1".utf8), Array(params.utf8)]),
                                     "no reply to \(command) \(params)")
            return (String(decoding: reply[1], as: UTF8.self), self.params(reply[3]))
        }
        #expect(try await code("INFO", "", tag: Array("iom.v2.sync".utf8)).1["code"] == "UNSUPPORTED_VERSION")
        #expect(try await code("FETCH", "").1["code"] == "BAD_REQUEST")
        #expect(try await code("REPLAY", "from=0\n").1["param"] == "from")
        #expect(try await code("REPLAY", "from=3\nto=2\n").1["param"] == "to")
        #expect(try await code("REPLAY", "from=1\nchunk=5000\n").1["code"] == "TOO_LARGE")
        #expect(try await code("REPLAY", "from=1\nbogus=1\n").1["param"] == "bogus")
        #expect(try await code("SNAPSHOT", "types=mission,unicorn\n").1["param"] == "types")
        #expect(try await code("SNAPSHOT", "not a param line").1["code"] == "BAD_REQUEST")
        // Too short to carry a request id: no reply at all.
        #expect(try await request(dealer, [tag, Array("INFO".utf8)]) == nil)
        let (kind, info) = try await code("INFO", "")
        #expect(kind == "INFO")
        #expect(info["latest"] == "00000000000000000005")
        #expect(info["source"] == "urn:uuid:\(node.iom.store.source)")
        // A replay past the end is not an error.
        let (end, endParams) = try await code("REPLAY", "from=99\n")
        #expect(end == "END" && endParams["count"] == "0")
        #expect(node.publisher.statistics.errors == 8)
        try await node.stop()
    }

    @Test("replay streams in credited chunks and ends with END through/latest/count")
    func replayChunks() async throws {
        let node = try await Node.start()
        try await node.saveConcurrently(0..<50)
        let context = try Context()
        let dealer = try dealer(node, context)
        let tag = Array("iom.v1.sync".utf8)
        try await dealer.send([tag, Array("REPLAY".utf8), Array("q".utf8), Array("from=11\nto=40\nchunk=7\ncredit=2\n".utf8)])
        var sequences: [UInt64] = []
        var chunks = 0
        while true {
            let reply = try #require(try await dealer.receive(timeout: .seconds(5)))
            let kind = String(decoding: reply[1], as: UTF8.self)
            if kind == "END" {
                #expect(params(reply[3])["count"] == "30")
                #expect(params(reply[3])["through"] == "00000000000000000040")
                break
            }
            #expect(kind == "CHANGES")
            chunks += 1
            let items = Array(reply.dropFirst(4))
            #expect(items.count <= 14)
            for i in stride(from: 0, to: items.count, by: 2) {
                sequences.append(UInt64(params(items[i])["sequence"]!)!)
                _ = try WireCodec.decodeChange(items[i + 1])
            }
            // Two chunks of credit: without more, the publisher must stop after two.
            if chunks == 1 { continue }
            if chunks == 2 {
                #expect(try await dealer.receive(timeout: .milliseconds(200)) == nil)
            }
            try await dealer.send([tag, Array("CREDIT".utf8), Array("q".utf8), Array("add=1\n".utf8)])
        }
        #expect(sequences == Array(11...40))
        #expect(chunks == 5)
        try await node.stop()
    }
}
