import Foundation
import Testing
import ZeroMQ

@Suite("CURVE key files")
struct CurveKeyFileTests {
    /// A fresh empty directory, removed by the caller.
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "iomkit-keys-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    private func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    @Test("a written pair reads back equal; files are 40 Z85 characters and a newline")
    func roundTrip() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pair = try CurveKeyPair.generate()
        let paths = try CurveKeyFile.write(pair, directory: directory, name: "node")
        #expect(paths.publicKeyPath == directory + "/node.pub")
        #expect(paths.secretKeyPath == directory + "/node.key")
        #expect(try String(contentsOfFile: paths.publicKeyPath, encoding: .utf8) == pair.publicKey.z85 + "\n")
        #expect(try String(contentsOfFile: paths.secretKeyPath, encoding: .utf8) == pair.secretKey.z85 + "\n")
        #expect(try CurveKeyFile.readPublicKey(at: paths.publicKeyPath) == pair.publicKey)
        #expect(try CurveKeyFile.readSecretKey(at: paths.secretKeyPath) == pair.secretKey)
        #expect(try CurveKeyFile.readKeyPair(secretKeyPath: paths.secretKeyPath) == pair)
    }

    @Test("the secret file is created with mode 0600 even under a permissive umask")
    func secretFileMode() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let previous = umask(0)
        defer { umask(previous) }
        let paths = try CurveKeyFile.write(try CurveKeyPair.generate(), directory: directory, name: "open-umask")
        #expect(try mode(paths.secretKeyPath) == 0o600)
        #expect(try mode(paths.publicKeyPath) == 0o644)
    }

    @Test("an existing pair is not overwritten, and nothing is half written")
    func refusesOverwrite() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try CurveKeyPair.generate()
        let paths = try CurveKeyFile.write(first, directory: directory, name: "node")
        #expect(throws: CurveKeyFileError.exists(path: paths.secretKeyPath)) {
            try CurveKeyFile.write(try CurveKeyPair.generate(), directory: directory, name: "node")
        }
        #expect(try CurveKeyFile.readKeyPair(secretKeyPath: paths.secretKeyPath) == first)

        // Only the public file exists: still refused, and no secret file appears.
        try FileManager.default.removeItem(atPath: paths.secretKeyPath)
        #expect(throws: CurveKeyFileError.exists(path: paths.publicKeyPath)) {
            try CurveKeyFile.write(try CurveKeyPair.generate(), directory: directory, name: "node")
        }
        #expect(!FileManager.default.fileExists(atPath: paths.secretKeyPath))
    }

    @Test("overwrite replaces both files and keeps the secret file at 0600")
    func overwrite() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try CurveKeyFile.write(try CurveKeyPair.generate(), directory: directory, name: "node")
        let second = try CurveKeyPair.generate()
        let paths = try CurveKeyFile.write(second, directory: directory, name: "node", overwrite: true)
        #expect(try CurveKeyFile.readKeyPair(secretKeyPath: paths.secretKeyPath) == second)
        #expect(try mode(paths.secretKeyPath) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["node.key", "node.pub"])
    }

    @Test("a secret key file readable or writable by group or others is refused with the chmod to run",
          arguments: [0o644, 0o640, 0o604, 0o620, 0o602, 0o666])
    func refusesInsecureSecretFile(permissions: Int) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = try CurveKeyFile.write(try CurveKeyPair.generate(), directory: directory, name: "node")
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: paths.secretKeyPath)
        let error = #expect(throws: CurveKeyFileError.self) { try CurveKeyFile.readSecretKey(at: paths.secretKeyPath) }
        #expect(error == .insecurePermissions(path: paths.secretKeyPath, mode: UInt32(permissions)))
        #expect(error?.description.contains("chmod 600 \(paths.secretKeyPath)") == true)
        #expect(throws: CurveKeyFileError.self) { try CurveKeyFile.readKeyPair(secretKeyPath: paths.secretKeyPath) }
        // After the advised fix the key is accepted.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: paths.secretKeyPath)
        #expect(throws: Never.self) { try CurveKeyFile.readSecretKey(at: paths.secretKeyPath) }
        // 0400 is fine too: only the owner can read it.
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: paths.secretKeyPath)
        #expect(throws: Never.self) { try CurveKeyFile.readSecretKey(at: paths.secretKeyPath) }
    }

    @Test("a public key file may be world-readable")
    func publicFileReadable() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pair = try CurveKeyPair.generate()
        let paths = try CurveKeyFile.write(pair, directory: directory, name: "node")
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: paths.publicKeyPath)
        #expect(try CurveKeyFile.readPublicKey(at: paths.publicKeyPath) == pair.publicKey)
    }

    @Test("missing, malformed and mismatched key files are refused with the path in the message")
    func badFiles() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = directory + "/missing.pub"
        #expect(throws: CurveKeyFileError.notFound(path: missing)) { try CurveKeyFile.readPublicKey(at: missing) }

        let short = directory + "/short.pub"
        try "abc\n".write(toFile: short, atomically: false, encoding: .utf8)
        let shortError = #expect(throws: CurveKeyFileError.self) { try CurveKeyFile.readPublicKey(at: short) }
        #expect(shortError?.description.hasPrefix(short) == true)

        let notZ85 = directory + "/bad.pub"
        try (String(repeating: "\"", count: 40) + "\n").write(toFile: notZ85, atomically: false, encoding: .utf8)
        #expect(throws: CurveKeyFileError.malformed(path: notZ85, reason: "is not valid Z85")) {
            try CurveKeyFile.readPublicKey(at: notZ85)
        }

        let huge = directory + "/huge.pub"
        try String(repeating: "a", count: 100_000).write(toFile: huge, atomically: false, encoding: .utf8)
        #expect(throws: CurveKeyFileError.self) { try CurveKeyFile.readPublicKey(at: huge) }

        #expect(throws: CurveKeyFileError.self) { try CurveKeyFile.readPublicKey(at: directory) }

        // A .pub beside the .key that belongs to another pair.
        let paths = try CurveKeyFile.write(try CurveKeyPair.generate(), directory: directory, name: "node")
        try CurveKeyFile.writePublicKey(try CurveKeyPair.generate().publicKey, to: paths.publicKeyPath, overwrite: true)
        #expect(throws: CurveKeyFileError.mismatch(secretKeyPath: paths.secretKeyPath, publicKeyPath: paths.publicKeyPath)) {
            try CurveKeyFile.readKeyPair(secretKeyPath: paths.secretKeyPath)
        }
    }

    @Test("names with a slash, a leading dot or nothing at all are refused", arguments: ["", "a/b", ".hidden", "../up"])
    func badNames(name: String) throws {
        #expect(throws: CurveKeyFileError.invalidName(name)) {
            try CurveKeyFile.write(try CurveKeyPair.generate(), directory: NSTemporaryDirectory(), name: name)
        }
    }

    @Test("a missing directory is an I/O error naming the path")
    func missingDirectory() throws {
        let directory = NSTemporaryDirectory() + "iomkit-no-such-dir-" + UUID().uuidString
        let error = #expect(throws: CurveKeyFileError.self) {
            try CurveKeyFile.write(try CurveKeyPair.generate(), directory: directory, name: "node")
        }
        #expect(error?.description.contains(directory) == true)
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("concurrent writers of one name: exactly one wins, the others are told it exists")
    func concurrentWriters() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do {
                        try CurveKeyFile.writeSecretKey(try CurveKeyPair.generate().secretKey, to: directory + "/race.key")
                        return true
                    } catch { return false }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        #expect(try mode(directory + "/race.key") == 0o600)
        #expect(throws: Never.self) { try CurveKeyFile.readSecretKey(at: directory + "/race.key") }
    }

    @Test("keys read from files drive a CURVE handshake")
    func keysFromFilesWork() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let serverPaths = try CurveKeyFile.write(try CurveKeyPair.generate(), directory: directory, name: "server")
        let clientPaths = try CurveKeyFile.write(try CurveKeyPair.generate(), directory: directory, name: "client")
        let context = try Context()
        let pull = try context.socket(.pull)
        try pull.set(.curveServer, true)
        try pull.set(.curveSecretKey, try CurveKeyFile.readSecretKey(at: serverPaths.secretKeyPath))
        try pull.bind("tcp://127.0.0.1:*")
        let push = try context.socket(.push)
        let client = try CurveKeyFile.readKeyPair(secretKeyPath: clientPaths.secretKeyPath)
        try push.set(.curveServerKey, try CurveKeyFile.readPublicKey(at: serverPaths.publicKeyPath))
        try push.set(.curvePublicKey, client.publicKey)
        try push.set(.curveSecretKey, client.secretKey)
        try push.connect(try pull.lastEndpoint)
        try push.send([Array("over curve".utf8)])
        #expect(try pull.receive(timeout: .seconds(5)) == [Array("over curve".utf8)])
    }
}
