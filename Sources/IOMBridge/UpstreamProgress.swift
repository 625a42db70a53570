import IOMDomain
import Foundation
import Synchronization

/// What a subscriber last heard from its upstreams, for a hub's lag metrics and health check:
/// when a message last arrived from each upstream, its heartbeat interval, and the latest
/// sequence each source's heartbeats announced. Written by the subscriber's thread once per
/// received batch and once per heartbeat (never per change); read by anyone.
package final class UpstreamProgress: Sendable {
    /// One upstream's liveness.
    package struct Upstream: Sendable, Hashable {
        /// Its events endpoint.
        package var endpoint: String
        /// When a message last arrived from it (`nil`: never).
        package var lastHeard: ContinuousClock.Instant?
        /// Its heartbeat interval (from its heartbeats; 1 s until the first).
        package var interval: Duration
    }

    private struct State {
        var upstreams: [Upstream]
        /// Per source: its upstream and the highest `latest` its heartbeats announced.
        var sources: [SourceID: (upstream: Int, latest: UInt64)] = [:]
    }

    private let state: Mutex<State>

    init(endpoints: [String]) {
        state = Mutex(State(upstreams: endpoints.map { Upstream(endpoint: $0, lastHeard: nil, interval: .seconds(1)) }))
    }

    func heard(from upstream: Int, at now: ContinuousClock.Instant) {
        state.withLock { $0.upstreams[upstream].lastHeard = now }
    }

    func heartbeat(source: SourceID, latest: UInt64, interval: Duration?, upstream: Int) {
        state.withLock { state in
            if let interval { state.upstreams[upstream].interval = interval }
            let known = state.sources[source]?.latest ?? 0
            state.sources[source] = (upstream, max(known, latest))
        }
    }

    /// Every upstream, in configuration order.
    package var upstreams: [Upstream] { state.withLock { $0.upstreams } }

    /// Per source heard of: its upstream's index and the latest sequence its heartbeats announced.
    package var sources: [SourceID: (upstream: Int, latest: UInt64)] { state.withLock { $0.sources } }
}
