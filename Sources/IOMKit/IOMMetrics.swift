/// The stable names of IOMKit's metrics, in one place.
///
/// IOMKit records through [swift-metrics](https://github.com/apple/swift-metrics): nothing is
/// collected until the host application bootstraps a backend (`MetricsSystem.bootstrap`), and
/// then every name below is what the backend sees. Names follow Prometheus conventions
/// (`_total` for counters, a base unit suffix for timers) and are part of IOMKit's public
/// contract: dashboards and alerts may rely on them, they change only with a major version.
///
/// ```swift
/// MetricsSystem.bootstrap(myPrometheusFactory)
/// let iom = try await IOM.open()
/// // iom_store_save_seconds{type="mission"} and iom_bus_published_total now move on every save
/// ```
public enum IOMMetrics {
    // MARK: Facade and store (recorded by IOMKit)

    /// Counter: changes published on the in-process bus after commit (one per committed change).
    public static let busPublishedTotal = "iom_bus_published_total"
    /// Timer: how long a repository save takes, from the call to the committed change
    /// (validation, store round trip, publication). Dimension ``Dimension/recordType``.
    public static let storeSaveSeconds = "iom_store_save_seconds"
    /// Counter: saves that failed. Dimensions ``Dimension/recordType`` and ``Dimension/reason``
    /// (`invalid`, `conflict`, `bad_version`, `store`, `other`).
    public static let storeSaveFailuresTotal = "iom_store_save_failures_total"
    /// Counter: committed journal entries the facade could not decode and so did not publish
    /// (stays 0 unless the store file is corrupted or written by a foreign program).
    public static let storeUndecodableTotal = "iom_store_undecodable_total"

    // MARK: Bridge (recorded by the ZeroMQ bridge)

    /// Counter: events a bridge publisher sent on its events endpoint.
    public static let bridgeSentTotal = "iom_bridge_sent_total"
    /// Counter: changes a bridge subscriber delivered to its application, each once, in order.
    public static let bridgeDeliveredTotal = "iom_bridge_delivered_total"
    /// Counter: changes a bridge queue dropped and that came back from the journal: a
    /// publisher's bus subscription that fell behind, a subscriber's full reorder buffer
    /// (`BridgeStatistics.dropped`).
    public static let bridgeDroppedTotal = "iom_bridge_dropped_total"
    /// Counter: changes a bridge subscriber missed on the stream (a gap in sequence numbers or
    /// a lost tail) and recovered by replay from the publisher's journal.
    public static let bridgeGapsRepairedTotal = "iom_bridge_gaps_repaired_total"
    /// Counter: replay and snapshot requests a bridge publisher served from its journal.
    public static let bridgeReplaysServedTotal = "iom_bridge_replays_served_total"
    /// Counter: malformed, oversize or wrong-version messages a bridge refused.
    public static let bridgeRejectedTotal = "iom_bridge_rejected_total"
    /// Counter: changes a bridge subscriber cannot deliver and never will (the publisher's
    /// journal gives them undecodable, or its replays keep leaving them out). Each one stops
    /// its subscriber (`SubscriberStatus.stalled(source:sequence:reason:)`): alert on any.
    public static let bridgeStuckTotal = "iom_bridge_stuck_total"

    // MARK: Security

    /// Counter: connections refused by authentication (unknown client key, no CURVE, wrong
    /// server key). Dimension ``Dimension/reason``.
    public static let authFailuresTotal = "iom_auth_failures_total"

    /// The dimension (label) names used with the metrics above.
    public enum Dimension {
        /// The record type: `organisation`, `mission`, `memberState`, `event`, `protectionCase`.
        public static let recordType = "type"
        /// Why something failed, a short fixed word.
        public static let reason = "reason"
    }

    /// Every metric name, for checks and documentation.
    public static let all: [String] = [
        busPublishedTotal, storeSaveSeconds, storeSaveFailuresTotal, storeUndecodableTotal,
        bridgeSentTotal, bridgeDeliveredTotal, bridgeDroppedTotal, bridgeGapsRepairedTotal, bridgeReplaysServedTotal,
        bridgeRejectedTotal, bridgeStuckTotal, authFailuresTotal,
    ]
}
