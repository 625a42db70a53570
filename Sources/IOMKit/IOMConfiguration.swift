import IOMStore

/// Everything ``IOMKit/open(_:)`` needs. The default works with no arguments: a SQLite file
/// `iom.sqlite` in the working directory.
///
/// ```swift
/// var configuration = IOMConfiguration()
/// configuration.store = StoreConfiguration(location: .file(path: "/var/lib/iom/iom.sqlite"))
/// let iom = try await IOMKit.open(configuration)
/// ```
public struct IOMConfiguration: Sendable {
    /// Where and how changes are stored. Its `onCommit` hook is IOMKit's own: leave it empty.
    public var store: StoreConfiguration
    /// How many recent changes the bus keeps for subscribers that start from a past sequence.
    public var replayWindow: Int
    /// The largest buffer a subscription may ask for.
    public var maximumSubscriptionCapacity: Int

    public init(store: StoreConfiguration = StoreConfiguration(), replayWindow: Int = 4096,
                maximumSubscriptionCapacity: Int = 1 << 20) {
        self.store = store
        self.replayWindow = replayWindow
        self.maximumSubscriptionCapacity = maximumSubscriptionCapacity
    }

    /// Everything in memory: for tests and previews.
    public static var inMemory: IOMConfiguration { IOMConfiguration(store: .inMemory) }
}
