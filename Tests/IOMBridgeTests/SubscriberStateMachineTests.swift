import Foundation
@testable import IOMBridge
import IOMStore
import Testing

/// The subscriber's ordering decisions, driven directly: no sockets, no threads, no sleeps.
/// Time is an input (`t0 + offset`).
@Suite("Subscriber state machine")
struct SubscriberStateMachineTests {
    typealias Machine = SubscriberStateMachine<UInt64>
    static let t0 = ContinuousClock.now
    static let a = SourceID(UUID(uuidString: "00000000-0000-4000-8000-00000000000a")!)
    static let b = SourceID(UUID(uuidString: "00000000-0000-4000-8000-00000000000b")!)

    static func machine(_ start: SubscriberConfiguration.Start = .beginning, sync: Bool = true, reorderLimit: Int = 1000,
                        upstreams: Int = 1) -> Machine {
        var machine = Machine(settings: .init(start: start, hasSync: Array(repeating: sync, count: upstreams), reorderLimit: reorderLimit,
                                              requestTimeout: .seconds(5), deadAfterIntervals: 3), now: t0)
        machine.start(now: t0)
        return machine
    }

    /// Feeds one change (its payload is its sequence) from `source`.
    static func feed(_ m: inout Machine, _ sequence: UInt64, source: SourceID = a, replayed: Bool = false, at offset: Duration = .zero) {
        m.event(source: source, sequence: sequence, item: .change(sequence), size: 100, upstream: 0, now: t0 + offset, replayed: replayed)
    }

    /// What the machine decided since the last call.
    static func take(_ m: inout Machine) -> (delivered: [UInt64], actions: [Machine.Action], counts: Machine.Counts) {
        var result: ([UInt64], [Machine.Action], Machine.Counts) = ([], [], .init())
        m.takeEffects { result = ($0, $1, $2) }
        return result
    }

    @Test("per-source resume positions (a hub's stored ones) override the start; other sources follow the start")
    func resumePerSource() {
        var m = Machine(settings: .init(start: .beginning, resume: [Self.a: 5], hasSync: [true], reorderLimit: 1000,
                                        requestTimeout: .seconds(5), deadAfterIntervals: 3), now: Self.t0)
        m.start(now: Self.t0)
        Self.feed(&m, 4)                      // already held: a duplicate
        Self.feed(&m, 6)                      // next after the stored position
        Self.feed(&m, 1, source: Self.b)      // a source with no stored position: from the beginning
        let first = Self.take(&m)
        #expect(first.delivered == [6, 1])
        #expect(first.counts.duplicates == 1)
        #expect(m.delivered(Self.a) == 6 && m.delivered(Self.b) == 1)
        // A heartbeat of a resumed source above its position is a lost tail: replayed from position + 1.
        m.heartbeat(source: Self.a, latest: 9, interval: nil, upstream: 0, now: Self.t0)
        #expect(Self.take(&m).actions.contains { if case .requestReplay(_, _, 7, nil) = $0 { true } else { false } })
    }

    // MARK: Table-driven: one input sequence, what is delivered and asked for

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let start: SubscriberConfiguration.Start
        let arrivals: [UInt64]
        let delivered: [UInt64]
        let replays: [ClosedRange<UInt64>]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        .init(name: "in order", start: .beginning, arrivals: [1, 2, 3], delivered: [1, 2, 3], replays: []),
        .init(name: "duplicates dropped", start: .beginning, arrivals: [1, 1, 2, 1, 2, 3], delivered: [1, 2, 3], replays: []),
        .init(name: "a gap is buffered and repaired from the first hole", start: .beginning, arrivals: [1, 4, 5],
              delivered: [1], replays: [2...3]),
        .init(name: "reordered arrivals fill the hole", start: .beginning, arrivals: [2, 3, 1], delivered: [1, 2, 3], replays: [1...1]),
        .init(name: ".now starts with the first change", start: .now, arrivals: [7, 8], delivered: [7, 8], replays: []),
        .init(name: ".after resumes after the sequence", start: .after(5), arrivals: [5, 6, 7], delivered: [6, 7], replays: []),
        .init(name: ".after with a gap asks for it", start: .after(5), arrivals: [9], delivered: [], replays: [6...8]),
    ]

    @Test(arguments: cases)
    func arrivals(_ c: Case) {
        var m = Self.machine(c.start)
        for s in c.arrivals { Self.feed(&m, s) }
        let (delivered, actions, _) = Self.take(&m)
        #expect(delivered == c.delivered)
        let replays = actions.compactMap { action -> ClosedRange<UInt64>? in
            guard case .requestReplay(_, _, let from, let to) = action else { return nil }
            return from...(to ?? .max)
        }
        #expect(replays == c.replays)
    }

    @Test func duplicatesAndGapsAreCounted() {
        var m = Self.machine()
        for s: UInt64 in [1, 1, 3, 3] { Self.feed(&m, s) }
        let counts = Self.take(&m).counts
        #expect(counts.duplicates == 2)
        #expect(counts.gapsDetected == 1)
        #expect(counts.replays == 1)
    }

    @Test func aHeartbeatAheadOfDeliveryAsksForTheLostTail() {
        var m = Self.machine()
        Self.feed(&m, 1)
        m.heartbeat(source: Self.a, latest: 4, interval: nil, upstream: 0, now: Self.t0)
        let (_, actions, counts) = Self.take(&m)
        #expect(actions == [.requestReplay(upstream: 0, request: 1, from: 2, to: nil)])
        #expect(counts.gapsDetected == 1)
        #expect(counts.heartbeats == 1)
    }

    @Test func aHeartbeatAtTheDeliveredSequenceAsksForNothing() {
        var m = Self.machine()
        Self.feed(&m, 1)
        m.heartbeat(source: Self.a, latest: 1, interval: nil, upstream: 0, now: Self.t0)
        #expect(Self.take(&m).actions.isEmpty)
    }

    @Test func aRepairDeliversTheReplayThenTheBuffer() {
        var m = Self.machine()
        for s: UInt64 in [1, 4, 5] { Self.feed(&m, s) }
        _ = Self.take(&m)
        #expect(m.target(ofReply: 1, upstream: 0) == .replay(Self.a))
        Self.feed(&m, 2, replayed: true)
        Self.feed(&m, 3, replayed: true)
        m.replayChunk(request: 1, upstream: 0, now: Self.t0)
        m.replayEnded(request: 1, upstream: 0, latest: 5, through: 3, more: false, now: Self.t0)
        let (delivered, actions, counts) = Self.take(&m)
        #expect(delivered == [2, 3, 4, 5])
        #expect(actions == [.grantCredit(upstream: 0, request: 1)])
        #expect(counts.changesRepaired == 2)
        #expect(m.buffered(Self.a) == 0)
        #expect(m.target(ofReply: 1, upstream: 0) == nil)  // a late reply now is ignored
    }

    @Test func aReplayCutShortContinuesAfterThrough() {
        var m = Self.machine()
        m.heartbeat(source: Self.a, latest: 3000, interval: nil, upstream: 0, now: Self.t0)
        _ = Self.take(&m)
        for s in UInt64(1)...1024 { Self.feed(&m, s, replayed: true) }
        m.replayEnded(request: 1, upstream: 0, latest: 3000, through: 1024, more: true, now: Self.t0)
        let actions = Self.take(&m).actions
        #expect(actions == [.requestReplay(upstream: 0, request: 2, from: 1025, to: nil)])
    }

    @Test func anUnansweredReplayIsAskedAgainAfterTheTimeout() {
        var m = Self.machine()
        Self.feed(&m, 1)
        Self.feed(&m, 3)
        _ = Self.take(&m)
        m.heard(from: 0, now: Self.t0 + .seconds(4))
        m.tick(now: Self.t0 + .seconds(4))
        #expect(Self.take(&m).actions.isEmpty)
        m.heard(from: 0, now: Self.t0 + .seconds(6))
        m.tick(now: Self.t0 + .seconds(6))
        #expect(Self.take(&m).actions == [.requestReplay(upstream: 0, request: 2, from: 2, to: nil)])
        #expect(m.target(ofReply: 1, upstream: 0) == nil)
    }

    @Test func prunedSequencesAreReportedLostAndDeliveryGoesOn() {
        var m = Self.machine()
        Self.feed(&m, 1)
        Self.feed(&m, 10)
        _ = Self.take(&m)
        m.replayFailed(request: 1, upstream: 0, code: "PRUNED", message: "", oldest: 8, now: Self.t0)
        let (delivered, actions, _) = Self.take(&m)
        #expect(actions.first == .status(.lost(source: Self.a, range: 2...7)))
        #expect(actions.dropFirst().first == .requestReplay(upstream: 0, request: 2, from: 8, to: 9))
        #expect(delivered.isEmpty)
        Self.feed(&m, 8, replayed: true)
        Self.feed(&m, 9, replayed: true)
        #expect(Self.take(&m).delivered == [8, 9, 10])
    }

    @Test func aFullReorderBufferDropsTheNewestAndCountsIt() {
        var m = Self.machine(reorderLimit: 2)
        for s: UInt64 in [1, 3, 4, 5] { Self.feed(&m, s) }
        let counts = Self.take(&m).counts
        #expect(counts.dropped == 1)
        #expect(m.buffered(Self.a) == 2)
        Self.feed(&m, 2, replayed: true)
        #expect(Self.take(&m).delivered == [2, 3, 4])  // 5 was dropped and comes by the next repair
    }

    @Test func skippedSequencesAdvanceWithoutADelivery() {
        var m = Self.machine()
        Self.feed(&m, 1)
        m.event(source: Self.a, sequence: 2, item: .skip, size: 64, upstream: 0, now: Self.t0)
        Self.feed(&m, 3)
        let (delivered, _, counts) = Self.take(&m)
        #expect(delivered == [1, 3])
        #expect(counts.withheld == 1)
        #expect(m.delivered(Self.a) == 3)
    }

    @Test func sourcesAreSequencedIndependently() {
        var m = Self.machine()
        Self.feed(&m, 1, source: Self.a)
        Self.feed(&m, 1, source: Self.b)
        Self.feed(&m, 2, source: Self.b)
        Self.feed(&m, 3, source: Self.a)
        let (delivered, actions, _) = Self.take(&m)
        #expect(delivered == [1, 1, 2])
        #expect(actions == [.requestReplay(upstream: 0, request: 1, from: 2, to: 2)])
        #expect(m.delivered(Self.a) == 1)
        #expect(m.delivered(Self.b) == 2)
    }

    @Test func withoutASyncEndpointAGapCannotBeRepaired() {
        var m = Self.machine(sync: false)
        Self.feed(&m, 1)
        Self.feed(&m, 3)
        #expect(Self.take(&m).actions == [.cannotRepair(upstream: 0)])
    }

    // MARK: Join

    @Test func aSnapshotJoinHoldsChangesUntilItsEndThenDeliversWhatFollows() {
        var m = Self.machine(.snapshot)
        #expect(Self.take(&m).actions == [.requestSnapshot(upstream: 0, request: 1)])
        // Changes 5…7 arrive while the snapshot (taken at 5) is being sent.
        for s: UInt64 in [5, 6, 7] { Self.feed(&m, s) }
        #expect(Self.take(&m).delivered.isEmpty)
        #expect(m.target(ofReply: 1, upstream: 0) == .join)
        m.joinChunk(upstream: 0, now: Self.t0)
        m.joinEnded(upstream: 0, source: Self.a, sequence: 5, records: 3, now: Self.t0)
        let (delivered, actions, _) = Self.take(&m)
        #expect(delivered == [6, 7])
        #expect(actions == [.grantCredit(upstream: 0, request: 1), .status(.joined(source: Self.a, sequence: 5, records: 3))])
    }

    @Test func aJoinThatIsRefusedStartsItsSourcesFromTheBeginning() {
        var m = Self.machine(.snapshot)
        _ = Self.take(&m)
        Self.feed(&m, 2)
        m.joinFailed(upstream: 0, code: "FORBIDDEN", message: "no", now: Self.t0)
        let (delivered, actions, counts) = Self.take(&m)
        #expect(delivered.isEmpty)
        #expect(actions == [.refused(command: "SNAPSHOT", code: "FORBIDDEN", message: "no"),
                            .requestReplay(upstream: 0, request: 2, from: 1, to: 1)])
        #expect(counts.errors == 1)
    }

    @Test func anUnansweredSnapshotIsAskedAgain() {
        var m = Self.machine(.snapshot)
        _ = Self.take(&m)
        m.tick(now: Self.t0 + .seconds(6))
        #expect(Self.take(&m).actions.contains(.requestSnapshot(upstream: 0, request: 2)))
    }

    // MARK: Publisher restart, silence

    @Test func aPublisherThatWentBackIsReported() {
        var m = Self.machine()
        for s: UInt64 in 1...5 { Self.feed(&m, s) }
        m.heartbeat(source: Self.a, latest: 9, interval: nil, upstream: 0, now: Self.t0)
        _ = Self.take(&m)
        m.replayEnded(request: 1, upstream: 0, latest: 2, through: 2, more: false, now: Self.t0)
        #expect(Self.take(&m).actions.first == .status(.rewound(source: Self.a, latest: 2, delivered: 5)))
    }

    @Test func aSilentUpstreamIsUnreachableUntilItSpeaksAgain() {
        var m = Self.machine()
        m.tick(now: Self.t0 + .seconds(2))
        #expect(Self.take(&m).actions.isEmpty)
        m.tick(now: Self.t0 + .seconds(4))
        #expect(Self.take(&m).actions == [.unreachable(upstream: 0)])
        m.tick(now: Self.t0 + .seconds(5))
        #expect(Self.take(&m).actions.isEmpty)  // said once
        m.heard(from: 0, now: Self.t0 + .seconds(6))
        #expect(Self.take(&m).actions == [.reachable(upstream: 0)])
    }

    @Test func theHeartbeatIntervalSetsTheDeadPeriod() {
        var m = Self.machine()
        m.heartbeat(source: Self.a, latest: 0, interval: .milliseconds(100), upstream: 0, now: Self.t0)
        m.tick(now: Self.t0 + .milliseconds(400))
        #expect(Self.take(&m).actions == [.unreachable(upstream: 0)])
    }

    // MARK: A change that can never be delivered

    @Test func anUndecodableChangeFromTheJournalFailsTheSourceWithItsSequence() {
        var m = Self.machine()
        Self.feed(&m, 1)
        Self.feed(&m, 3)
        _ = Self.take(&m)
        m.replayItemUndeliverable(request: 1, upstream: 0, reason: "mismatch")
        let (_, actions, counts) = Self.take(&m)
        #expect(counts.stuck == 1)
        #expect(actions.contains { if case .fail(Self.a, 2, let reason) = $0 { reason.contains("mismatch") } else { false } })
        #expect(actions.contains { if case .status(.stalled(Self.a, 2, _)) = $0 { true } else { false } })
        // Nothing more from that source is delivered or asked for.
        Self.feed(&m, 2)
        m.heard(from: 0, now: Self.t0 + .seconds(60))
        m.tick(now: Self.t0 + .seconds(60))
        let after = Self.take(&m)
        #expect(after.delivered.isEmpty)
        #expect(after.actions.isEmpty)
    }

    @Test func replaysThatKeepLeavingOutASequenceFailTheSource() {
        var m = Self.machine()
        Self.feed(&m, 1)
        m.heartbeat(source: Self.a, latest: 3, interval: nil, upstream: 0, now: Self.t0)
        var failures: [Machine.Action] = []
        for request: UInt64 in 1...3 {
            let actions = Self.take(&m).actions
            failures += actions.filter { if case .fail = $0 { true } else { false } }
            #expect(failures.isEmpty)
            #expect(actions.contains(.requestReplay(upstream: 0, request: request, from: 2, to: nil)))
            m.replayEnded(request: request, upstream: 0, latest: 3, through: 3, more: false, now: Self.t0)
        }
        let (_, actions, counts) = Self.take(&m)
        #expect(counts.stuck == 1)
        #expect(actions.contains { if case .fail(Self.a, 2, _) = $0 { true } else { false } })
    }

    @Test func aReplayThatMakesProgressIsNotFruitless() {
        var m = Self.machine()
        Self.feed(&m, 1)
        m.heartbeat(source: Self.a, latest: 10, interval: nil, upstream: 0, now: Self.t0)
        for request: UInt64 in 1...6 {
            _ = Self.take(&m)
            Self.feed(&m, request + 1, replayed: true)   // one change per answer
            m.replayEnded(request: request, upstream: 0, latest: 10, through: request + 1, more: false, now: Self.t0)
        }
        #expect(Self.take(&m).counts.stuck == 0)
        #expect(m.delivered(Self.a) == 7)
    }

    @Test func aRequestIDOfAnotherUpstreamIsNotMatched() {
        var m = Self.machine(upstreams: 2)
        Self.feed(&m, 1)
        Self.feed(&m, 3)
        #expect(m.target(ofReply: 1, upstream: 0) == .replay(Self.a))
        #expect(m.target(ofReply: 1, upstream: 1) == nil)
    }

    // MARK: Property: exactly once, in order, whatever the network does

    /// A deterministic generator, so a failing seed can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One simulated publisher with a journal of `total` sequences (every 7th withheld), a lossy,
    /// duplicating, reordering network, replies that may be lost, and subscriber restarts that
    /// resume `.after` the last delivered sequence. The concatenated deliveries must be every
    /// non-withheld sequence, once, in order.
    @Test(arguments: 0..<200)
    func randomNetworkDeliversEverySequenceOnceInOrder(seed: Int) {
        var rng = SplitMix(state: UInt64(seed) &* 7919 &+ 1)
        let total = UInt64.random(in: 20...300, using: &rng)
        let loss = Double.random(in: 0...0.4, using: &rng)
        let duplication = Double.random(in: 0...0.2, using: &rng)
        let replyLoss = Double.random(in: 0...0.2, using: &rng)
        let withheld: (UInt64) -> Bool = { $0 % 7 == 0 }
        var now = Self.t0
        var delivered: [UInt64] = []
        var m = Self.machine(.beginning, reorderLimit: Int.random(in: 2...50, using: &rng))
        var published: UInt64 = 0
        var inFlight: [(UInt64, Bool)] = []  // (sequence, is heartbeat)
        var pendingRequests: [(request: UInt64, from: UInt64, to: UInt64?)] = []
        var resume: UInt64 = 0

        func item(_ s: UInt64) -> Machine.Item { withheld(s) ? .skip : .change(s) }
        func collect(_ m: inout Machine) {
            m.takeEffects { deliveries, actions, _ in
                delivered += deliveries
                for action in actions {
                    if case .requestReplay(_, let request, let from, let to) = action { pendingRequests.append((request, from, to)) }
                    if case .fail = action { Issue.record("a source failed with a healthy journal: \(action)") }
                }
            }
        }

        var steps = 0
        while (delivered.count < Int(total - total / 7) || published < total) && steps < 20_000 {
            steps += 1
            now += .milliseconds(Int.random(in: 1...40, using: &rng))
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4 where published < total:
                // Publish; the network may lose, duplicate or hold the message back.
                published += 1
                if Double.random(in: 0..<1, using: &rng) >= loss { inFlight.append((published, false)) }
                if Double.random(in: 0..<1, using: &rng) < duplication { inFlight.append((published, false)) }
            case 4 where !inFlight.isEmpty:
                inFlight.shuffle(using: &rng)  // reorder what is in flight
            case 5:
                // A heartbeat (never lost here: the machine also has its timers).
                inFlight.append((published, true))
            case 6 where !pendingRequests.isEmpty:
                // Answer the oldest replay request from the journal, in chunks of at most 10.
                let request = pendingRequests.removeFirst()
                if Double.random(in: 0..<1, using: &rng) < replyLoss { break }  // lost: the timer asks again
                let last = min(request.to ?? published, published)
                var s = request.from
                while s <= last {
                    let end = min(last, s + 9)
                    for x in s...end { m.event(source: Self.a, sequence: x, item: item(x), size: 10, upstream: 0, now: now, replayed: true) }
                    m.replayChunk(request: request.request, upstream: 0, now: now)
                    s = end + 1
                }
                m.replayEnded(request: request.request, upstream: 0, latest: published, through: max(last, request.from - 1), more: false, now: now)
            case 7 where Int.random(in: 0..<25, using: &rng) == 0:
                // The subscriber restarts after what it delivered; what was in flight is lost.
                collect(&m)
                // What it persisted: a machine that has not met the source yet still has the last resume point.
                resume = m.delivered(Self.a) ?? resume
                m = Self.machine(.after(resume), reorderLimit: Int.random(in: 2...50, using: &rng))
                inFlight.removeAll()
                pendingRequests.removeAll()
            case 8:
                m.tick(now: now)
            default:
                if !inFlight.isEmpty {
                    let (s, heartbeat) = inFlight.removeFirst()
                    if heartbeat {
                        m.heartbeat(source: Self.a, latest: s, interval: .milliseconds(200), upstream: 0, now: now)
                    } else {
                        m.event(source: Self.a, sequence: s, item: item(s), size: 10, upstream: 0, now: now)
                    }
                }
            }
            collect(&m)
        }
        let expected = (1...total).filter { !withheld($0) }
        #expect(delivered == expected, "seed \(seed): total \(total), loss \(loss), dup \(duplication), reply loss \(replyLoss)")
    }
}


extension SubscriberStateMachineTests {
    @Test func aHeartbeatAloneIsAnEffectToTakeForItsCount() {
        var m = Self.machine()
        m.heartbeat(source: Self.a, latest: 0, interval: nil, upstream: 0, now: Self.t0)
        #expect(m.hasEffects)
        #expect(Self.take(&m).counts.heartbeats == 1)
        #expect(!m.hasEffects)
    }
}
