import Foundation
import Testing

@Suite("README: the iom examples", .timeLimit(.minutes(2)))
struct ReadmeCLITests {
    /// The first `sh` block of the README's `iom` section, without comment lines.
    static func firstExample() throws -> [String] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## The `iom` command"), "README has no iom section")
        let rest = readme[section.upperBound...]
        let start = try #require(rest.range(of: "```sh\n"))
        let end = try #require(rest[start.upperBound...].range(of: "```"))
        return rest[start.upperBound..<end.lowerBound].split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    @Test("the keygen and save example runs as written and prints what the README shows")
    func example() throws {
        let lines = try Self.firstExample()
        #expect(lines.count == 2)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createSymbolicLink(atPath: directory + "/Protocols", withDestinationPath: packageRoot.appendingPathComponent("Protocols").path)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-e", "-c", lines.joined(separator: "\n")]
        shell.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = try iomBinary().deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        shell.environment = environment
        let output = Pipe()
        shell.standardOutput = output
        shell.standardError = FileHandle.nullDevice
        try shell.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0, "\(text)")
        #expect(text.contains("saved mission mission-ma: version 1, sequence 1"))
        #expect(try permissions(directory + "/keys/node.key") == 0o600)
        #expect(FileManager.default.fileExists(atPath: directory + "/iom.sqlite"))
    }
}
