// iom-store-crash-helper <store-path> [concurrent-savers]
//
// Saves records in a loop with several concurrent savers and prints the sequence of every
// save that returned, one per line, flushed at once. The SIGKILL crash test kills it and
// checks that every printed sequence survived.
import Foundation
import IOMStore

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: iom-store-crash-helper <store-path> [concurrent-savers]\n".utf8))
    exit(2)
}
let path = arguments[1]
let savers = arguments.count >= 3 ? max(1, Int(arguments[2]) ?? 4) : 4
let output = NSLock()

let store = try await RecordStore.open(StoreConfiguration(location: .file(path: path)))
await withThrowingTaskGroup(of: Void.self) { group in
    for saver in 0..<savers {
        group.addTask {
            var counter = 0
            while true {
                counter += 1
                let id = "\(saver)-\(counter)-\(UUID().uuidString.prefix(8))"
                let entry = try await store.apply(.create(type: "crash", id: id, payload: Array(repeating: UInt8(saver), count: 64)))
                // Unbuffered write(2): the line is out of the process before the next save starts.
                let line = Array("\(entry.sequence) \(id)\n".utf8)
                output.withLock { _ = line.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) } }
            }
        }
    }
    try? await group.waitForAll()
}
