import CoreMetrics
import IOMDomain

/// The facade's metric handles, created once per ``IOM`` instance so that a save only
/// records (no factory lookup, no allocation per save). Names: ``IOMMetrics``.
final class FacadeMetrics: Sendable {
    let published: Counter
    let undecodable: Counter
    private let saveSeconds: [CoreMetrics.Timer]
    private let failures: [[Counter]]

    /// The fixed `reason` values of ``IOMMetrics/storeSaveFailuresTotal``.
    enum FailureReason: Int, CaseIterable {
        case invalid, conflict, badVersion, store, other
        var label: String {
            switch self {
            case .invalid: "invalid"
            case .conflict: "conflict"
            case .badVersion: "bad_version"
            case .store: "store"
            case .other: "other"
            }
        }

        init(_ error: IOMError) {
            switch error.code {
            case .invalid: self = .invalid
            case .conflict, .alreadyExists: self = .conflict
            case .badVersion: self = .badVersion
            case .store: self = .store
            default: self = .other
            }
        }
    }

    init(factory: any MetricsFactory) {
        published = Counter(label: IOMMetrics.busPublishedTotal, factory: factory)
        undecodable = Counter(label: IOMMetrics.storeUndecodableTotal, factory: factory)
        saveSeconds = RecordType.allCases.map {
            let dimensions = [(IOMMetrics.Dimension.recordType, $0.rawValue)]
            let handler = factory.makeTimer(label: IOMMetrics.storeSaveSeconds, dimensions: dimensions)
            handler.preferDisplayUnit(.seconds)
            return CoreMetrics.Timer(label: IOMMetrics.storeSaveSeconds, dimensions: dimensions, handler: handler, factory: factory)
        }
        failures = RecordType.allCases.map { type in
            FailureReason.allCases.map {
                Counter(label: IOMMetrics.storeSaveFailuresTotal,
                        dimensions: [(IOMMetrics.Dimension.recordType, type.rawValue), (IOMMetrics.Dimension.reason, $0.label)],
                        factory: factory)
            }
        }
    }

    private static func index(_ type: RecordType) -> Int {
        switch type {
        case .organisation: 0
        case .mission: 1
        case .memberState: 2
        case .event: 3
        case .protectionCase: 4
        }
    }

    func recordSave(_ type: RecordType, nanoseconds: Int64) {
        saveSeconds[Self.index(type)].recordNanoseconds(nanoseconds)
    }

    func recordFailure(_ type: RecordType, _ error: IOMError) {
        failures[Self.index(type)][FailureReason(error).rawValue].increment()
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
