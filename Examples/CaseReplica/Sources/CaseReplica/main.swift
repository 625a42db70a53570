// CaseReplica: a read model of an IOMKit node's records, kept current over the bridge, that
// answers "which missions are open, by country?" — at once, and again after every change.
//
//   iom keygen --out keys --name node && iom keygen --out keys --name replica
//   iom serve --secret-key keys/node.key --allow service:keys/replica.pub
//   swift run CaseReplica --server-key keys/node.pub --secret-key keys/replica.key
import Foundation
import IOMKit
import ZeroMQ   // CurveKeyFile

let options: Options
do { options = try Options(Array(CommandLine.arguments.dropFirst())) } catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(64)
}

// CURVE: this service's key pair, and the node's public key to authenticate the node. The node
// admits the key only if it is on its allow-list (`--allow service:replica.pub`).
let security: SubscriberSecurity = options.insecure
    ? .insecure
    : .curve(client: try CurveKeyFile.readKeyPair(secretKeyPath: options.secretKey),
             server: try CurveKeyFile.readPublicKey(at: options.serverKey))

// A snapshot of the node's current records first, then every change, gaps repaired from its journal.
let replica = try Replica.start(SubscriberConfiguration(
    upstreams: [.init(events: options.events, sync: options.sync)], security: security))
let missionChanges = try replica.changes()   // before the snapshot lands: nothing missed

/// The question, answered from the read model in memory: open missions, grouped by country.
func openMissionsByCountry() -> [(country: CountryCode, missions: [Mission])] {
    let open = replica.all(Mission.self).filter { $0.status == .open }
    return Dictionary(grouping: open, by: \.country).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
}

func answer(_ heading: String) {
    print(heading)
    for (country, missions) in openMissionsByCountry() {
        print("  \(country.alpha2) \(country.name): \(missions.count) open — \(missions.map(\.id.rawValue).joined(separator: ", "))")
    }
}

// Wait for the snapshot; a node that does not answer within 10 seconds is reported.
let joined = Task { () -> (source: SourceID, sequence: UInt64, records: Int)? in
    for await status in replica.subscriber.status {
        if case .joined(let source, let sequence, let records) = status { return (source, sequence, records) }
    }
    return nil   // cancelled: no snapshot in time
}
let timeout = Task { try await Task.sleep(for: .seconds(10)); joined.cancel() }
guard let join = await joined.value else {
    FileHandle.standardError.write(Data("no snapshot from \(options.sync) within 10 s: is `iom serve` running there, with this key allowed?\n".utf8))
    exit(69)
}
timeout.cancel()
answer("joined node \(join.source) at change #\(join.sequence) (\(join.records) records). Open missions by country:")
if options.once {
    replica.stop()
    exit(0)
}

// Every later mission change: the read model already holds it when the change arrives here.
for try await change in missionChanges where change.topic == .mission {
    answer("change #\(change.sequence): mission \(change.change.recordID) \(change.kind). Open missions by country:")
}
