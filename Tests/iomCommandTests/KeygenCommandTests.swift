import Foundation
import Testing
import ZeroMQ

@Suite("iom keygen", .timeLimit(.minutes(2)))
struct KeygenCommandTests {
    @Test("writes NAME.pub (0644) and NAME.key (0600) that load as a matching pair, and prints the public key")
    func createsPair() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try iom("keygen", "--out", directory, "--name", "node-rabat")
        #expect(outcome.status == 0, "\(outcome)")
        let pair = try CurveKeyFile.readKeyPair(secretKeyPath: directory + "/node-rabat.key")
        #expect(try CurveKeyFile.readPublicKey(at: directory + "/node-rabat.pub") == pair.publicKey)
        #expect(outcome.stdout.contains(pair.publicKey.z85))
        #expect(!outcome.stdout.contains(pair.secretKey.z85), "the secret key must never be printed")
        #expect(try permissions(directory + "/node-rabat.key") == 0o600)
        #expect(try permissions(directory + "/node-rabat.pub") & 0o777 == 0o644)
    }

    @Test("defaults: iom.pub and iom.key in the working directory")
    func defaults() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try iom("keygen", in: directory)
        #expect(outcome.status == 0, "\(outcome)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["iom.key", "iom.pub"])
    }

    @Test("refuses to overwrite an existing pair (73, says --force) and leaves it intact; --force replaces it")
    func overwrite() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try iom("keygen", "--out", directory).status == 0)
        let first = try CurveKeyFile.readKeyPair(secretKeyPath: directory + "/iom.key")

        let refused = try iom("keygen", "--out", directory)
        #expect(refused.status == 73, "\(refused)")
        #expect(refused.stderr.contains("already exists"))
        #expect(refused.stderr.contains("--force"))
        #expect(try CurveKeyFile.readKeyPair(secretKeyPath: directory + "/iom.key") == first)

        let forced = try iom("keygen", "--out", directory, "--force")
        #expect(forced.status == 0, "\(forced)")
        let second = try CurveKeyFile.readKeyPair(secretKeyPath: directory + "/iom.key")
        #expect(second != first)
        #expect(try permissions(directory + "/iom.key") == 0o600)
    }

    @Test("a missing --out directory is refused with the mkdir to run")
    func missingDirectory() throws {
        let directory = NSTemporaryDirectory() + "iom-cli-missing-" + UUID().uuidString
        let outcome = try iom("keygen", "--out", directory)
        #expect(outcome.status == 73, "\(outcome)")
        #expect(outcome.stderr.contains("mkdir -p \(directory)"))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("a name with a slash or a leading dot is a usage error", arguments: ["../escape", ".hidden", ""])
    func badName(name: String) throws {
        let outcome = try iom("keygen", "--out", NSTemporaryDirectory(), "--name", name)
        #expect(outcome.status == 64, "\(outcome)")
        #expect(outcome.stderr.contains("--name"))
    }

    @Test("two keygens racing for one name: one wins, the other exits 73, the pair is consistent")
    func race() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let runs = try (0..<4).map { _ in try IOMProcess(["keygen", "--out", directory, "--name", "race"]) }
        let outcomes = runs.compactMap { $0.wait() }
        #expect(outcomes.count == 4)
        #expect(outcomes.filter { $0.status == 0 }.count == 1, "\(outcomes)")
        #expect(outcomes.filter { $0.status == 73 }.count == 3, "\(outcomes)")
        #expect(throws: Never.self) { try CurveKeyFile.readKeyPair(secretKeyPath: directory + "/race.key") }
    }
}
