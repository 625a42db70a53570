import IOMDomain
import Synchronization

/// Counters of a publisher or subscriber. Read them with ``BridgeCounters/snapshot``.
public struct BridgeStatistics: Sendable, Hashable, CustomStringConvertible {
    /// Event messages sent (publisher) or changes delivered to the local bus (subscriber).
    public var events = 0
    /// Withheld markers sent (publisher) or skipped sequences (subscriber).
    public var withheld = 0
    /// Heartbeats sent or received.
    public var heartbeats = 0
    /// Messages dropped as duplicates (subscriber).
    public var duplicates = 0
    /// Gaps detected, from sequence numbers or heartbeats (subscriber).
    public var gapsDetected = 0
    /// Changes recovered by replay (subscriber).
    public var changesRepaired = 0
    /// Changes a queue of the bridge dropped and that had to come back from the journal: the
    /// publisher's bus subscription falling behind (re-read and sent from the journal; lost
    /// when the publisher has no store) and the subscriber's full reorder buffer (replayed later).
    public var dropped = 0
    /// Replay requests sent (subscriber) or served (publisher).
    public var replays = 0
    /// Snapshot requests sent (subscriber) or served (publisher).
    public var snapshots = 0
    /// Sync requests refused with an ERROR reply (publisher), or ERROR replies received (subscriber).
    public var errors = 0
    /// Connections refused by the publisher's ZAP handler (unknown key, no CURVE, wrong view).
    public var authenticationFailures = 0
    /// Changes a subscriber could not deliver and never will (``SubscriberStatus/stalled(source:sequence:reason:)``);
    /// each one stopped its subscriber.
    public var stuck = 0
    /// Malformed messages dropped, by reason.
    public var malformed: [MalformedReason: Int] = [:]

    /// All malformed messages, whatever the reason.
    public var malformedTotal: Int { malformed.values.reduce(0, +) }

    /// All zero.
    public init() {}

    /// A readable form, for logs and messages.
    public var description: String {
        "events \(events), withheld \(withheld), heartbeats \(heartbeats), duplicates \(duplicates), gaps \(gapsDetected), repaired \(changesRepaired), dropped \(dropped), replays \(replays), snapshots \(snapshots), errors \(errors), refused \(authenticationFailures), stuck \(stuck), malformed \(malformedTotal)"
    }
}

/// Lock-free counters shared between a bridge thread and its readers.
final class BridgeCounters: Sendable {
    let events = Atomic<Int>(0)
    let withheld = Atomic<Int>(0)
    let heartbeats = Atomic<Int>(0)
    let duplicates = Atomic<Int>(0)
    let gapsDetected = Atomic<Int>(0)
    let changesRepaired = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let replays = Atomic<Int>(0)
    let snapshots = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    let authenticationFailures = Atomic<Int>(0)
    let stuck = Atomic<Int>(0)
    private let malformed = Mutex<[MalformedReason: Int]>([:])

    enum Counter { case events, withheld, heartbeats, duplicates, gapsDetected, changesRepaired, dropped, replays, snapshots, errors, authenticationFailures, stuck }

    func add(_ counter: Counter, _ n: Int = 1) {
        switch counter {
        case .events: events.add(n, ordering: .relaxed)
        case .withheld: withheld.add(n, ordering: .relaxed)
        case .heartbeats: heartbeats.add(n, ordering: .relaxed)
        case .duplicates: duplicates.add(n, ordering: .relaxed)
        case .gapsDetected: gapsDetected.add(n, ordering: .relaxed)
        case .changesRepaired: changesRepaired.add(n, ordering: .relaxed)
        case .dropped: dropped.add(n, ordering: .relaxed)
        case .replays: replays.add(n, ordering: .relaxed)
        case .snapshots: snapshots.add(n, ordering: .relaxed)
        case .errors: errors.add(n, ordering: .relaxed)
        case .authenticationFailures: authenticationFailures.add(n, ordering: .relaxed)
        case .stuck: stuck.add(n, ordering: .relaxed)
        }
    }

    func malformed(_ reason: MalformedReason) {
        malformed.withLock { $0[reason, default: 0] += 1 }
    }

    var snapshot: BridgeStatistics {
        var s = BridgeStatistics()
        s.events = events.load(ordering: .relaxed)
        s.withheld = withheld.load(ordering: .relaxed)
        s.heartbeats = heartbeats.load(ordering: .relaxed)
        s.duplicates = duplicates.load(ordering: .relaxed)
        s.gapsDetected = gapsDetected.load(ordering: .relaxed)
        s.changesRepaired = changesRepaired.load(ordering: .relaxed)
        s.dropped = dropped.load(ordering: .relaxed)
        s.replays = replays.load(ordering: .relaxed)
        s.snapshots = snapshots.load(ordering: .relaxed)
        s.errors = errors.load(ordering: .relaxed)
        s.authenticationFailures = authenticationFailures.load(ordering: .relaxed)
        s.stuck = stuck.load(ordering: .relaxed)
        s.malformed = malformed.withLock { $0 }
        return s
    }
}

/// The last delivered sequence of every source, shared by a subscriber's thread and its readers.
final class DeliveredMap: Sendable {
    let map = Mutex<[SourceID: UInt64]>([:])
}
