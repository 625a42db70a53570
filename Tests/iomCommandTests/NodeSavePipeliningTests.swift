import Foundation
import Testing
import ZeroMQ

/// A DEALER speaking `Protocols/node-save.md` to a node's accept endpoint, as another team's
/// client would: frames and params only.
final class SaveDealer {
    let context: Context
    let socket: Socket

    init(_ endpoint: String) throws {
        context = try Context()
        socket = try context.socket(.dealer)
        try socket.set(.linger, .zero)
        try socket.set(.sendHighWaterMark, 100_000)
        try socket.connect(endpoint)
    }

    /// Sends a request (identified with `id`, plain without), with the REQ envelope on a DEALER.
    func send(_ type: String, _ json: String, id: String?, operation: String? = nil) throws {
        var message: [[UInt8]] = [[], Array("iom.v1.save".utf8), Array(type.utf8), Array(json.utf8)]
        let params = (id.map { "id=\($0)\n" } ?? "") + (operation.map { "operation=\($0)\n" } ?? "")
        if !params.isEmpty { message.append(Array(params.utf8)) }
        try socket.send(message)
    }

    /// The next reply: its status and decoded params (nil after `timeout`).
    func receive(timeout: Duration = .seconds(20)) throws -> (status: String, params: [String: String])? {
        guard var frames = try socket.receive(timeout: timeout) else { return nil }
        if frames.first?.isEmpty == true { frames.removeFirst() }
        #expect(frames.count == 3 && frames[0] == Array("iom.v1.save".utf8), "\(frames.count) frames")
        return (String(decoding: frames[1], as: UTF8.self), decodeParams(frames[2]))
    }

    /// The reply of a request sent alone.
    func save(_ type: String, _ json: String, id: String?) throws -> (status: String, params: [String: String]) {
        try send(type, json, id: id)
        return try #require(try receive(), "no reply")
    }
}

/// bridge.md §5.2 params: name=value lines, %XX decoded.
func decodeParams(_ frame: [UInt8]) -> [String: String] {
    var result: [String: String] = [:]
    for line in String(decoding: frame, as: UTF8.self).split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { continue }
        var bytes: [UInt8] = []
        var rest = Substring(parts[1]).utf8[...]
        while let byte = rest.first {
            if byte == UInt8(ascii: "%"), rest.count >= 3, let value = UInt8(String(decoding: rest.dropFirst().prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                rest = rest.dropFirst(3)
            } else {
                bytes.append(byte)
                rest = rest.dropFirst()
            }
        }
        result[String(parts[0])] = String(decoding: bytes, as: UTF8.self)
    }
    return result
}

@Suite("iom serve --accept: pipelined and idempotent saves", .timeLimit(.minutes(5)))
struct NodeSavePipeliningTests {
    @Test("pipelined identified requests: every answer carries its id, answers come in send order, sequences increase in send order, and a later request sees an earlier one")
    func pipelinedInOrder() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try Node(store: directory + "/node.sqlite")
        let dealer = try SaveDealer(node.accept)
        let count = 400
        var sent: [String] = []
        var answers: [(status: String, params: [String: String])] = []
        for n in 0..<count {
            // At most 200 unanswered: within the node's window of 1024.
            while sent.count - answers.count >= 200 { answers.append(try #require(try dealer.receive())) }
            let id = "p-\(n)"
            if n == 200 {
                // An update of the record created by request 10, at the version that one stored.
                try dealer.send("mission", try missionJSON(id: "mission-p-10").replacingOccurrences(of: #""status":"MISSION_STATUS_OPEN""#, with: #""status":"MISSION_STATUS_SUSPENDED""#), id: id, operation: "update")
            } else if n == 300 {
                try dealer.send("mission", try missionJSON(id: "mission-bad").replacingOccurrences(of: #""country":"MA""#, with: #""country":"XX""#), id: id)
            } else {
                try dealer.send("mission", try missionJSON(id: "mission-p-\(n)"), id: id)
            }
            sent.append(id)
        }
        while answers.count < count { answers.append(try #require(try dealer.receive())) }
        #expect(answers.map { $0.params["id"] ?? "" } == sent, "one answer per request, in send order")
        #expect(answers[300].status == "ERROR" && answers[300].params["code"] == "INVALID")
        #expect(answers[200].status == "OK" && answers[200].params["version"] == "2", "\(answers[200])")
        let sequences = answers.enumerated().filter { $0.offset != 300 }.map { UInt64($0.element.params["sequence"] ?? "") ?? 0 }
        #expect(answers.enumerated().allSatisfy { $0.offset == 300 || $0.element.status == "OK" })
        #expect(sequences == Array(4...UInt64(count + 2)), "the seed is 1…3; one sequence per saved request, in send order")
        #expect(node.stop()?.status == 0)
    }

    @Test("pipelined creations the store refuses (an existing record, a repeated request id) get their answers in send order, and the creations around them are saved")
    func pipelinedRefusals() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try Node(store: directory + "/node.sqlite")
        let dealer = try SaveDealer(node.accept)
        let count = 300
        var sent: [String] = []
        var answers: [(status: String, params: [String: String])] = []
        for n in 0..<count {
            while sent.count - answers.count >= 200 { answers.append(try #require(try dealer.receive())) }
            switch n {
            case 100:  // a record created by request 5, under a new request id
                try dealer.send("member-state", try memberStateJSON(id: "ms-r-5"), id: "r-100")
                sent.append("r-100")
            case 150:  // request 7 again, same id and record
                try dealer.send("member-state", try memberStateJSON(id: "ms-r-7"), id: "r-7")
                sent.append("r-7")
            default:
                try dealer.send("member-state", try memberStateJSON(id: "ms-r-\(n)"), id: "r-\(n)")
                sent.append("r-\(n)")
            }
        }
        while answers.count < count { answers.append(try #require(try dealer.receive())) }
        #expect(answers.map { $0.params["id"] ?? "" } == sent, "one answer per request, in send order")
        #expect(answers[100].status == "ERROR" && answers[100].params["code"] == "CONFLICT", "\(answers[100])")
        #expect(answers[150].status == "OK" && answers[150].params["repeated"] == "1", "\(answers[150])")
        #expect(answers[150].params["sequence"] == answers[7].params["sequence"], "the first answer of request r-7")
        let saved = answers.enumerated().filter { $0.offset != 100 && $0.offset != 150 }
        #expect(saved.allSatisfy { $0.element.status == "OK" && $0.element.params["repeated"] == nil })
        #expect(saved.map { UInt64($0.element.params["sequence"] ?? "") ?? 0 } == Array(4...UInt64(count + 1)),
                "the seed is 1…3; one sequence per new record, in send order")
        #expect(node.stop()?.status == 0)
    }

    @Test("several connections pipelining at once are all served, each in its own order")
    func severalConnections() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try Node(store: directory + "/node.sqlite")
        let dealers = try (0..<4).map { _ in try SaveDealer(node.accept) }
        let perConnection = 150
        for n in 0..<perConnection {
            for (c, dealer) in dealers.enumerated() { try dealer.send("member-state", try memberStateJSON(id: "ms-\(c)-\(n)"), id: "c\(c)-\(n)") }
        }
        var all: [UInt64] = []
        for (c, dealer) in dealers.enumerated() {
            var sequences: [UInt64] = []
            for n in 0..<perConnection {
                let answer = try #require(try dealer.receive())
                #expect(answer.status == "OK" && answer.params["id"] == "c\(c)-\(n)", "\(answer)")
                sequences.append(UInt64(answer.params["sequence"] ?? "") ?? 0)
            }
            #expect(sequences == sequences.sorted() && Set(sequences).count == perConnection, "connection \(c) in send order")
            all += sequences
        }
        #expect(all.sorted() == Array(4...UInt64(3 + 4 * perConnection)))
        #expect(node.stop()?.status == 0)
    }

    @Test("past the window a request is answered BUSY at once with its id and window=, nothing of it saved; every request gets one answer")
    func window() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try Node(store: directory + "/node.sqlite", extra: ["--insecure", "--accept-window", "2"])
        let dealer = try SaveDealer(node.accept)
        let count = 300
        for n in 0..<count { try dealer.send("member-state", try memberStateJSON(id: "ms-\(n)"), id: "w-\(n)") }
        var answers: [String: (status: String, params: [String: String])] = [:]
        for _ in 0..<count {
            let answer = try #require(try dealer.receive())
            let id = try #require(answer.params["id"])
            #expect(answers[id] == nil, "one answer per request")
            answers[id] = answer
        }
        let busy = answers.values.filter { $0.params["code"] == "BUSY" }
        let saved = answers.values.filter { $0.status == "OK" }
        #expect(!busy.isEmpty, "300 requests sent at once exceed a window of 2")
        #expect(busy.allSatisfy { $0.status == "ERROR" && $0.params["window"] == "2" && $0.params["message"]?.contains("unanswered") == true })
        #expect(busy.count + saved.count == count)
        // Only the OK ones were saved: the next save follows them directly.
        let next = try dealer.save("member-state", try memberStateJSON(id: "ms-after"), id: "w-after")
        #expect(next.params["sequence"].flatMap(UInt64.init) == UInt64(3 + saved.count + 1), "\(next)")
        #expect(node.stop()?.status == 0)
    }

    @Test("a plain 3-frame request (REQ envelope, one at a time) gets the reply it always got (no id, no repeated); an empty 4th frame is BAD_REQUEST param=id, a bad operation param=operation, an unknown name param=name")
    func plainRequestsUnchanged() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try Node(store: directory + "/node.sqlite")
        // A DEALER with the REQ envelope, one request at a time: what a REQ client sends (the
        // Python interop test uses a real REQ socket).
        let req = try SaveDealer(node.accept)
        let plain = try req.save("mission", try missionJSON(id: "mission-plain"), id: nil)
        #expect(plain.status == "OK")
        #expect(Set(plain.params.keys) == ["type", "record", "version", "sequence", "source"], "\(plain)")
        let dealer = try SaveDealer(node.accept)
        try dealer.socket.send([[], Array("iom.v1.save".utf8), Array("mission".utf8), Array(try missionJSON(id: "mission-x").utf8), []])
        let bad = try #require(try dealer.receive())
        #expect(bad.status == "ERROR" && bad.params["code"] == "BAD_REQUEST" && bad.params["param"] == "id", "\(bad)")
        try dealer.send("mission", try missionJSON(id: "mission-x"), id: "x-1", operation: "upsert")
        let badOperation = try #require(try dealer.receive())
        #expect(badOperation.params["code"] == "BAD_REQUEST" && badOperation.params["param"] == "operation" && badOperation.params["id"] == "x-1", "\(badOperation)")
        try dealer.socket.send([[], Array("iom.v1.save".utf8), Array("mission".utf8), Array(try missionJSON(id: "mission-x").utf8), Array("name=x\n".utf8)])
        let unknown = try #require(try dealer.receive())
        #expect(unknown.params["code"] == "BAD_REQUEST" && unknown.params["param"] == "name", "\(unknown)")
        #expect(node.stop()?.status == 0)
    }

    @Test("a repeated request id gets the first answer (repeated=1) and makes no new change, across a node restart; reused for another record it is BAD_REQUEST")
    func idempotentAcrossRestart() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = directory + "/node.sqlite"
        var node = try Node(store: store)
        var dealer = try SaveDealer(node.accept)
        let created = try dealer.save("mission", try missionJSON(id: "mission-once"), id: "once-1")
        #expect(created.status == "OK" && created.params["sequence"] == "00000000000000000004", "\(created)")
        let again = try dealer.save("mission", try missionJSON(id: "mission-once"), id: "once-1")
        #expect(again.status == "OK" && again.params["repeated"] == "1", "\(again)")
        #expect(again.params.filter { $0.key != "repeated" } == created.params, "the first answer")
        #expect(node.stop()?.status == 0)

        node = try Node(store: store)
        dealer = try SaveDealer(node.accept)
        let afterRestart = try dealer.save("mission", try missionJSON(id: "mission-once"), id: "once-1")
        #expect(afterRestart.status == "OK" && afterRestart.params["repeated"] == "1", "\(afterRestart)")
        #expect(afterRestart.params["sequence"] == created.params["sequence"] && afterRestart.params["version"] == "1")
        let reused = try dealer.save("mission", try missionJSON(id: "mission-other"), id: "once-1")
        #expect(reused.status == "ERROR" && reused.params["code"] == "BAD_REQUEST" && reused.params["param"] == "id", "\(reused)")
        #expect(reused.params["message"]?.contains("mission-once") == true)
        // No change was made by the repeats: the next save is sequence 5.
        let next = try dealer.save("mission", try missionJSON(id: "mission-next"), id: "once-2")
        #expect(next.params["sequence"] == "00000000000000000005", "\(next)")
        #expect(node.stop()?.status == 0)
    }
}

/// The Morocco member-state vector with another id (a new record at version 1).
func memberStateJSON(id: String) throws -> String {
    try String(contentsOfFile: packageRoot.appendingPathComponent("Protocols/vectors/member_state_morocco.json").path, encoding: .utf8)
        .replacingOccurrences(of: #""id":"state-ma""#, with: #""id":"\#(id)""#)
}
