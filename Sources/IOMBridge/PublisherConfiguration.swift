import ChangeBus
import IOMChanges
import IOMDomain
import IOMSecurity
import Logging

/// Settings of a ``BridgePublisher``.
///
/// ```swift
/// var configuration = PublisherConfiguration(events: "tcp://127.0.0.1:5670", sync: "tcp://127.0.0.1:5671",
///                                            security: .curve(serverKeys, allow: allowList))
/// configuration.logger = logger
/// ```
public struct PublisherConfiguration: Sendable {
    /// Where the events socket (XPUB) binds, e.g. `tcp://127.0.0.1:5670`, `tcp://127.0.0.1:*`, `ipc:///run/iom/events`.
    public var eventsEndpoint: String
    /// Where the sync socket (ROUTER) binds; `nil` serves no snapshot or replay.
    public var syncEndpoint: String?
    /// Wire security. Default: none of it is assumed — choose `.curve(keys)` or, explicitly, `.insecure`.
    public var security: PublisherSecurity
    /// What this events endpoint reveals of protection cases (§12.3).
    public var view: BridgeView
    /// Turns a protection-case change into what `view` may carry; `nil` withholds it.
    /// Default: IOMSecurity's ``IOMSecurity/Redactor``. Set `nil` to withhold every
    /// protection-case change on views other than `.full`.
    public var redactor: (@Sendable (Change, BridgeView) -> Change?)?
    /// Heartbeat period (§5.5).
    public var heartbeatInterval: Duration
    /// Messages libzmq queues per subscriber before it drops (drops are repaired by replay).
    public var sendHighWaterMark: Int32
    /// How many committed changes may wait for the publisher's thread.
    public var backlog: Int
    /// What the bus does when the publisher's thread is `backlog` changes behind: `.dropOldest`
    /// (default; the publisher then re-reads the missed changes from the journal) or
    /// `.wait(timeout:)` (publishers on the bus wait; for benchmarks and stores-less buses).
    package var whenBehind: ChangeBus<CommittedChange>.FullPolicy
    /// Sync limits (§9.2): active requests per connection (default 8).
    public var maximumRequestsPerPeer: Int
    /// Active sync requests of one principal over all its connections (default 16).
    public var maximumRequestsPerPrincipal: Int
    /// Active sync requests in all (default 64).
    public var maximumRequests: Int
    /// Of ``maximumRequests``, how many only replication keys (role `service`) may hold
    /// (default 16), so that no other key can make a replica's SNAPSHOT or REPLAY answer BUSY.
    public var requestsReservedForReplication: Int
    /// A sync request that has used its credit and received no CREDIT for this long is
    /// abandoned and its slot freed (default 10 s).
    public var requestTimeout: Duration
    /// Where protection-case reads over sync and refused connections are audited, summed per
    /// principal and minute (§12.3). ``IOM/IOM/startPublisher(_:context:)`` passes the
    /// store's trail when this is `nil`; without one they are only counted and logged.
    package var auditTrail: AuditTrail?
    /// Where the publisher logs (start, stop, refusals, malformed requests; rate-limited, never a
    /// line per change), with the details as metadata. The default drops everything; through the
    /// facade, the default is ``IOMConfiguration``'s logger.
    public var logger: Logger

    /// Creates a configuration: the events endpoint, the sync endpoint (`nil`: none), the security and the view.
    public init(events: String = "tcp://127.0.0.1:5670", sync: String? = "tcp://127.0.0.1:5671",
                security: PublisherSecurity, view: BridgeView = .full) {
        self.eventsEndpoint = events
        self.syncEndpoint = sync
        self.security = security
        self.view = view
        self.redactor = { change, view in Redactor.redact(change, for: view) }
        self.heartbeatInterval = .seconds(1)
        self.sendHighWaterMark = 100_000
        self.backlog = 65_536
        self.whenBehind = .dropOldest
        self.maximumRequestsPerPeer = 8
        self.maximumRequestsPerPrincipal = 16
        self.maximumRequests = 64
        self.requestsReservedForReplication = 16
        self.requestTimeout = .seconds(10)
        self.auditTrail = nil
        self.logger = .disabled
    }
}
