import Foundation
import IOMDomain
import IOMSecurity
import Logging
import Synchronization

/// Audits what reaches a node over the network without flooding the trail or the log
/// (`Protocols/bridge.md` §12.3): protection-case reads over sync, refused saves, refused
/// connections. Accesses are summed per principal (or client key), action and outcome over a
/// minute; each minute then adds one ``IOMSecurity/AuditTrail`` entry per key (at most 256 and
/// one `others`), and the log gets one line the first time a key is refused in a minute.
///
/// ```swift
/// let audit = BridgeAudit(trail: iom.security.auditTrail, logger: logger)
/// audit.record(principal: analyst, action: "sync.replay", outcome: .allowed, detail: "view=redacted", items: 12, range: 1...40)
/// audit.flush()        // at shutdown; a publisher flushes every minute on its own
/// ```
package final class BridgeAudit: Sendable {
    private let trail: AuditTrail?
    private let logger: Logger?
    private let tally: Mutex<AccessTally>

    /// Audits into `trail` (nothing is written without one; refusals are still logged) and
    /// logs refusals to `logger`, summing over `window`.
    package init(trail: AuditTrail?, logger: Logger?, window: Duration = .seconds(60)) {
        self.trail = trail
        self.logger = logger
        self.tally = Mutex(AccessTally(window: window))
    }

    /// Counts one access by a known principal.
    package func record(principal: Principal, action: String, outcome: AuditOutcome, detail: String,
                       items: Int = 0, range: ClosedRange<UInt64>? = nil) {
        add(.init(principal: principal.id, role: principal.role, action: action, outcome: outcome, detail: detail),
            items: items, range: range, log: outcome == .forbidden ? ("refused a request", ["detail": "\(detail)"]) : nil)
    }

    /// Counts one connection refused by the ZAP handler: `clientKey` (Z85) when the client
    /// offered one, else its address. Logged once per key and minute.
    package func recordRefusedConnection(clientKey: String?, address: String, domain: String, reason: String) {
        let principal = clientKey.map { "unknown-key:\($0)" } ?? "no-key:\(address)"
        // The trail has no "no role": a refused client is entered with the role a replica
        // has; the action and outcome say it was refused.
        add(.init(principal: principal, role: .service, action: "connection.refused", outcome: .forbidden, detail: "domain=\(domain)"),
            items: 0, range: nil, log: ("refused a connection; further refusals of this key are counted for a minute",
                  ["domain": "\(domain)", "reason": "\(reason)", "key": "\(clientKey ?? "none")", "address": "\(address)"]))
    }

    private func add(_ key: AccessTally.Key, items: Int, range: ClosedRange<UInt64>?, log: (Logger.Message, Logger.Metadata)?) {
        let now = Self.nowMs()
        let (first, closed) = tally.withLock { tally in
            let closed = tally.close(before: now)
            return (tally.add(key, items: items, range: range, nowMs: now), closed)
        }
        if first, let (message, details) = log {
            logger?.warning(message, metadata: details.merging(["principal": "\(key.principal)", "action": "\(key.action)"]) { $1 })
        }
        write(closed)
    }

    /// Writes the entries of a finished minute, if one is finished; `force` writes the minute
    /// in progress too (at shutdown).
    package func flush(force: Bool = false) {
        let now = Self.nowMs()
        write(tally.withLock { $0.close(before: now, force: force) })
    }

    private func write(_ entries: [AccessTally.Entry]) {
        guard !entries.isEmpty else { return }
        let refused = entries.filter { $0.key.action == "connection.refused" }.reduce(0) { $0 + $1.sum.requests }
        if refused > 1 {
            logger?.warning("refused connections in the last minute", metadata: ["count": "\(refused)"])
        }
        guard let trail else { return }
        for entry in entries {
            let principal = Principal(id: entry.key.principal, role: entry.key.role, scope: .all)
            do {
                try trail.append(principal: principal, action: entry.key.action, purpose: Self.purpose(of: entry.key.role),
                                 recordID: nil, outcome: entry.key.outcome, detail: entry.auditDetail,
                                 at: Instant(millisecondsSince1970: entry.windowStart))
            } catch {
                logger?.error("could not write a bridge audit entry", metadata: ["action": "\(entry.key.action)", "error": "\(error)"])
            }
        }
    }

    /// The purpose a role reads or writes over the network for.
    static func purpose(of role: Role) -> Purpose {
        switch role {
        case .service: .replication
        case .analyst: .statistics
        case .auditor: .audit
        case .supervisor: .supervision
        case .caseworker: .caseManagement
        case .serviceProvider: .serviceDelivery
        }
    }

    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
