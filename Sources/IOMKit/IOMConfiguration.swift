import IOMBridge
import IOMStore
import CoreMetrics
import Logging

/// Everything ``IOM/open(_:)`` needs. The default works with no arguments: a SQLite file
/// `iom.sqlite` in the working directory.
///
/// ```swift
/// var configuration = IOMConfiguration()
/// configuration.store = StoreConfiguration(location: .file(path: "/var/lib/iom/iom.sqlite"))
/// configuration.logger = logger          // the host's Logger; IOMKit never creates one
/// let iom = try await IOM.open(configuration)
/// ```
public struct IOMConfiguration: Sendable {
    /// Where and how changes are stored: the file (or memory), durability and journal retention.
    public var store: StoreConfiguration
    /// How many recent changes the bus keeps for subscribers that start from a past sequence.
    public var replayWindow: Int
    /// The largest buffer a subscription may ask for.
    public var maximumSubscriptionCapacity: Int
    /// Host keys, security database and access policy for protection cases. Without a key
    /// ring, protection cases cannot be saved (their identifying data must be encrypted).
    public var security: SecurityConfiguration
    /// Where IOMKit logs the store's opening and closing, the failures of the store and the
    /// bridges started through the facade (never one line per change), with the details as
    /// metadata. The default drops everything: pass the host's `Logger` to log.
    public var logger: Logger
    /// Where IOMKit records its metrics (names in ``IOMMetrics``). `nil`, the default, uses
    /// the process-wide `MetricsSystem.factory` (a no-op until the host bootstraps one).
    public var metricsFactory: (any MetricsFactory)?
    /// A bridge publisher to start with the store (``IOM/publisher``): every committed
    /// change goes out on its events endpoint, and its sync endpoint serves snapshot and
    /// replay from this store. `nil`, the default, publishes nothing over ZeroMQ; more
    /// publishers (other views) can be started with ``IOM/startPublisher(_:)``. It sends while
    /// the node runs (``IOM/run()``, in the host's `ServiceGroup`).
    public var publisher: PublisherConfiguration?

    /// Creates a configuration; every argument has a working default.
    public init(store: StoreConfiguration = StoreConfiguration(), replayWindow: Int = 4096,
                maximumSubscriptionCapacity: Int = 1 << 20, security: SecurityConfiguration = SecurityConfiguration(),
                logger: Logger = Logger(label: "IOMKit", factory: { _ in SwiftLogNoOpLogHandler() }), metricsFactory: (any MetricsFactory)? = nil, publisher: PublisherConfiguration? = nil) {
        self.publisher = publisher
        self.store = store
        self.replayWindow = replayWindow
        self.maximumSubscriptionCapacity = maximumSubscriptionCapacity
        self.security = security
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    /// Everything in memory: for tests and previews. Protection cases are sealed with a random
    /// key that lives as long as the process.
    public static var inMemory: IOMConfiguration {
        IOMConfiguration(store: .inMemory, security: SecurityConfiguration(keyRing: .ephemeral()))
    }
}
