import Foundation
import IOMStore
import Testing

@Suite("Crash: SIGKILL during saves", .timeLimit(.minutes(2)))
struct CrashTests {
    /// The helper is built next to the test bundle (the test target depends on it).
    static func helperURL() -> URL? {
        let name = "iom-store-crash-helper"
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["IOM_STORE_CRASH_HELPER"] {
            candidates.append(URL(fileURLWithPath: override))
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {  // .build/debug/X.xctest[/Contents/MacOS/X] → .build/debug
            candidates.append(directory.appendingPathComponent(name))
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name))
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(package.appendingPathComponent(".build/debug/\(name)"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    @Test("every save the killed child saw return is in state and journal, with no gap")
    func sigkill() async throws {
        let helper = try #require(Self.helperURL(), "build it with `swift build --build-tests`")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("crash.sqlite").path

        let process = Process()
        process.executableURL = helper
        process.arguments = [path, "8"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()

        // Read until enough saves returned (or a deadline), then kill without warning.
        var output = Data()
        let deadline = Date().addingTimeInterval(60)
        let reader = pipe.fileHandleForReading
        while Date() < deadline {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            output.append(chunk)
            if output.reduce(0, { $0 + ($1 == 0x0A ? 1 : 0) }) >= 500 { break }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        output.append(reader.readDataToEndOfFile())
        #expect(process.terminationReason == .uncaughtSignal)

        // Only complete lines count: a line is printed after its save returned.
        let text = String(decoding: output, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if !text.hasSuffix("\n") { lines.removeLast() }
        let printed: [(UInt64, String)] = lines.compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let sequence = UInt64(parts[0]) else { return nil }
            return (sequence, String(parts[1]))
        }
        #expect(printed.count >= 500)

        let store = try await RecordStore.open(StoreConfiguration(location: .file(path: path)))
        let last = try await store.lastSequence()
        var journal: [JournalEntry] = []
        while true {
            let next = try await store.journal(from: UInt64(journal.count) + 1, limit: 10_000)
            if next.isEmpty { break }
            journal += next
        }
        #expect(journal.map(\.sequence) == Array(1...max(1, last)).prefix(journal.count).map { $0 })
        #expect(UInt64(journal.count) == last)
        let journalIDs = Dictionary(uniqueKeysWithValues: journal.map { ($0.sequence, $0.recordID) })
        for (sequence, id) in printed {
            #expect(journalIDs[sequence] == id, "sequence \(sequence) was returned to the child but is not in the journal")
            #expect(try await store.get(type: "crash", id: id) != nil, "record \(id) was saved but is not in state")
        }
        #expect(try await store.snapshot().records.count == journal.count)
        // No reuse: the next save continues after the last committed one.
        #expect(try await store.apply(.create(type: "crash", id: "after", payload: [])).sequence == last + 1)
        try await store.close()
    }
}
