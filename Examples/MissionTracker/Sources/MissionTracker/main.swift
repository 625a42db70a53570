// MissionTracker: saves the organisation's seed records and follows its own changes.
//
//   swift run MissionTracker [STORE]      (default ./mission-tracker.sqlite)
//
// Run it twice on the same store: the second run's creates are refused, never a version 2.
import IOMKit
import IOMFixtures   // the seed: the organisation, the Morocco mission, the 24 July 2017 Rabat breakfast

let path = CommandLine.arguments.dropFirst().first ?? "mission-tracker.sqlite"
let iom = try await IOM.open(IOMConfiguration(store: .init(location: .file(path: path))))

// Follow this service's own changes (every record type but protection cases, in journal
// order). Subscribe before saving, so that none is missed.
let changes = try iom.changes()
let follower = Task {
    for try await committed in changes {                        // a follower that falls behind is cut off, never skipped
        if let change = RecordChange<Mission>(committed) {        // the typed view of a mission's change
            print("change #\(change.sequence): mission \(change.id) \(change.kind), version \(change.version), \(change.after?.status.rawValue ?? "deleted")")
        } else {
            print("change #\(committed.sequence): \(committed.topic.rawValue) \(committed.change.recordID) \(committed.kind)")
        }
    }
}

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

// What the store holds now, read back through the typed repository.
for mission in try await iom.missions.list().records {
    print("\(mission.id): \(mission.name.any), \(mission.country.name), \(mission.status), version \(mission.version)")
}

// Closing finishes the subscription after its last change, so the follower ends too.
try await iom.close()
try await follower.value
