import Foundation
import IOMBridge
import IOMDomain
import IOMFixtures
import IOMStore
import IOMWire
import Testing
import ZeroMQ

/// The fuzzing entry points (`BridgeFuzzing`, used by the `IOMFuzz` libFuzzer target) give the
/// subscriber's verdict on good and bad messages, and inputs the fuzzer found stay fixed.
@Suite("Fuzzing entry points and fuzzer regressions", .timeLimit(.minutes(1)))
struct FuzzRegressionTests {
    static let source = "urn:uuid:6f1c2b1e-1d7a-4c55-9e0b-3a7f4d2c9b10"
    static let syncTag = Array("iom.v1.sync".utf8)

    /// The three frames of a valid `mission.created` event of the seed mission.
    static func missionEvent(sequence: String = "00000000000000000001", subject: String = "mission-ma") throws -> [[UInt8]] {
        let change = try Change(kind: .created, before: nil, after: Seed.moroccoMission.anyRecord)
        return [Array("iom.v1.mission.created".utf8), Array(eventAttributes(sequence: sequence, subject: subject).utf8), WireCodec.encode(change)]
    }

    static func eventAttributes(sequence: String = "00000000000000000001", subject: String = "mission-ma") -> String {
        """
        specversion=1.0
        id=0b7c6a1e-2f3d-4e5a-8b9c-000000000001
        source=\(source)
        type=org.iom.v1.mission.created
        subject=\(subject)
        time=2017-07-24T09:30:00.000Z
        datacontenttype=application/protobuf
        dataschema=urn:iom:proto:iom.v1.Change
        sequence=\(sequence)

        """
    }

    // MARK: Events messages

    @Test("a valid event, heartbeat, withheld marker and unknown topic are accepted")
    func acceptsValidEventsMessages() throws {
        #expect(BridgeFuzzing.decodeEventsMessage(try Self.missionEvent()) == nil)
        let heartbeat = "source=\(Self.source)\nlatest=00000000000000000042\noldest=00000000000000000001\ninterval=1000\n"
        #expect(BridgeFuzzing.decodeEventsMessage([Array("iom.v1._heartbeat".utf8), Array(heartbeat.utf8)]) == nil)
        let withheld = "source=\(Self.source)\nsequence=00000000000000000007\nreason=view\n"
        #expect(BridgeFuzzing.decodeEventsMessage([Array("iom.v1._withheld".utf8), Array(withheld.utf8)]) == nil)
        #expect(BridgeFuzzing.decodeEventsMessage([Array("iom.v1.futureType.created".utf8), Array(withheld.utf8), [1, 2]]) == nil)
        #expect(BridgeFuzzing.decodeEventsMessage([Array("iom.v1._future".utf8)]) == nil)  // reserved: ignored
    }

    @Test("bad events messages are refused with the reason the subscriber counts")
    func refusesBadEventsMessages() throws {
        let valid = try Self.missionEvent()
        #expect(BridgeFuzzing.decodeEventsMessage([]) == .frameCount)
        #expect(BridgeFuzzing.decodeEventsMessage([valid[0], valid[1]]) == .frameCount)
        #expect(BridgeFuzzing.decodeEventsMessage(valid + [[1]]) == .frameCount)
        #expect(BridgeFuzzing.decodeEventsMessage([Array("other.topic".utf8), valid[1], valid[2]]) == .topic)
        #expect(BridgeFuzzing.decodeEventsMessage([Array("iom.v1.mission.deleted".utf8), valid[1], valid[2]]) == .mismatch)
        #expect(BridgeFuzzing.decodeEventsMessage([valid[0], valid[1], [0x08, 0x02, 0xFF]]) == .data)
        #expect(BridgeFuzzing.decodeEventsMessage([valid[0], [UInt8](repeating: 0x61, count: 5000), valid[2]]) == .tooLarge)
        #expect(BridgeFuzzing.decodeEventsMessage([valid[0], Array(valid[1].dropLast()), valid[2]]) == .attributes)
        #expect(BridgeFuzzing.decodeEventsMessage(try Self.missionEvent(sequence: "00000000000000000000")) == .sequence)
        #expect(BridgeFuzzing.decodeEventsMessage(try Self.missionEvent(sequence: "1")) == .sequence)
        #expect(BridgeFuzzing.decodeEventsMessage(try Self.missionEvent(subject: "mission-xx")) == .mismatch)
        #expect(BridgeFuzzing.decodeEventsMessage([Array("iom.v1._heartbeat".utf8), Array("latest=x\n".utf8)]) == .sequence)
    }

    // MARK: Sync replies

    @Test("valid RECORDS, CHANGES, END and ERROR replies are accepted")
    func acceptsValidSyncReplies() throws {
        let records = Seed.all.map(WireCodec.encodeEnvelope)
        #expect(BridgeFuzzing.decodeSyncReply([Self.syncTag, Array("RECORDS".utf8), Array("1".utf8), []] + records) == nil)
        let event = try Self.missionEvent()
        let withheld = Array("source=\(Self.source)\nsequence=00000000000000000002\nreason=view\n".utf8)
        #expect(BridgeFuzzing.decodeSyncReply([Self.syncTag, Array("CHANGES".utf8), Array("2".utf8), [], event[1], event[2], withheld, []]) == nil)
        #expect(BridgeFuzzing.decodeSyncReply([Self.syncTag, Array("END".utf8), Array("1".utf8), Array("source=\(Self.source)\nsequence=42\n".utf8)]) == nil)
        #expect(BridgeFuzzing.decodeSyncReply([Self.syncTag, Array("ERROR".utf8), Array("2".utf8), Array("code=PRUNED\noldest=5\n".utf8)]) == nil)
    }

    @Test("bad sync replies are refused: tag, frame count, params, items, kind")
    func refusesBadSyncReplies() throws {
        let event = try Self.missionEvent()
        #expect(BridgeFuzzing.decodeSyncReply([Array("iom.v1.sunc".utf8), Array("END".utf8), [], []]) == .reply)
        #expect(BridgeFuzzing.decodeSyncReply([Self.syncTag, Array("END".utf8), []]) == .reply)
        #expect(BridgeFuzzing.decodeSyncReply([Self.syncTag, Array("END".utf8), [], Array("a=b".utf8)]) == .reply)
        #expect(BridgeFuzzing.decodeSyncReply([Self.syncTag, Array("CHANGES".utf8), [], [], event[1]]) == .reply)
        #expect(BridgeFuzzing.decodeSyncReply([Self.syncTag, Array("CHANGES".utf8), [], [], event[1], [0xFF]]) == .data)
        #expect(BridgeFuzzing.decodeSyncReply([Self.syncTag, Array("RECORDS".utf8), [], [], [0x0A, 0x00]]) == .data)  // empty organisation
        #expect(BridgeFuzzing.decodeSyncReply([Self.syncTag, Array("RECORDS".utf8), [], [], []]) == .data)  // no record
        #expect(BridgeFuzzing.decodeSyncReply([Self.syncTag, Array("MAYBE".utf8), [], []]) == .reply)
    }

    // MARK: Attributes frames

    @Test("attributes frames: the grammar of §5.2")
    func parsesAttributes() {
        #expect(BridgeFuzzing.parseAttributes(Array("a=1\nsubject=caf%C3%A9%25\n".utf8)) == nil)
        #expect(BridgeFuzzing.parseAttributes([]) == nil)
        #expect(BridgeFuzzing.parseAttributes(Array("a=1".utf8)) == .attributes)          // no final LF
        #expect(BridgeFuzzing.parseAttributes(Array("a=1\na=2\n".utf8)) == .attributes)   // duplicate
        #expect(BridgeFuzzing.parseAttributes(Array("A=1\n".utf8)) == .attributes)        // upper-case name
        #expect(BridgeFuzzing.parseAttributes(Array("a=%e9\n".utf8)) == .attributes)      // lower-case hex
        #expect(BridgeFuzzing.parseAttributes(Array("a=%C3\n".utf8)) == .attributes)      // not UTF-8 once decoded
        #expect(BridgeFuzzing.parseAttributes(Array("a=%4\n".utf8)) == .attributes)       // cut escape
        #expect(BridgeFuzzing.parseAttributes([UInt8](repeating: 0x0A, count: 4097)) == .tooLarge)
    }

    @Test("the entry points give the same verdicts from many tasks at once")
    func concurrentDecoding() async throws {
        let valid = try Self.missionEvent()
        let bad = [valid[0], valid[1], [0x08, 0x02, 0xFF]]
        let verdicts = await withTaskGroup(of: (MalformedReason?, MalformedReason?).self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var last: (MalformedReason?, MalformedReason?) = (nil, nil)
                    for _ in 0..<200 { last = (BridgeFuzzing.decodeEventsMessage(valid), BridgeFuzzing.decodeEventsMessage(bad)) }
                    return last
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(verdicts.count == 16)
        #expect(verdicts.allSatisfy { $0.0 == nil && $0.1 == .data })
    }

    // MARK: Inputs found by the fuzzer
}

/// Sequence arithmetic at `UInt64.max` in the subscriber's state machine, found while writing
/// the fuzz target (its entry points stop at the decoders; these paths need a live
/// `SubscriberLoop`). A sequence is 20 digits, so `18446744073709551615` is a valid one, and
/// `SubscriberLoop` adds 1 to it unchecked: a hostile upstream traps the subscriber's process.
///
/// Disabled until `SubscriberLoop` checks the additions (they would crash the test process):
/// see the fuzzing report for the fix; enable them with it.
@Suite("Subscriber at sequence UInt64.max", .serialized, .timeLimit(.minutes(1)))
struct SequenceLimitTests {
    /// A fake upstream: XPUB events and ROUTER sync endpoints, and a subscriber on them.
    struct Upstream {
        let context: Context
        let publisher: Socket
        let sync: SocketActor
        let subscriber: BridgeSubscriber
        let recorder: Recorder

        init() async throws {
            context = try Context()
            publisher = try context.socket(.xpub)
            try publisher.bind("tcp://127.0.0.1:*")
            let router = try context.socket(.router)
            try router.bind("tcp://127.0.0.1:*")
            let syncEndpoint = try router.lastEndpoint
            sync = SocketActor(router)
            recorder = try Recorder()
            subscriber = try BridgeSubscriber.start(
                SubscriberConfiguration(upstreams: [.init(events: try publisher.lastEndpoint, sync: syncEndpoint)],
                                        security: .insecure, start: .beginning),
                bus: recorder.bus)
            _ = try #require(try publisher.receive(timeout: .seconds(5)))  // the subscription
        }

        /// Waits for the subscriber's next sync request: (peer, command, request id, params).
        func request() async throws -> (peer: [UInt8], command: String, id: [UInt8], params: String) {
            let frames = try #require(try await sync.receive(timeout: .seconds(5)), "no sync request")
            try #require(frames.count >= 5)
            return (frames[0], String(decoding: frames[2], as: UTF8.self), frames[3], String(decoding: frames[4], as: UTF8.self))
        }

        func reply(_ peer: [UInt8], _ kind: String, _ id: [UInt8], _ params: String) async throws {
            try await sync.send([peer, Array("iom.v1.sync".utf8), Array(kind.utf8), id, Array(params.utf8)])
        }

        func stop() async { subscriber.stop(); _ = await recorder.finish() }
    }

    static let source = SourceID(UUID(uuidString: "6f1c2b1e-1d7a-4c55-9e0b-3a7f4d2c9b10")!)

    @Test("a replay END with more=1 and through=UInt64.max (reserved, §3) does not trap the subscriber")
    func replayEndThroughMax() async throws {
        let upstream = try await Upstream()
        try upstream.publisher.send(try FuzzRegressionTests.missionEvent(sequence: "00000000000000000002"))
        let replay = try await upstream.request()
        #expect(replay.command == "REPLAY")
        try await upstream.reply(replay.peer, "END", replay.id, "more=1\nthrough=18446744073709551615\n")
        try upstream.publisher.send(try FuzzRegressionTests.missionEvent(sequence: "00000000000000000001"))
        try await eventually("both events delivered") { upstream.subscriber.delivered(from: Self.source) == 2 }
        await upstream.stop()
    }

    @Test("an event at the reserved sequence UInt64.max is dropped as malformed, and a PRUNED oldest=UInt64.max is ignored, without trapping")
    func prunedUpToMax() async throws {
        let upstream = try await Upstream()
        try upstream.publisher.send(try FuzzRegressionTests.missionEvent(sequence: "18446744073709551615"))
        try await eventually("the reserved sequence counted as malformed") { upstream.subscriber.statistics.malformedTotal >= 1 }
        try upstream.publisher.send(try FuzzRegressionTests.missionEvent(sequence: "00000000000000000002"))
        let replay = try await upstream.request()
        #expect(replay.command == "REPLAY")
        try await upstream.reply(replay.peer, "ERROR", replay.id, "code=PRUNED\noldest=18446744073709551615\n")
        try upstream.publisher.send(try FuzzRegressionTests.missionEvent(sequence: "00000000000000000001"))
        try await eventually("sequences 1 and 2 delivered") { upstream.subscriber.delivered(from: Self.source) == 2 }
        await upstream.stop()
    }
}
