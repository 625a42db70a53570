import Foundation
import Testing
import ZeroMQ

/// A running `iom serve` on free ports, with its readiness line parsed.
final class Node {
    let process: IOMProcess
    /// `events`, `sync`, `accept` (with --accept) and `source` from the first line.
    let endpoints: [String: String]
    var events: String { endpoints["events"]! }
    var sync: String { endpoints["sync"]! }
    var accept: String { endpoints["accept"]! }
    var source: String { endpoints["source"]! }

    /// Starts `iom serve --store STORE` on `tcp://127.0.0.1:*` endpoints (plain text unless
    /// `extra` has security flags) and waits for its first line.
    init(store: String, accept: Bool = true, extra: [String] = ["--insecure"]) throws {
        var arguments = ["serve", "--store", store, "--publish", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"]
        if accept { arguments += ["--accept", "tcp://127.0.0.1:*"] }
        process = try IOMProcess(arguments + extra)
        let line = try #require(process.line(startingWith: "serving "), "no readiness line; stderr: \(process.stderr)")
        var endpoints: [String: String] = [:]
        for pair in line.split(separator: " ").dropFirst() {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { endpoints[String(parts[0])] = String(parts[1]) }
        }
        self.endpoints = endpoints
    }

    /// SIGTERM, then the outcome (nil if it did not stop within 20 s).
    func stop() -> Outcome? {
        process.signal(SIGTERM)
        return process.wait(timeout: .seconds(20))
    }
}

/// The sequences at the start of each `iom tail` text line.
func sequences(_ stdout: String) -> [UInt64] {
    stdout.split(separator: "\n").compactMap { UInt64($0.split(separator: " ").first ?? "") }
}

/// The seed Morocco mission with another id (a new record at version 1).
func missionJSON(id: String) throws -> String {
    try String(contentsOfFile: packageRoot.appendingPathComponent("Protocols/vectors/mission_morocco.json").path, encoding: .utf8)
        .replacingOccurrences(of: #""id":"mission-ma""#, with: #""id":"\#(id)""#)
}

/// The minimal fictional protection case with another id.
func caseJSON(id: String) throws -> String {
    try String(contentsOfFile: packageRoot.appendingPathComponent("Protocols/vectors/protection_case_minimal_fictional.json").path, encoding: .utf8)
        .replacingOccurrences(of: #""id":"case-fictional-0001""#, with: #""id":"\#(id)""#)
}

/// A host key file (32 random bytes as hex, mode 0600).
func writeHostKey(_ path: String) throws {
    let hex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    #expect(FileManager.default.createFile(atPath: path, contents: Data(hex.utf8), attributes: [.posixPermissions: 0o600]))
}
