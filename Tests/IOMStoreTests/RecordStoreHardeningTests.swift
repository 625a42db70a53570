import Foundation
import IOMStore
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The umask is process-wide: tests that change it hold this lock, so that they do not race each other.
let umaskLock = Mutex<Void>(())

/// The permission bits of a file.
func mode(_ path: String) -> mode_t? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return info.st_mode & 0o777
}

@Suite("Store hardening: printable ids, private files")
struct RecordStoreHardeningTests {
    @Test("an id with a NUL (or any control character) is refused at save with a clear error; nothing is written",
          arguments: Backing.allCases)
    func controlCharactersInIDs(_ backing: Backing) async throws {
        try await withStore(backing) { (store: RecordStore) async throws in
            for id in ["case\u{0}cut", "case\u{1B}[2J", "line\nbreak", "zero\u{200B}width"] {
                let error = await #expect(throws: StoreError.self) {
                    try await store.apply(.create(type: "protectionCase", id: id, payload: bytes("x")))
                }
                guard case .invalidArgument(let message)? = error else { Issue.record("\(String(describing: error))"); continue }
                #expect(message.contains("record id"), "\(message)")
                #expect(message.contains("control character U+"), "\(message)")
                #expect(!message.unicodeScalars.contains { $0.value < 0x20 }, "the message itself stays printable")
            }
            await #expect(throws: StoreError.self) { try await store.apply(.create(type: "mission\u{0}", id: "MA", payload: bytes("x"))) }
            await #expect(throws: StoreError.self) {
                try await store.apply(.create(type: "mission", id: "MA", payload: bytes("x"), index: ["country": "M\u{0}A"]))
            }
            #expect(try await store.lastSequence() == 0)
        }
    }

    @Test("the store file, its WAL and SHM are created 0600 and a created directory 0700, even under umask 000")
    func privateFiles() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("private.sqlite").path
        let nested = directory.appendingPathComponent("a/b").path
        let store: RecordStore = try await {
            // umask 000 while the files are created: without explicit modes they would be 0666/0777.
            let previous = umaskLock.withLock { _ in umask(0) }
            defer { umaskLock.withLock { _ in _ = umask(previous) } }
            try PrivateFile.createDirectory(atPath: nested)
            let store = try await RecordStore.open(StoreConfiguration(location: .file(path: path)))
            try await store.apply(.create(type: "mission", id: "MA", payload: bytes("v1")))  // the WAL and SHM exist now
            return store
        }()
        defer { Task { try? await store.close() } }
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(mode(file) == 0o600, "\(file): \(String(mode(file) ?? 0, radix: 8))")
        }
        #expect(mode(nested) == 0o700)
        #expect(mode(directory.appendingPathComponent("a").path) == 0o700)
    }
}
