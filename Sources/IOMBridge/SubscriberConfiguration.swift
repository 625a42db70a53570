import IOMDomain
import Foundation
import Logging

/// Settings of a ``BridgeSubscriber``.
///
/// ```swift
/// var configuration = SubscriberConfiguration(
///     upstreams: [.init(events: "tcp://127.0.0.1:5670", sync: "tcp://127.0.0.1:5671")],
///     security: .curve(client: myKeys, server: publisherKey))
/// configuration.start = .after(lastDelivered)     // resume after a restart
/// ```
public struct SubscriberConfiguration: Sendable {
    /// One publisher (or a relay in front of it): its events endpoint and its sync endpoint.
    public struct Upstream: Sendable, Hashable {
        /// Where to connect the SUB socket.
        public var events: String
        /// Where to connect the DEALER for snapshot and replay; `nil` disables repair.
        public var sync: String?
        /// An upstream: its events endpoint and its sync endpoint (`nil`: no gap repair).
        public init(events: String, sync: String?) {
            self.events = events
            self.sync = sync
        }
    }

    /// Where a subscriber starts in a source's sequence.
    public enum Start: Sendable, Hashable {
        /// With the first change it receives (nothing earlier is fetched).
        case now
        /// With sequence 1: everything the journal still holds is replayed first.
        case beginning
        /// After `sequence`, the last one this subscriber delivered before it stopped
        /// (of `source`, or of whichever source it meets when `source` is `nil`).
        case after(UInt64, source: SourceID? = nil)
        /// A snapshot of current state first (`Protocols/bridge.md` §8.3), then every later change.
        case snapshot
    }

    /// The publishers to follow.
    public var upstreams: [Upstream]
    /// Wire security.
    public var security: SubscriberSecurity
    /// Where to start. Default `.now`.
    public var start: Start
    /// Sources to resume after a known sequence whatever ``start`` says: the last sequence of
    /// each that the application has (a hub passes the positions its store holds). Empty by default.
    public var resume: [SourceID: UInt64]
    /// Topic prefixes to subscribe to. Default `["iom.v1."]`, the only setting under which
    /// gaps are detected (§5.1).
    public var topics: [String]
    /// Messages libzmq queues before dropping (drops are repaired by replay).
    public var receiveHighWaterMark: Int32
    /// Messages held while a gap is repaired; beyond it the newest are dropped and replayed later.
    public var reorderLimit: Int
    /// A publisher silent for this many heartbeat intervals is reported unreachable.
    public var deadAfterIntervals: Int
    /// A replay or snapshot request unanswered for this long is sent again.
    public var requestTimeout: Duration
    /// Capacity of the subscriber's bus subscriptions' replay window.
    public var busReplayWindow: Int
    /// Where the subscriber logs (malformed input, gaps, unreachable publishers; rate-limited,
    /// never a line per change), with the details as metadata. The default drops everything;
    /// through the facade, the default is ``IOMConfiguration``'s logger.
    public var logger: Logger
    /// Threads that decode received changes beside the subscriber's own thread (0…64).
    ///
    /// Messages that arrive together are decoded as a batch, split between these threads and
    /// the subscriber's, then sequenced and delivered in order, so the number changes only
    /// how many cores decoding may use. Default: one less than the active processor count,
    /// at most 3 (0 on a single core).
    public var decodeThreads: Int

    /// Creates a configuration following `upstreams` with `security`, from `start`.
    public init(upstreams: [Upstream], security: SubscriberSecurity, start: Start = .now) {
        self.upstreams = upstreams
        self.security = security
        self.start = start
        self.resume = [:]
        self.topics = [BridgeProtocol.topicPrefix]
        self.receiveHighWaterMark = 100_000
        self.reorderLimit = 100_000
        self.deadAfterIntervals = 3
        self.requestTimeout = .seconds(5)
        self.busReplayWindow = 1024
        self.logger = .disabled
        self.decodeThreads = max(0, min(3, ProcessInfo.processInfo.activeProcessorCount - 1))
    }
}

/// Something a subscriber tells its application besides changes.
public enum SubscriberStatus: Sendable, Hashable {
    /// A snapshot of `source` was applied; changes follow from `sequence + 1`.
    case joined(source: SourceID, sequence: UInt64, records: Int)
    /// Nothing arrived from this events endpoint for the dead-publisher period.
    case unreachable(endpoint: String)
    /// Messages arrive again from this endpoint.
    case reachable(endpoint: String)
    /// Changes `range` of `source` could not be recovered (journal pruned, no snapshot
    /// possible); delivery continues after them.
    case lost(source: SourceID, range: ClosedRange<UInt64>)
    /// The publisher's store went back to an earlier sequence than this subscriber delivered.
    case rewound(source: SourceID, latest: UInt64, delivered: UInt64)
    /// `sequence` of `source` cannot be delivered and never will (the publisher's journal gives
    /// it undecodable, or its replays keep leaving it out); `reason` says which. The subscriber
    /// stops: its bus's subscriptions throw ``ChangeBus/ChangeBusError/producerFailed(_:)``
    /// after the changes delivered before it, instead of waiting for ever.
    case stalled(source: SourceID, sequence: UInt64, reason: String)
}
