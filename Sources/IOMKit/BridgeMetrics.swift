import CoreMetrics
import IOMBridge

/// Reports a bridge's counters (``IOMBridge/BridgeStatistics``) to swift-metrics under the
/// names of ``IOMMetrics``. The bridge threads only bump atomics; this samples them once a
/// second and records the differences, so the per-event paths never call a metrics backend.
final class BridgeMetrics: Sendable {
    private let sent: Counter
    private let delivered: Counter
    private let repaired: Counter
    private let served: Counter
    private let rejected: Counter
    private let dropped: Counter
    private let refused: Counter
    private let stuck: Counter

    init(factory: any MetricsFactory) {
        sent = Counter(label: IOMMetrics.bridgeSentTotal, factory: factory)
        delivered = Counter(label: IOMMetrics.bridgeDeliveredTotal, factory: factory)
        repaired = Counter(label: IOMMetrics.bridgeGapsRepairedTotal, factory: factory)
        served = Counter(label: IOMMetrics.bridgeReplaysServedTotal, factory: factory)
        rejected = Counter(label: IOMMetrics.bridgeRejectedTotal, factory: factory)
        dropped = Counter(label: IOMMetrics.bridgeDroppedTotal, factory: factory)
        stuck = Counter(label: IOMMetrics.bridgeStuckTotal, factory: factory)
        refused = Counter(label: IOMMetrics.authFailuresTotal, dimensions: [(IOMMetrics.Dimension.reason, "zap")], factory: factory)
    }

    /// Runs `bridge` (a bridge's `run()`) and, beside it, samples `statistics` every
    /// `interval` until the bridge has returned; then records once more.
    static func sampling(_ metrics: BridgeMetrics, publisher: Bool, interval: Duration = .seconds(1),
                         _ statistics: @escaping @Sendable () -> BridgeStatistics, bridge: @escaping @Sendable () async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await bridge() }
            group.addTask {
                var last = BridgeStatistics()
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    last = metrics.record(statistics(), since: last, publisher: publisher)
                }
                _ = metrics.record(statistics(), since: last, publisher: publisher)
            }
            await group.next()  // the bridge returned: the sampler records a last time and ends
            group.cancelAll()
        }
    }

    private func record(_ now: BridgeStatistics, since last: BridgeStatistics, publisher: Bool) -> BridgeStatistics {
        func add(_ counter: Counter, _ delta: Int) { if delta > 0 { counter.increment(by: Int64(delta)) } }
        if publisher {
            add(sent, now.events - last.events)
            add(served, (now.replays + now.snapshots) - (last.replays + last.snapshots))
            add(refused, now.authenticationFailures - last.authenticationFailures)
        } else {
            add(delivered, now.events - last.events)
            add(repaired, now.changesRepaired - last.changesRepaired)
            add(stuck, now.stuck - last.stuck)
        }
        add(rejected, (now.malformedTotal + now.errors) - (last.malformedTotal + last.errors))
        add(dropped, now.dropped - last.dropped)
        return now
    }
}
