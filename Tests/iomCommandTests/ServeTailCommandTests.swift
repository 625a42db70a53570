import Foundation
import IOMTestSupport
import Testing

@Suite("iom serve, tail and save --node", .timeLimit(.minutes(5)))
struct ServeTailCommandTests {
    @Test("a node serves its seed records; tail --from 1 --count 3 prints sequences 1…3 in order and exits 0; SIGINT stops both with 0")
    func serveAndTail() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try Node(store: directory + "/node.sqlite", accept: false)
        #expect(node.events.hasPrefix("tcp://127.0.0.1:") && !node.events.hasSuffix(":*"), "the real port is printed")
        #expect(node.sync.hasPrefix("tcp://127.0.0.1:") && node.sync != node.events)
        #expect(UUID(uuidString: node.source) != nil, "source is a UUID: \(node.source)")
        #expect(node.process.stdout.contains("latest sequence 3"), "\(node.process.stdout)")
        #expect(node.process.stderrContains("plain text"), "--insecure is logged as a warning")

        let tail = try iom("tail", node.events, "--sync", node.sync, "--from", "1", "--count", "3", "--insecure")
        #expect(tail.status == 0, "\(tail)")
        #expect(sequences(tail.stdout) == [1, 2, 3], "\(tail)")
        let lines = tail.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.contains("organisation created iom v1") == true, "\(tail)")
        #expect(lines.dropFirst().first?.contains("mission created mission-ma v1 Mission OIM Maroc (MA, open)") == true, "\(tail)")
        #expect(lines.last?.contains("event created event-ma-2017-07-24-breakfast") == true, "\(tail)")

        // --from 2 starts there; --type filters what is printed.
        let from2 = try iom("tail", node.events, "--sync", node.sync, "--from", "2", "--count", "2", "--insecure")
        #expect(sequences(from2.stdout) == [2, 3], "\(from2)")
        let events = try iom("tail", node.events, "--sync", node.sync, "--from", "1", "--count", "1", "--type", "event", "--kind", "created", "--insecure")
        #expect(sequences(events.stdout) == [3], "\(events)")

        // A tail without --count runs until SIGINT or SIGTERM, then exits 0 having printed everything.
        let follower = try IOMProcess(["tail", node.events, "--sync", node.sync, "--from", "1", "--insecure"])
        #expect(follower.line(startingWith: "3 ") != nil, "\(follower.stderr)")
        follower.signal(SIGINT)
        let followed = try #require(follower.wait(timeout: .seconds(10)), "tail did not stop on SIGINT")
        #expect(followed.status == 0, "\(followed)")
        #expect(sequences(followed.stdout) == [1, 2, 3])

        node.process.signal(SIGINT)
        let stopped = try #require(node.process.wait(timeout: .seconds(20)), "serve did not stop on SIGINT")
        #expect(stopped.status == 0, "\(stopped)")
        #expect(stopped.stderr.contains("node stopped cleanly"))
    }

    @Test("a record saved through the node (save --node) reaches a live tail and the journal; --json gives one object per line")
    func saveThroughNode() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try Node(store: directory + "/node.sqlite")
        // A live tail (no --from): it sees only what is saved from now on.
        let live = try IOMProcess(["tail", node.events, "--sync", node.sync, "--count", "1", "--insecure", "--json"])
        #expect(live.stderrContains("iom tail: following"), "the tail's subscription reached the node (a heartbeat came back)")

        let vector = packageRoot.appendingPathComponent("Protocols/vectors/member_state_morocco.json").path
        let saved = try iom("save", "member-state", "--file", vector, "--node", node.accept, "--insecure")
        #expect(saved.status == 0, "\(saved)")
        #expect(saved.stdout == "saved memberState state-ma: version 1, sequence 4\n")

        let outcome = try #require(live.wait(timeout: .seconds(20)), "the live tail did not receive the change")
        #expect(outcome.status == 0, "\(outcome)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any], "\(outcome)")
        #expect(object["sequence"] as? Int == 4)
        #expect(object["type"] as? String == "memberState")
        #expect(object["kind"] as? String == "created")
        #expect(object["record"] as? String == "state-ma")
        #expect(object["source"] as? String == node.source)
        let change = try #require(object["change"] as? [String: Any])
        #expect(change["recordId"] as? String == "state-ma", "the change is iom.v1.Change in protobuf JSON")

        // An invalid record is refused with its fields named and publishes nothing.
        let bad = try missionJSON(id: "mission-bad").replacingOccurrences(of: #""country":"MA""#, with: #""country":"XX""#)
        let refused = try iom("save", "mission", "--file", "-", "--node", node.accept, "--insecure", stdin: bad)
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stderr.contains(#"mission.country: "XX" is not ISO 3166-1"#), "\(refused)")
        let retried = try iom("save", "member-state", "--file", vector, "--node", node.accept, "--insecure")
        #expect(retried.status == 75, "a retried create is a conflict, never an update: \(retried)")
        let conflict = try iom("save", "member-state", "--file", vector, "--node", node.accept, "--insecure", "--update")
        #expect(conflict.status == 0, "saving the read version again with --update updates: \(conflict)")
        #expect(conflict.stdout.hasSuffix("version 2, sequence 5\n"), "the refused record took no sequence: \(conflict)")
        let stale = try iom("save", "member-state", "--file", vector, "--node", node.accept, "--insecure", "--update")
        #expect(stale.status == 75, "\(stale)")

        let all = try iom("tail", node.events, "--sync", node.sync, "--from", "1", "--count", "5", "--insecure", "--json")
        #expect(all.status == 0, "\(all)")
        let objects = all.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.compactMap { $0["sequence"] as? Int } == [1, 2, 3, 4, 5], "\(all)")
        #expect(objects.last?["kind"] as? String == "updated")
        #expect(node.stop()?.status == 0)
    }

    @Test("the node turns SQLite's memory statistics off before its first connection, and says so at info level")
    func sqliteMemoryStatisticsOff() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try Node(store: directory + "/node.sqlite", accept: false, extra: ["--insecure", "--log-level", "info"])
        #expect(node.process.stderrContains("node running"), "\(node.process.stderr)")
        #expect(node.process.stderr.contains("sqliteMemoryStatistics=off"), "logged with the node's endpoints: \(node.process.stderr)")
        #expect(node.stop()?.status == 0)
    }

    @Test("SIGTERM: serve exits 0; the next serve on the same store keeps every committed change and the source id")
    func restartKeepsEverything() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = directory + "/node.sqlite"
        let first = try Node(store: store)
        for index in 1...5 {
            let saved = try iom("save", "mission", "--file", "-", "--node", first.accept, "--insecure", stdin: try missionJSON(id: "mission-\(index)"))
            #expect(saved.stdout == "saved mission mission-\(index): version 1, sequence \(3 + index)\n", "\(saved)")
        }
        let stopped = try #require(first.stop(), "serve did not stop on SIGTERM")
        #expect(stopped.status == 0, "\(stopped)")

        let second = try Node(store: store)
        #expect(second.source == first.source, "same store, same source id")
        #expect(second.process.stdout.contains("latest sequence 8"), "no seed again, nothing lost: \(second.process.stdout)")
        let tail = try iom("tail", second.events, "--sync", second.sync, "--from", "1", "--count", "8", "--insecure")
        #expect(sequences(tail.stdout) == Array(1...8), "\(tail)")
        for index in 1...5 { #expect(tail.stdout.contains("mission created mission-\(index) v1"), "\(tail)") }
        let next = try iom("save", "mission", "--file", "-", "--node", second.accept, "--insecure", stdin: try missionJSON(id: "mission-6"))
        #expect(next.stdout.hasSuffix("sequence 9\n"), "the sequence continues: \(next)")
        #expect(second.stop()?.status == 0)
    }

    @Test("with CURVE: an allow-listed key follows the node and saves through it; other keys and plain text get nothing; an analyst may not save")
    func curve() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["node", "me", "alice", "stranger"] {
            #expect(try iom("keygen", "--out", directory, "--name", name).status == 0)
        }
        let node = try Node(store: directory + "/node.sqlite", extra: [
            "--secret-key", directory + "/node.key", "--allow", "supervisor:" + directory + "/me.pub", "--allow", "analyst:" + directory + "/alice.pub",
        ])
        #expect(node.process.stdout.contains("CURVE server, public key"))
        #expect(node.process.stdout.contains("2 allowed client keys"))
        let serverKey = ["--server-key", directory + "/node.pub"]
        let me = serverKey + ["--secret-key", directory + "/me.key"]
        let tail = try iom(["tail", node.events, "--sync", node.sync, "--from", "1", "--count", "3"] + me)
        #expect(sequences(tail.stdout) == [1, 2, 3], "\(tail)")
        let saved = try iom(["save", "mission", "--file", "-", "--node", node.accept] + me, stdin: try missionJSON(id: "mission-curve"))
        #expect(saved.stdout == "saved mission mission-curve: version 1, sequence 4\n", "\(saved)")

        // An analyst's key is admitted on the sync and accept endpoints, not on a full-view
        // events endpoint, and may not save.
        let alice = serverKey + ["--secret-key", directory + "/alice.key"]
        let refused = try iom(["save", "mission", "--file", "-", "--node", node.accept] + alice, stdin: try missionJSON(id: "mission-alice"))
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stderr.contains("may not save"), "\(refused)")
        let analystTail = try iom(["tail", node.events, "--count", "1", "--timeout", "2"] + alice)
        #expect(analystTail.status == 69, "\(analystTail)")

        let stranger = try iom(["tail", node.events, "--count", "1", "--timeout", "2"] + serverKey + ["--secret-key", directory + "/stranger.key"])
        #expect(stranger.status == 69, "\(stranger)")
        let strangerSave = try iom(["save", "mission", "--file", "-", "--node", node.accept, "--timeout", "2"] + serverKey + ["--secret-key", directory + "/stranger.key"],
                                   stdin: try missionJSON(id: "mission-stranger"))
        #expect(strangerSave.status == 69, "a key outside the allow-list is not even answered: \(strangerSave)")
        let plain = try iom("tail", node.events, "--count", "1", "--timeout", "2", "--insecure")
        #expect(plain.status == 69, "\(plain)")

        let after = try iom(["tail", node.events, "--sync", node.sync, "--from", "4", "--count", "1"] + me)
        #expect(after.stdout.contains("mission created mission-curve"), "only the allowed save went in: \(after)")
        #expect(node.stop()?.status == 0)
    }

    @Test("an unreachable endpoint: tail and save --node give up after --timeout with exit 69 and say what to check")
    func unreachable() throws {
        let endpoint = try unusedLoopbackEndpoint()
        let start = ContinuousClock.now
        let tail = try iom("tail", endpoint, "--count", "1", "--timeout", "1", "--insecure")
        #expect(tail.status == 69, "\(tail)")
        #expect(tail.stderr.contains("nothing arrived from \(endpoint)"), "\(tail)")
        #expect(tail.stderr.contains("iom serve"))
        #expect(ContinuousClock.now - start < .seconds(15))

        let save = try iom("save", "mission", "--file", packageRoot.appendingPathComponent("Protocols/vectors/mission_morocco.json").path,
                           "--node", endpoint, "--insecure", "--timeout", "1")
        #expect(save.status == 69, "\(save)")
        #expect(save.stderr.contains("did not answer"), "\(save)")
    }

    @Test("bad arguments exit 64 with a message saying what to pass",
          arguments: [
              (["serve", "--store", "x.sqlite"], "--secret-key"),
              (["serve", "--insecure", "--secret-key", "k.key"], "choose one"),
              (["serve", "--secret-key", "k.key"], "--allow"),
              (["serve", "--insecure", "--allow", "me.pub"], "--secret-key"),
              (["serve", "--secret-key", "k.key", "--allow", "wizard:me.pub"], "supervisor"),
              (["serve", "--insecure", "--publish", "localhost:5670"], "tcp://"),
              (["serve", "--insecure", "--view", "everything"], "view"),
              (["tail", "tcp://127.0.0.1:5670"], "--insecure"),
              (["tail", "tcp://127.0.0.1:5670", "--server-key", "n.pub"], "--secret-key"),
              (["tail", "tcp://127.0.0.1:5670", "--from", "1", "--insecure"], "--sync"),
              (["tail", "tcp://127.0.0.1:5670", "--sync", "tcp://127.0.0.1:5671", "--from", "0", "--insecure"], "--from"),
              (["tail", "tcp://127.0.0.1:5670", "--count", "0", "--insecure"], "--count"),
              (["tail", "127.0.0.1:5670", "--insecure"], "tcp://"),
              (["tail", "tcp://127.0.0.1:5670", "--type", "planet", "--insecure"], "protection-case"),
              (["save", "mission", "--file", "m.json", "--node", "tcp://127.0.0.1:5672", "--store", "x.sqlite", "--insecure"], "--store"),
              (["save", "mission", "--file", "m.json", "--node", "tcp://127.0.0.1:5672"], "--insecure"),
              (["save", "mission", "--file", "m.json", "--insecure"], "--node"),
          ])
    func badArguments(arguments: [String], mentioned: String) throws {
        let outcome = try iom(arguments)
        #expect(outcome.status == 64, "\(outcome)")
        #expect(outcome.stderr.contains(mentioned), "\(outcome)")
    }

    @Test("a publish address already in use exits 69 and says to choose another port")
    func addressInUse() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = try Node(store: directory + "/a.sqlite", accept: false)
        let clash = try iom("serve", "--store", directory + "/b.sqlite", "--publish", node.events, "--replay", "tcp://127.0.0.1:*", "--insecure")
        #expect(clash.status == 69, "\(clash)")
        #expect(clash.stderr.contains("another port"), "\(clash)")
        // The node that could not start did not seed its store.
        let first = try iom("save", "mission", "--file", packageRoot.appendingPathComponent("Protocols/vectors/mission_morocco.json").path,
                            "--store", directory + "/b.sqlite")
        #expect(first.stdout.hasSuffix("sequence 1\n"), "\(first)")
        #expect(node.stop()?.status == 0)
    }
}

@Suite("iom serve: shutdown while saving", .timeLimit(.minutes(3)))
struct ServeShutdownTests {
    @Test("SIGTERM while clients save through the node: every save that was answered OK is in the store after a restart")
    func shutdownUnderLoad() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = directory + "/node.sqlite"
        let node = try Node(store: store)
        let clients = try (0..<12).map { index in
            try IOMProcess(["save", "mission", "--file", "-", "--node", node.accept, "--insecure", "--timeout", "5"],
                           stdin: try missionJSON(id: "mission-load-\(index)"))
        }
        // Stop once the first answer is in: the others are starting, sending or waiting.
        let deadline = ContinuousClock.now + .seconds(20)
        while clients[0].process.isRunning, ContinuousClock.now < deadline { usleep(5_000) }
        let stopped = try #require(node.stop(), "serve did not stop on SIGTERM")
        #expect(stopped.status == 0, "\(stopped)")
        var acknowledged: [String] = []
        for (index, client) in clients.enumerated() {
            let outcome = try #require(client.wait(timeout: .seconds(30)))
            if outcome.status == 0 { acknowledged.append("mission-load-\(index)") } else { #expect(outcome.status == 69, "\(outcome)") }
        }

        #expect(!acknowledged.isEmpty)

        let restarted = try Node(store: store)
        let latestLine = try #require(restarted.process.line(startingWith: "store "))
        let latest = try #require(latestLine.split(separator: " ").firstIndex(of: "sequence").map { UInt64(latestLine.split(separator: " ")[$0 + 1].trimmingCharacters(in: CharacterSet(charactersIn: ";"))) } ?? nil)
        #expect(latest >= UInt64(3 + acknowledged.count), "\(latestLine), \(acknowledged.count) acknowledged")
        let tail = try iom("tail", restarted.events, "--sync", restarted.sync, "--from", "1", "--count", "\(latest)", "--insecure")
        #expect(sequences(tail.stdout) == Array(1...latest), "\(tail)")
        for id in acknowledged { #expect(tail.stdout.contains(" \(id) v1"), "acknowledged \(id) is missing: \(tail)") }
        #expect(restarted.stop()?.status == 0)
    }
}

@Suite("iom serve --view", .timeLimit(.minutes(3)))
struct ServeViewTests {
    /// The complete fictional case (with identifying fields) as a new record.
    static func completeCase() throws -> String {
        try String(contentsOfFile: packageRoot.appendingPathComponent("Protocols/vectors/protection_case_complete_fictional.json").path, encoding: .utf8)
            .replacingOccurrences(of: #""version":"4""#, with: #""version":"1""#)
    }

    @Test("a protection case reaches a tail whole on the full view, without identifying fields on redacted, and not at all on public",
          arguments: ["full", "redacted", "public"])
    func views(view: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = directory + "/data-1.key"
        try writeHostKey(key)
        let node = try Node(store: directory + "/node.sqlite", extra: ["--insecure", "--host-key", key, "--view", view])
        #expect(node.process.stdout.contains("view \(view)"))
        let live = try IOMProcess(["tail", node.events, "--sync", node.sync, "--count", "1", "--insecure", "--json"])
        #expect(live.stderrContains("iom tail: following"), "the tail's subscription reached the node (a heartbeat came back)")
        let saved = try iom("save", "protection-case", "--file", "-", "--node", node.accept, "--insecure", stdin: try Self.completeCase())
        #expect(saved.stdout == "saved protectionCase case-fictional-0002: version 1, sequence 4\n", "\(saved)")
        let mission = try iom("save", "mission", "--file", "-", "--node", node.accept, "--insecure", stdin: try missionJSON(id: "mission-after"))
        #expect(mission.stdout.hasSuffix("sequence 5\n"), "\(mission)")

        let outcome = try #require(live.wait(timeout: .seconds(20)))
        switch view {
        case "full":
            #expect(outcome.stdout.contains(#""record":"case-fictional-0002""#), "\(outcome)")
            #expect(outcome.stdout.contains("FICTIONAL Given"), "the full view carries identifying fields: \(outcome)")
        case "redacted":
            #expect(outcome.stdout.contains(#""record":"case-fictional-0002""#), "\(outcome)")
            #expect(!outcome.stdout.contains("FICTIONAL Given"), "\(outcome)")
            #expect(!outcome.stdout.contains("identifying"), "\(outcome)")
        default:
            #expect(outcome.stdout.contains(#""record":"mission-after""#), "the case is withheld, the next change arrives: \(outcome)")
            #expect(!outcome.stdout.contains("case-fictional"), "\(outcome)")
        }
        let replay = try iom("tail", node.events, "--sync", node.sync, "--from", "1", "--count", view == "public" ? "4" : "5", "--insecure")
        #expect(sequences(replay.stdout) == (view == "public" ? [1, 2, 3, 5] : [1, 2, 3, 4, 5]), "\(replay)")
        #expect(!replay.stdout.contains("FICTIONAL"), "text lines never show identifying data: \(replay)")
        // Replayed from the journal (sealed at rest), the case is opened for the full view only.
        let replayed = try iom("tail", node.events, "--sync", node.sync, "--from", "4", "--count", "1", "--insecure", "--json")
        #expect(replayed.stdout.contains("FICTIONAL Given") == (view == "full"), "\(replayed)")
        #expect(!replayed.stdout.contains("sealed"), "sealed bytes never go on the wire: \(replayed)")
        #expect(node.stop()?.status == 0)
    }
}
