import Foundation
import Synchronization
import Testing

/// The built `iom` executable: next to the test bundle (the test target depends on the `iom`
/// product, so `swift build --build-tests` builds it), or `IOM_BINARY` when set.
func iomBinary() throws -> URL {
    let name = "iom"
    var candidates: [URL] = []
    if let override = ProcessInfo.processInfo.environment["IOM_BINARY"] {
        candidates.append(URL(fileURLWithPath: override))
    }
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 {  // .build/debug/X.xctest[/Contents/MacOS/X] → .build/debug
        candidates.append(directory.appendingPathComponent(name))
        directory = directory.deletingLastPathComponent()
    }
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name))
    candidates.append(packageRoot.appendingPathComponent(".build/debug/\(name)"))
    // A directory named `iom` (e.g. Sources/iom) is not the binary.
    let found = candidates.first { url in
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: url.path)
    }
    return try #require(found, "the iom binary was not found; build it with `swift build --build-tests` (tried \(candidates.map(\.path)))")
}

/// The package's root directory (for `Protocols/vectors`).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A fresh temporary directory; remove it with `FileManager.default.removeItem(atPath:)`.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "iom-cli-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    return path
}

/// What a finished `iom` run left behind.
struct Outcome: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// A running `iom` process whose output goes to files (so it can never block on a full pipe).
final class IOMProcess {
    let process = Process()
    private let stdoutPath: String
    private let stderrPath: String

    init(_ arguments: [String], in directory: String? = nil, stdin: String? = nil) throws {
        let base = NSTemporaryDirectory() + "iom-cli-out-" + UUID().uuidString
        stdoutPath = base + ".out"
        stderrPath = base + ".err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = try iomBinary()
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        if let stdin {
            let pipe = Pipe()
            process.standardInput = pipe
            try process.run()
            pipe.fileHandleForWriting.write(Data(stdin.utf8))
            try pipe.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        ChildProcesses.started(process.processIdentifier)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        ChildProcesses.ended(process.processIdentifier)
        try? FileManager.default.removeItem(atPath: stdoutPath)
        try? FileManager.default.removeItem(atPath: stderrPath)
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits for the process to end, killing it after `timeout`; `nil` if it had to be killed.
    func wait(timeout: Duration = .seconds(30)) -> Outcome? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Waits until standard output has a line starting with `prefix` (or the process ends, or
    /// `timeout` passes) and returns that line.
    func line(startingWith prefix: String, timeout: Duration = .seconds(20)) -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = stdout.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) { return String(line) }
            if !process.isRunning { return nil }
            usleep(10_000)
        }
        return nil
    }

    /// Waits until standard error contains `text`.
    func stderrContains(_ text: String, timeout: Duration = .seconds(20)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if stderr.contains(text) { return true }
            usleep(20_000)
        }
        return false
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }
}

/// Runs `iom` with `arguments` to completion (at most 60 s).
func iom(_ arguments: String..., in directory: String? = nil, stdin: String? = nil) throws -> Outcome {
    try iom(arguments, in: directory, stdin: stdin)
}

func iom(_ arguments: [String], in directory: String? = nil, stdin: String? = nil) throws -> Outcome {
    let process = try IOMProcess(arguments, in: directory, stdin: stdin)
    return try #require(process.wait(timeout: .seconds(60)), "iom \(arguments.joined(separator: " ")) did not finish in 60 s")
}

/// The permission bits of a file.
func permissions(_ path: String) throws -> Int {
    try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
}

/// Every `iom` process the tests started and have not released: killed when the test process
/// exits, so a child whose ``IOMProcess`` was never released (a test that ended early, a
/// leaked reference) does not outlive the run and hold ports or files.
enum ChildProcesses {
    private static let running = Mutex<Set<Int32>>([])
    private static let installed: Void = { atexit { ChildProcesses.killAll() } }()

    static func started(_ pid: Int32) {
        _ = installed
        running.withLock { _ = $0.insert(pid) }
    }

    static func ended(_ pid: Int32) {
        running.withLock { _ = $0.remove(pid) }
    }

    static func killAll() {
        for pid in running.withLock({ $0 }) { kill(pid, SIGKILL) }
    }
}
