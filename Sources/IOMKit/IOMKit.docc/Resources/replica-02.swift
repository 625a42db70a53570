import IOMKit
import ZeroMQ   // CurveKeyFile

// This service's key pair, and the node's public key to authenticate the node.
let security = SubscriberSecurity.curve(client: try CurveKeyFile.readKeyPair(secretKeyPath: "keys/replica.key"),
                                        server: try CurveKeyFile.readPublicKey(at: "keys/node.pub"))

// A snapshot of the node's records first, then every change, gaps repaired from its journal.
let replica = try Replica.start(SubscriberConfiguration(
    upstreams: [.init(events: "tcp://127.0.0.1:5670", sync: "tcp://127.0.0.1:5671")], security: security))
let missionChanges = try replica.changes()   // before the snapshot lands: nothing missed

for await status in replica.subscriber.status {
    if case .joined(let source, let sequence, let records) = status {
        print("joined \(source) at change #\(sequence): \(records) records")
        break
    }
}

// The question, answered from the copy in memory: open missions, by country.
func answer() {
    let open = replica.all(Mission.self).filter { $0.status == .open }
    for (country, missions) in Dictionary(grouping: open, by: \.country).sorted(by: { $0.key < $1.key }) {
        print("  \(country.name): \(missions.count) open")
    }
}
answer()

// The copy already holds each change when it arrives here.
for try await change in missionChanges where change.topic == .mission {
    print("change #\(change.sequence): mission \(change.change.recordID) \(change.kind)")
    answer()
}
