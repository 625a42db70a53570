import Foundation
import IOMFixtures
import IOMKit
import IOMTestSupport
import Testing
import ZeroMQ

/// The README's bridge example, line for line, with the key files in a temporary directory and
/// free ports instead of 5670/5671 (tests run in parallel).
@Test("the README's bridge example runs: a CURVE node and a replica that receives its records", .timeLimit(.minutes(1)))
func readmeBridgeExample() async throws {
    let directory = NSTemporaryDirectory() + "iomkit-readme-bridge-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    _ = try CurveKeyFile.write(try CurveKeyPair.generate(), directory: directory, name: "node")
    _ = try CurveKeyFile.write(try CurveKeyPair.generate(), directory: directory, name: "replica")
    let events = try unusedLoopbackEndpoint(), sync = try unusedLoopbackEndpoint()

    // --- as in README.md ---
    let nodeKeys = try CurveKeyFile.readKeyPair(secretKeyPath: directory + "/node.key")
    let replicaKey = try CurveKeyFile.readPublicKey(at: directory + "/replica.pub")
    var configuration = IOMConfiguration.inMemory
    configuration.publisher = PublisherConfiguration(events: events, sync: sync,
                                                     security: .curve(nodeKeys, allow: try ClientAllowList([replicaKey.z85: .service("replica-1")])))
    let iom = try await IOM.open(configuration)
    let node = Task { try await iom.run() }           // publishes while it runs, until iom.close() drains it
    _ = try await iom.missions.save(Seed.moroccoMission)

    let replica = try Replica.start(SubscriberConfiguration(
        upstreams: [.init(events: events, sync: sync)],
        security: .curve(client: try CurveKeyFile.readKeyPair(secretKeyPath: directory + "/replica.key"), server: nodeKeys.publicKey)))
    // ---
    try await eventually("the replica holds the mission") { replica.all(Mission.self).map(\.id) == [Seed.moroccoMission.id] }
    _ = try await iom.events.save(Seed.rabatBreakfast2017)
    try await eventually("the replica follows") { replica.count == 2 }
    replica.stop()
    try await iom.close()
    try await node.value
}

