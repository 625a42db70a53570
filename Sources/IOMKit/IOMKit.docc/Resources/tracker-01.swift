import IOMKit
import IOMFixtures   // the seed: the organisation, the Morocco mission, the 24 July 2017 Rabat breakfast

let iom = try await IOM.open(IOMConfiguration(store: .init(location: .file(path: "mission-tracker.sqlite"))))

// Save the seed in dependency order: the organisation, its mission, the mission's event.
do {
    try await iom.organisations.create(Seed.organisation)
    let saved = try await iom.missions.create(Seed.moroccoMission)
    print("saved \(saved.record.id) version \(saved.record.version) as change #\(saved.sequence)")
    try await iom.events.create(Seed.rabatBreakfast2017)
} catch {
    switch error.code {                  // error: IOMError
    case .alreadyExists: print("\(error.recordID ?? "") is already at version \(error.storedVersion ?? 0): nothing saved")
    case .invalid: print(error.validation?.description ?? "\(error)")   // every field named, e.g. mission.country
    default: throw error
    }
}

try await iom.close()
