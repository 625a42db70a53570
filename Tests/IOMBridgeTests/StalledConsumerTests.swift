import ChangeBus
import IOMBridge
import IOMKit
import Synchronization
import Testing

/// libzmq#3937: a ZMTP heartbeat timeout on a connection whose input is stopped by a full
/// pipe makes the reconnected engine abort the process when the consumer catches up
/// (`Assertion failed: _input_stopped`). The bridge's events sockets must never reach it
/// (bridge.md §7.3).
@Suite("A consumer stalled behind full pipes", .timeLimit(.minutes(1)))
struct StalledConsumerTests {
    /// Longer than the 5 s ZMTP heartbeat timeout the bridge used to set, after its 1 s interval, and a reconnect.
    static let stall: Duration = .seconds(8)

    @Test("stalled past the old ZMTP heartbeat timeout three times over tiny high-water marks: the process survives, every change arrives once, in order")
    func stalledConsumerSurvives() async throws {
        let node = try await Node.start { $0.sendHighWaterMark = 4 }
        let bus = try ChangeBus<CommittedChange>(replayWindow: 0)
        let subscription = try bus.subscribe(.all, capacity: 2, whenFull: .wait(timeout: .seconds(60)))
        let stallAt: Set<UInt64> = [1, 101, 201]
        let stalled = StallMark()
        // The consumer stops reading at each of `stallAt` (the stall is the stimulus, not a
        // wait): the bus fills, the subscriber's thread blocks, its SUB pipe fills, and libzmq
        // stops reading the connection.
        let consumer = Task {
            var seen: [CommittedChange] = []
            do {
                for try await element in subscription {
                    guard let change = element.event else { continue }
                    seen.append(change)
                    if stallAt.contains(change.sequence) {
                        stalled.value.withLock { $0 = change.sequence }
                        try? await Task.sleep(for: Self.stall)
                        stalled.value.withLock { $0 = nil }
                    }
                }
            } catch {}
            return seen
        }
        var configuration = SubscriberConfiguration(upstreams: [node.upstream], security: .insecure, start: .beginning)
        configuration.receiveHighWaterMark = 4
        let subscriber = try BridgeSubscriber.start(configuration, bus: bus)
        let source = node.iom.store.source
        for round in 0..<3 {
            let first = round * 100
            try await node.save(first..<(first + 1))
            try await eventually("the consumer stalls at \(first + 1)") { stalled.value.withLock { $0 } == UInt64(first + 1) }
            try await node.save((first + 1)..<(first + 100))  // pile up behind the stalled consumer
            try await eventually("round \(round) delivered") { subscriber.delivered(from: source) == UInt64(first + 100) }
        }
        subscriber.stop()
        let seen = await consumer.value
        try await expectMatchesJournal(seen, node.iom.store, 1...300)
        try await node.stop()
    }
}

/// The sequence the consumer is stalled at, if it is.
final class StallMark: Sendable {
    let value = Mutex<UInt64?>(nil)
}
