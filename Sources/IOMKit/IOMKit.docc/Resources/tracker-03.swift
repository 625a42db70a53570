import Foundation
import IOMKit
import IOMFixtures   // the seed: the organisation, the Morocco mission, the 24 July 2017 Rabat breakfast
import ZeroMQ        // CurveKeyFile

// Publish every committed change over ZeroMQ: CURVE-encrypted, to the replica's key only.
let nodeKeys = try CurveKeyFile.readKeyPair(secretKeyPath: "keys/node.key")      // iom keygen --out keys --name node
let replicaKey = try CurveKeyFile.readPublicKey(at: "keys/replica.pub")          // iom keygen --out keys --name replica
var configuration = IOMConfiguration(store: .init(location: .file(path: "mission-tracker.sqlite")))
configuration.publisher = PublisherConfiguration(
    events: "tcp://127.0.0.1:5670", sync: "tcp://127.0.0.1:5671",
    security: .curve(nodeKeys, allow: try ClientAllowList([replicaKey.z85: .service("replica-1")])))
let iom = try await IOM.open(configuration)
// The publisher sends while the node runs (in a service, run `iom` in your ServiceGroup).
let node = Task { try await iom.run() }

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

// Serve until Ctrl-C. Closing then sends every committed change before the process ends.
print("publishing on tcp://127.0.0.1:5670 (sync tcp://127.0.0.1:5671); Ctrl-C stops")
signal(SIGINT, SIG_IGN)
let interrupt = DispatchSource.makeSignalSource(signal: SIGINT)
await withCheckedContinuation { (stopped: CheckedContinuation<Void, Never>) in
    interrupt.setEventHandler { stopped.resume() }
    interrupt.resume()
}
try await iom.close()
try await node.value
try await follower.value
