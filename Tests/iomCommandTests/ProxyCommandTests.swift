import Foundation
import Testing
import ZeroMQ

@Suite("iom proxy", .timeLimit(.minutes(3)))
struct ProxyCommandTests {
    /// The endpoint from a readiness line such as `backend bind tcp://127.0.0.1:41235 (plain text)`.
    private func endpoint(of line: String) -> String? {
        line.split(separator: " ").dropFirst(2).first.map(String.init)
    }

    /// Publishes `probe` until `subscriber` receives it (PUB/SUB's slow joiner), at most ~10 s.
    private func waitUntilFlowing(_ publisher: Socket, _ subscriber: Socket, probe: [[UInt8]]) throws -> Bool {
        for _ in 0..<500 {
            try publisher.send(probe)
            if let got = try subscriber.receive(timeout: .milliseconds(20)), got == probe {
                while try subscriber.receive(timeout: .milliseconds(50)) != nil {}
                return true
            }
        }
        return false
    }

    private func started(_ proxy: IOMProcess) throws -> String {
        let line = try #require(proxy.line(startingWith: "backend "), "no readiness line; stderr: \(proxy.stderr)")
        #expect(proxy.stdout.contains("proxy running"))
        return try #require(endpoint(of: line))
    }

    @Test("forwards a publisher's messages to a subscriber, in order, and exits 0 on SIGTERM and on SIGINT",
          arguments: [SIGTERM, SIGINT])
    func forwardsAndStops(signal: Int32) throws {
        let context = try Context()
        let publisher = try context.socket(.pub)
        try publisher.bind("tcp://127.0.0.1:*")
        let proxy = try IOMProcess(["proxy", "--frontend", try publisher.lastEndpoint, "--backend", "tcp://127.0.0.1:*", "--insecure"])
        let backend = try started(proxy)
        #expect(proxy.stderrContains("plain text"), "the plain-text opt-in is logged as a warning")

        let subscriber = try context.socket(.sub)
        try subscriber.set(.subscribe, Array("iom.v1.".utf8))
        try subscriber.connect(backend)
        #expect(try waitUntilFlowing(publisher, subscriber, probe: [Array("iom.v1.probe".utf8)]))
        for sequence in 1...100 { try publisher.send([Array("iom.v1.mission".utf8), Array("\(sequence)".utf8)]) }
        try publisher.send([Array("other.topic".utf8), []])  // filtered upstream or downstream, never delivered
        var received: [String] = []
        while received.count < 100, let message = try subscriber.receive(timeout: .seconds(5)) {
            #expect(message[0] == Array("iom.v1.mission".utf8))
            received.append(String(decoding: message[1], as: UTF8.self))
        }
        #expect(received == (1...100).map(String.init))

        proxy.signal(signal)
        let outcome = try #require(proxy.wait(timeout: .seconds(10)), "the proxy did not stop on signal \(signal)")
        #expect(outcome.status == 0, "\(outcome)")
        #expect(outcome.stderr.contains("proxy stopped"))
        #expect(!outcome.stderr.contains("did not stop on TERMINATE"), "TERMINATE should stop it, not the fallback")
    }

    @Test("a subscription message over the protocol's 4,096-octet limit is dropped at the backend, never forwarded upstream; the proxy keeps forwarding")
    func oversizedSubscription() throws {
        let context = try Context()
        let upstream = try context.socket(.xpub)  // sees the subscriptions the proxy forwards
        try upstream.bind("tcp://127.0.0.1:*")
        let proxy = try IOMProcess(["proxy", "--frontend", try upstream.lastEndpoint, "--backend", "tcp://127.0.0.1:*", "--insecure"])
        let backend = try started(proxy)
        let hostile = try context.socket(.xsub)
        try hostile.connect(backend)
        try hostile.send(frame: [1] + [UInt8](repeating: UInt8(ascii: "a"), count: 8_192))
        let subscriber = try context.socket(.sub)
        try subscriber.set(.subscribe, Array("iom.v1.".utf8))
        try subscriber.connect(backend)
        #expect(try waitUntilFlowing(upstream, subscriber, probe: [Array("iom.v1.probe".utf8)]))
        var largest = 0
        while let message = try upstream.receive(timeout: .milliseconds(300)) { largest = max(largest, message.map(\.count).max() ?? 0) }
        #expect(largest <= 4_096, "the proxy forwarded a \(largest)-octet subscription upstream")
        proxy.signal(SIGTERM)
        #expect(proxy.wait(timeout: .seconds(10))?.status == 0)
    }

    @Test("fans one publisher out to several subscribers, each receiving every message")
    func fanOut() throws {
        let context = try Context()
        let publisher = try context.socket(.pub)
        try publisher.bind("tcp://127.0.0.1:*")
        let proxy = try IOMProcess(["proxy", "--frontend", try publisher.lastEndpoint, "--backend", "tcp://127.0.0.1:*", "--insecure"])
        let backend = try started(proxy)
        let subscribers = try (0..<4).map { _ -> Socket in
            let subscriber = try context.socket(.sub)
            try subscriber.set(.subscribe, Array("iom.v1.".utf8))
            try subscriber.connect(backend)
            return subscriber
        }
        for (index, subscriber) in subscribers.enumerated() {
            #expect(try waitUntilFlowing(publisher, subscriber, probe: [Array("iom.v1.probe-\(index)".utf8)]))
        }
        // Drain probes meant for earlier subscribers.
        for subscriber in subscribers { while try subscriber.receive(timeout: .milliseconds(100)) != nil {} }
        for sequence in 1...50 { try publisher.send([Array("iom.v1.event".utf8), Array("\(sequence)".utf8)]) }
        for subscriber in subscribers {
            var received: [String] = []
            while received.count < 50, let message = try subscriber.receive(timeout: .seconds(5)) {
                received.append(String(decoding: message[1], as: UTF8.self))
            }
            #expect(received == (1...50).map(String.init))
        }
        proxy.signal(SIGTERM)
        #expect(proxy.wait(timeout: .seconds(10))?.status == 0)
    }

    @Test("with CURVE keys from iom keygen: encrypted both ways; only allow-listed subscribers get changes; a wrong server key or an unknown client key gets nothing")
    func curve() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try iom("keygen", "--out", directory, "--name", "node").status == 0)
        #expect(try iom("keygen", "--out", directory, "--name", "proxy").status == 0)
        #expect(try iom("keygen", "--out", directory, "--name", "replica").status == 0)
        let node = try CurveKeyFile.readKeyPair(secretKeyPath: directory + "/node.key")
        let proxyPublic = try CurveKeyFile.readPublicKey(at: directory + "/proxy.pub")

        let context = try Context()
        let publisher = try context.socket(.pub)
        try publisher.set(.curveServer, true)
        try publisher.set(.curveSecretKey, node.secretKey)
        try publisher.bind("tcp://127.0.0.1:*")
        let proxy = try IOMProcess(["proxy", "--frontend", try publisher.lastEndpoint, "--backend", "tcp://127.0.0.1:*",
                                    "--curve-secret-key", directory + "/proxy.key", "--curve-publisher-key", directory + "/node.pub",
                                    "--allow", "service:" + directory + "/replica.pub"])
        let backend = try started(proxy)
        #expect(proxy.stdout.contains(proxyPublic.z85), "the readiness line gives subscribers the server key")
        #expect(proxy.stdout.contains("CURVE client"))

        let subscriber = try context.socket(.sub)
        let client = try CurveKeyFile.readKeyPair(secretKeyPath: directory + "/replica.key")
        try subscriber.set(.curveServerKey, proxyPublic)
        try subscriber.set(.curvePublicKey, client.publicKey)
        try subscriber.set(.curveSecretKey, client.secretKey)
        try subscriber.set(.subscribe, [])
        try subscriber.connect(backend)
        #expect(try waitUntilFlowing(publisher, subscriber, probe: [Array("iom.v1.probe".utf8)]))

        let impostor = try context.socket(.sub)
        let other = try CurveKeyPair.generate()
        try impostor.set(.curveServerKey, node.publicKey)  // not the proxy's key
        try impostor.set(.curvePublicKey, other.publicKey)
        try impostor.set(.curveSecretKey, other.secretKey)
        try impostor.set(.subscribe, [])
        try impostor.connect(backend)
        // A subscriber with the right server key but a key not on the allow-list.
        let stranger = try context.socket(.sub)
        let strangerKeys = try CurveKeyPair.generate()
        try stranger.set(.curveServerKey, proxyPublic)
        try stranger.set(.curvePublicKey, strangerKeys.publicKey)
        try stranger.set(.curveSecretKey, strangerKeys.secretKey)
        try stranger.set(.subscribe, [])
        try stranger.connect(backend)
        for _ in 0..<20 {
            try publisher.send([Array("iom.v1.secret".utf8)])
            usleep(20_000)
        }
        #expect(try subscriber.receive(timeout: .seconds(5)) == [Array("iom.v1.secret".utf8)])
        #expect(try impostor.receive(timeout: .milliseconds(500)) == nil)
        #expect(try stranger.receive(timeout: .milliseconds(500)) == nil)
        #expect(proxy.stderrContains("failed the handshake"), "the refused subscriber is logged")
        // The reason and the key are metadata of the line, not part of its message.
        #expect(proxy.stderrContains("refused a subscriber"), "\(proxy.stderr)")
        #expect(proxy.stderrContains("client key \(strangerKeys.publicKey.z85) is not in the allow-list"), "\(proxy.stderr)")

        proxy.signal(SIGTERM)
        #expect(proxy.wait(timeout: .seconds(10))?.status == 0)
    }

    @Test("an unreachable publisher is logged as not reachable yet; the proxy keeps running and still stops cleanly")
    func unreachablePublisher() throws {
        // A port that was free a moment ago: nothing listens there.
        let context = try Context()
        let probe = try context.socket(.pub)
        try probe.bind("tcp://127.0.0.1:*")
        let unused = try probe.lastEndpoint
        try probe.unbind(unused)

        let proxy = try IOMProcess(["proxy", "--frontend", unused, "--backend", "tcp://127.0.0.1:*", "--insecure"])
        _ = try started(proxy)
        #expect(proxy.stderrContains("is not reachable yet"), "\(proxy.stderr)")
        #expect(proxy.process.isRunning)
        proxy.signal(SIGTERM)
        #expect(proxy.wait(timeout: .seconds(10))?.status == 0)
    }

    @Test("a backend address already in use exits 69 and says to choose another port")
    func addressInUse() throws {
        let context = try Context()
        let squatter = try context.socket(.pub)
        try squatter.bind("tcp://127.0.0.1:*")
        let outcome = try iom("proxy", "--frontend", "tcp://127.0.0.1:9", "--backend", try squatter.lastEndpoint, "--insecure")
        #expect(outcome.status == 69, "\(outcome)")
        #expect(outcome.stderr.contains("choose another port"))
    }

    @Test("an address of no local interface exits 69")
    func foreignAddress() throws {
        let outcome = try iom("proxy", "--frontend", "tcp://127.0.0.1:9", "--backend", "tcp://192.0.2.1:5570", "--insecure")
        #expect(outcome.status == 69, "\(outcome)")
        #expect(outcome.stderr.contains("192.0.2.1"))
    }

    @Test("invalid endpoints are usage errors (64) showing the endpoint syntax",
          arguments: [
              ["--frontend", "localhost:5560", "--backend", "tcp://127.0.0.1:*"],
              ["--frontend", "carrier-pigeon://coop", "--backend", "tcp://127.0.0.1:*"],
              ["--frontend", "tcp://127.0.0.1:*", "--backend", "tcp://127.0.0.1:*"],
              ["--frontend", "tcp://127.0.0.1:9", "--backend", "tcp://127.0.0.1:not-a-port"],
              ["--backend", "tcp://127.0.0.1:*"],
          ])
    func invalidEndpoints(arguments: [String]) throws {
        let outcome = try iom(["proxy"] + arguments + ["--insecure"])
        #expect(outcome.status == 64, "\(outcome)")
        #expect(outcome.stderr.contains("tcp://") || outcome.stderr.contains("--frontend"), "\(outcome)")
    }

    @Test("plain text over tcp needs --insecure; the error says which key flag to pass")
    func plainTextNeedsOptIn() throws {
        let backend = try iom("proxy", "--frontend", "tcp://127.0.0.1:9", "--backend", "tcp://127.0.0.1:*")
        #expect(backend.status == 64, "\(backend)")
        #expect(backend.stderr.contains("--curve-secret-key"))
        #expect(backend.stderr.contains("--insecure"))
    }

    @Test("a secret key file readable by others is refused (77) with the chmod to run; a missing one exits 66")
    func insecureKeyFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try iom("keygen", "--out", directory, "--name", "proxy").status == 0)
        let key = directory + "/proxy.key"
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let refused = try iom("proxy", "--frontend", "tcp://127.0.0.1:9", "--backend", "tcp://127.0.0.1:*",
                              "--curve-secret-key", key, "--allow", directory + "/proxy.pub", "--insecure")
        #expect(refused.status == 77, "\(refused)")
        #expect(refused.stderr.contains("chmod 600 \(key)"))

        let missing = try iom("proxy", "--frontend", "tcp://127.0.0.1:9", "--backend", "tcp://127.0.0.1:*",
                              "--curve-secret-key", directory + "/none.key", "--allow", directory + "/proxy.pub", "--insecure")
        #expect(missing.status == 66, "\(missing)")
        #expect(missing.stderr.contains("iom keygen"))

        let publisherOnly = try iom("proxy", "--frontend", "tcp://127.0.0.1:9", "--backend", "tcp://127.0.0.1:*",
                                    "--curve-publisher-key", directory + "/proxy.pub")
        #expect(publisherOnly.status == 64, "\(publisherOnly)")
        #expect(publisherOnly.stderr.contains("--curve-secret-key"))

        let noAllowList = try iom("proxy", "--frontend", "tcp://127.0.0.1:9", "--backend", "tcp://127.0.0.1:*",
                                  "--curve-secret-key", directory + "/proxy.key")
        #expect(noAllowList.status == 64, "\(noAllowList)")
        #expect(noAllowList.stderr.contains("--allow"))
    }
}
