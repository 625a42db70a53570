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
        let iom = try await IOM.open(configuration)
        do {
            // --- as in README.md, with `configuration` for `IOM.open()` ---
            let saved = try await iom.missions.create(Seed.moroccoMission)
            print("saved \(saved.record.id) version \(saved.record.version) as change #\(saved.sequence)")
            // ---
            #expect(run == 1 && saved.sequence == 1 && saved.record.version == 1)
        } catch {
            #expect(run == 2)
            #expect(error.code == .alreadyExists && error.storedVersion == 1)
        }
        try await iom.close()
    }
}

/// The README's error handling and protection-case lines, as written there (with a temporary
/// store instead of `./iom.sqlite`).
@Test("the README's catch and protection-case examples run as written")
func readmeErrorsAndCases() async throws {
    let path = NSTemporaryDirectory() + "iomkit-readme-\(UUID().uuidString).sqlite"
    defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    // --- as in README.md, with the store at `path` ---
    var configuration = IOMConfiguration(store: StoreConfiguration(location: .file(path: path)))
    configuration.security.keyRing = try KeyRing([HostKey.random(id: "k1")])   // identifying fields are sealed at rest
    let iom = try await IOM.open(configuration)
    let cases = iom.protectionCases(as: .caseworker("FICTIONAL caseworker A"), purpose: .caseManagement)
    try await cases.create(FictionalCases.minimal)               // the caseworker's own case
    let mine = try await cases.list().records                     // their own cases, whole
    let stats = iom.protectionCases(as: .analyst("an-1"), purpose: .statistics)
    let banded = try await stats.list().records                   // banded copies, never identifying fields
    // ---
    #expect(mine == [FictionalCases.minimal])
    #expect(banded.count == 1 && banded[0].identifying == nil)

    try await iom.missions.create(Seed.moroccoMission)
    var reported = ""
    // --- as in README.md ---
    do {
        try await iom.missions.create(Seed.moroccoMission)
    } catch {
        switch error.code {                  // error: IOMError
        case .alreadyExists: print("\(error.recordID!) is already at version \(error.storedVersion!)"); reported = "\(error.recordID!) v\(error.storedVersion!)"
        case .invalid: print(error.validation!)                   // every field named, e.g. mission.country
        default: print(error)
        }
    }
    // ---
    #expect(reported == "mission-ma v1")
    try await iom.close()
}
