import Foundation
import IOMFixtures
import IOMKit
import IOMStore
import Testing

/// The README's first program. The default configuration writes `./iom.sqlite`; changing the
/// working directory would disturb tests running in parallel, so this runs the same lines on
/// a temporary file and checks the default location separately.
@Test("the README's first program runs; run again on the same file, its create is refused, never a version 2")
func readmeFirstProgram() async throws {
    #expect(IOMConfiguration().store.location == .file(path: "iom.sqlite"))
    let path = NSTemporaryDirectory() + "iomkit-readme-\(UUID().uuidString).sqlite"
    defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    let configuration = IOMConfiguration(store: StoreConfiguration(location: .file(path: path)))

    for run in 1...2 {
        let iom = try await IOMKit.open(configuration)
        do {
            // --- as in README.md, with `configuration` for `IOMKit.open()` ---
            let saved = try await iom.missions.create(Seed.moroccoMission)
            print("saved \(saved.record.id) version \(saved.record.version) as change #\(saved.sequence)")
            // ---
            #expect(run == 1 && saved.sequence == 1 && saved.record.version == 1)
        } catch {
            #expect(run == 2)
            guard case .alreadyExists(_, _, 1) = error else { Issue.record("\(error)"); return }
        }
        try await iom.close()
    }
}
