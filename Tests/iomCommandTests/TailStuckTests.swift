import Foundation
import Testing
import ZeroMQ

/// `iom tail` in front of a node whose journal cannot give a change (bridge.md §8.8): it must
/// not wait for ever (heartbeats would keep its silence timer happy); it exits 65 saying which
/// change is stuck. The node is played by hand with an XPUB and a ROUTER.
@Suite("iom tail and a change that cannot be delivered", .timeLimit(.minutes(2)))
struct TailStuckTests {
    static let source = "4d1c2a8e-5b7f-4c3d-9e0a-1f2b3c4d5e6f"

    /// Attributes of sequence `n` of the vector change (a mission created), naming `subject`.
    static func attributes(_ n: UInt64, subject: String = "mission-ma") -> [UInt8] {
        Array("""
        specversion=1.0
        id=7a0c5a52-0c35-4a8b-9f3e-\(String(format: "%012d", n))
        source=urn:uuid:\(source)
        type=org.iom.v1.mission.created
        subject=\(subject)
        time=2026-11-29T05:41:07.512Z
        datacontenttype=application/protobuf
        dataschema=urn:iom:proto:iom.v1.Change
        sequence=\(String(format: "%020llu", n))

        """.utf8)
    }

    @Test("a change the journal gives undecodable ends iom tail with status 65 and the stuck sequence")
    func stuckTailExitsNonZero() throws {
        let data = Array(try Data(contentsOf: packageRoot.appendingPathComponent("Protocols/vectors/change_created_mission.binpb")))
        let topic = Array("iom.v1.mission.created".utf8)
        let context = try Context()
        let events = try context.socket(.xpub)
        try events.bind("tcp://127.0.0.1:*")
        let sync = try context.socket(.router)
        try sync.bind("tcp://127.0.0.1:*")
        let tail = try IOMProcess(["tail", try events.lastEndpoint, "--sync", try sync.lastEndpoint, "--from", "1", "--insecure"])
        _ = try #require(try events.receive(timeout: .seconds(20)), "the tail's subscription did not arrive")

        try events.send([topic, Self.attributes(1), data])
        try events.send([topic, Self.attributes(2), [0x08, 0x02, 0xFF]])  // garbled on the way
        try events.send([topic, Self.attributes(3), data])
        // Answer the REPLAY of 2 with the journal's copy, which names another record; ignore INFO.
        var answered = false
        let deadline = ContinuousClock.now + .seconds(30)
        while !answered, ContinuousClock.now < deadline {
            guard let request = try sync.receive(timeout: .milliseconds(200)), request.count == 5 else { continue }
            let (peer, command, id) = (request[0], String(decoding: request[2], as: UTF8.self), request[3])
            guard command == "REPLAY" else { continue }
            #expect(String(decoding: request[4], as: UTF8.self).contains("from=2"))
            let tag = Array("iom.v1.sync".utf8)
            try sync.send([peer, tag, Array("CHANGES".utf8), id, []] + [Self.attributes(2, subject: "mission-zz"), data])
            try sync.send([peer, tag, Array("END".utf8), id,
                           Array("through=\(String(format: "%020llu", 2 as UInt64))\nlatest=\(String(format: "%020llu", 3 as UInt64))\n".utf8)])
            answered = true
        }
        #expect(answered, "the tail never asked to replay sequence 2")
        let outcome = try #require(tail.wait(timeout: .seconds(30)), "iom tail kept waiting for a change that cannot come")
        #expect(outcome.status == 65, "\(outcome)")
        #expect(outcome.stderr.contains("stuck"), "\(outcome)")
        #expect(outcome.stderr.contains("sequence 2"), "\(outcome)")
        #expect(outcome.stdout.split(separator: "\n").count == 1, "only sequence 1 is deliverable: \(outcome)")
    }
}
