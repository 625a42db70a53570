import Foundation
import IOMStore

/// A fresh directory per test, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("iomstore-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Where a test store lives: a WAL file or memory (both must behave the same).
enum Backing: String, CaseIterable, Sendable, CustomStringConvertible {
    case file, memory
    var description: String { rawValue }

    func configuration(_ directory: URL) -> StoreConfiguration {
        switch self {
        case .file: StoreConfiguration(location: .file(path: directory.appendingPathComponent("store.sqlite").path))
        case .memory: StoreConfiguration(location: .inMemory)
        }
    }
}

/// Opens a store for a test and closes/removes it afterwards.
func withStore<T>(_ backing: Backing, configure: (inout StoreConfiguration) -> Void = { _ in },
                  _ body: (RecordStore) async throws -> T) async throws -> T {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var configuration = backing.configuration(directory)
    configure(&configuration)
    let store = try await RecordStore.open(configuration)
    do {
        let result = try await body(store)
        try await store.close()
        return result
    } catch {
        try? await store.close()
        throw error
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A thread-safe collector for callbacks.
final class Collector<Element: Sendable>: @unchecked Sendable {
    private var items: [Element] = []
    private let lock = NSLock()
    func append(_ new: [Element]) { lock.lock(); items += new; lock.unlock() }
    var all: [Element] { lock.lock(); defer { lock.unlock() }; return items }
}
