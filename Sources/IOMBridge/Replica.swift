import ChangeBus
import IOMChanges
import IOMDomain
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// An up-to-date, read-only copy of a publisher's records: a snapshot, then every change.
///
/// A late-joining service starts one and reads from it at once; the bridge keeps it current,
/// repairing gaps from the publisher's journal. The copy is updated before each change appears
/// on ``changes(capacity:)``, so a reader that sees a change also sees it in the replica.
///
/// ```swift
/// let replica = try Replica.start(SubscriberConfiguration(
///     upstreams: [.init(events: "tcp://127.0.0.1:5670", sync: "tcp://127.0.0.1:5671")], security: .insecure))
/// let missions: [Mission] = replica.all(Mission.self)
/// ```
///
/// Like its subscriber, it is a swift-service-lifecycle `Service`: ``run()`` holds it until the
/// host's `ServiceGroup` shuts down gracefully.
public final class Replica: Service {
    /// The subscriber that feeds the copy (its statistics, status and delivered sequences).
    public let subscriber: BridgeSubscriber
    private let model: Model

    private final class Model: Sendable {
        let records = Mutex<[SourceID: [RecordType: [String: AnyRecord]]]>([:])
    }

    private init(subscriber: BridgeSubscriber, model: Model) {
        self.subscriber = subscriber
        self.model = model
    }

    /// Starts following; the configuration's `start` is replaced by `.snapshot`.
    ///
    /// - Throws: ``BridgeError`` as ``BridgeSubscriber/start(_:)`` does; every
    ///   upstream needs its sync endpoint.
    public static func start(_ configuration: SubscriberConfiguration) throws(BridgeError) -> Replica {
        try start(configuration, context: nil)
    }

    /// Starts with the ZeroMQ context to use.
    package static func start(_ configuration: SubscriberConfiguration, context: Context?) throws(BridgeError) -> Replica {
        var configuration = configuration
        configuration.start = .snapshot
        let model = Model()
        let hooks = SubscriberHooks(
            snapshot: { source, _, records in
                var copy: [RecordType: [String: AnyRecord]] = [:]
                for record in records { copy[record.recordType, default: [:]][record.recordID] = record }
                model.records.withLock { $0[source] = copy }
            },
            apply: { changes in
                model.records.withLock { all in
                    for committed in changes {
                        let change = committed.change
                        if let after = change.after {
                            all[committed.source, default: [:]][change.recordType, default: [:]][change.recordID] = after
                        } else {
                            all[committed.source]?[change.recordType]?[change.recordID] = nil
                        }
                    }
                }
            })
        let subscriber = try BridgeSubscriber.start(configuration, bus: nil, context: context, hooks: hooks)
        return Replica(subscriber: subscriber, model: model)
    }

    /// The changes applied to the copy, in order (the subscriber's bus).
    package var bus: ChangeBus<CommittedChange> { subscriber.bus }

    /// The changes applied to the copy, in each source's order (``BridgeSubscriber/changes(capacity:)``).
    public func changes(capacity: Int = 65_536) throws(BridgeError) -> ChangeSequence<CommittedChange, BridgeError> {
        try subscriber.changes(capacity: capacity)
    }

    /// The current copy of a record, from whichever source holds it.
    public func get<Record: DomainRecord>(_ id: Identifier<Record>) -> Record? {
        model.records.withLock { all in
            for (_, types) in all {
                if let record = types[Record.recordType]?[id.rawValue]?.typed(as: Record.self) { return record }
            }
            return nil
        }
    }

    /// Every record of a type, sorted by id.
    public func all<Record: DomainRecord>(_ type: Record.Type) -> [Record] {
        model.records.withLock { all in
            all.values.flatMap { $0[Record.recordType]?.values.compactMap { $0.typed(as: Record.self) } ?? [] }
        }.sorted { $0.id.rawValue < $1.id.rawValue }
    }

    /// How many records the copy holds, all types and sources together.
    public var count: Int {
        model.records.withLock { $0.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } } }
    }

    /// Holds the replica until it stops, as ``BridgeSubscriber/run()`` does; the copy stays readable.
    public func run() async throws(BridgeError) {
        try await subscriber.run()
    }

    /// Stops following; the copy stays readable.
    public func stop() { subscriber.stop() }
}
