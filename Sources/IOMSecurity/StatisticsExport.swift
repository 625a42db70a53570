import IOMDomain

/// A banded field statistics may be grouped by (CTDC practice: never an identifying field,
/// never an exact date or age).
public enum StatisticsDimension: String, Sendable, Hashable, CaseIterable {
    /// CTDC gender.
    case gender
    /// CTDC age band.
    case ageBand
    /// Minor or adult.
    case isMinor
    /// First listed citizenship (ISO alpha-3) or `unknown`.
    case citizenship
    /// Country of exploitation (ISO alpha-3) or `unknown`.
    case countryOfExploitation
    /// Possible, actual, not a victim (or `unknown`).
    case traffickingStatus
    /// Each exploitation type of the case (a case with two types counts in both groups).
    case exploitationType
    /// Year the case was registered.
    case yearRegistered

    func values(of c: ProtectionCase) -> [String] {
        switch self {
        case .gender: [c.profile.gender.rawValue]
        case .ageBand: [c.profile.ageBand.rawValue]
        case .isMinor: [c.profile.isMinor ? "minor" : "adult"]
        case .citizenship: [c.profile.citizenship.first?.alpha3 ?? "unknown"]
        case .countryOfExploitation: [c.profile.countryOfExploitation?.alpha3 ?? "unknown"]
        case .traffickingStatus: [c.trafficking?.status.rawValue ?? "unknown"]
        case .exploitationType:
            Array(Set((c.trafficking?.exploitation ?? []).map(Self.name))).sorted().nilIfEmpty ?? ["unknown"]
        case .yearRegistered: [String(c.createdAt.utcDate.year)]
        }
    }

    static func name(_ e: Exploitation) -> String {
        switch e {
        case .forcedLabour: "forcedLabour"
        case .sexualExploitation: "sexualExploitation"
        case .forcedMarriage: "forcedMarriage"
        case .begging: "begging"
        case .other: "other"
        }
    }
}

extension Array {
    fileprivate var nilIfEmpty: Self? { isEmpty ? nil : self }
}

/// Counts of cases by banded fields, with every group smaller than `k` suppressed.
public struct StatisticsTable: Sendable, Hashable {
    /// One published group.
    public struct Row: Sendable, Hashable {
        /// The value of each dimension, in ``StatisticsTable/dimensions`` order.
        public let values: [String]
        /// How many cases (at least `k`).
        public let count: Int
        /// Creates a row.
        public init(values: [String], count: Int) { self.values = values; self.count = count }
    }
    /// The grouping.
    public let dimensions: [StatisticsDimension]
    /// The threshold: no published count is below it.
    public let k: Int
    /// Published groups, sorted by values.
    public let rows: [Row]
    /// How many groups were suppressed.
    public let suppressedGroups: Int
    /// How many case-counts the suppressed groups held (not published per group).
    public let suppressedCount: Int

    /// CSV with a header; suppressed groups are absent.
    public var csv: String {
        var lines = [(dimensions.map(\.rawValue) + ["count"]).joined(separator: ",")]
        for r in rows { lines.append((r.values + [String(r.count)]).joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Statistics in the spirit of the Counter Trafficking Data Collaborative: counts by banded
/// fields only, every group smaller than `k` (default 11, CTDC's) suppressed.
///
/// ```swift
/// let table = try StatisticsExport.counts(of: cases, by: [.gender, .ageBand])
/// print(table.csv)
/// ```
package enum StatisticsExport {
    /// CTDC's threshold.
    package static let defaultK = 11

    /// Groups `cases` by `dimensions` and suppresses groups with fewer than `k` cases.
    ///
    /// - Throws: ``StatisticsError`` for no dimension, a repeated one, or `k` < 2.
    package static func counts(of cases: [ProtectionCase], by dimensions: [StatisticsDimension], k: Int = defaultK)
        throws(StatisticsError) -> StatisticsTable
    {
        guard !dimensions.isEmpty else { throw .noDimension }
        guard Set(dimensions).count == dimensions.count else { throw .repeatedDimension }
        guard k >= 2 else { throw .thresholdTooLow(k) }
        var groups: [[String]: Int] = [:]
        for c in cases {
            var keys: [[String]] = [[]]
            for d in dimensions {
                let values = d.values(of: c)
                keys = keys.flatMap { prefix in values.map { prefix + [$0] } }
            }
            for key in keys { groups[key, default: 0] += 1 }
        }
        var rows: [StatisticsTable.Row] = []
        var suppressed = 0, suppressedCount = 0
        for (values, count) in groups {
            if count < k { suppressed += 1; suppressedCount += count } else { rows.append(.init(values: values, count: count)) }
        }
        rows.sort { $0.values.lexicographicallyPrecedes($1.values) }
        return StatisticsTable(dimensions: dimensions, k: k, rows: rows, suppressedGroups: suppressed, suppressedCount: suppressedCount)
    }
}

/// A statistics request that cannot be answered safely.
package enum StatisticsError: Error, Sendable, Hashable, CustomStringConvertible {
    case noDimension
    case repeatedDimension
    case thresholdTooLow(Int)
    package var description: String {
        switch self {
        case .noDimension: "statistics: group by at least one banded field"
        case .repeatedDimension: "statistics: a field is listed twice"
        case .thresholdTooLow(let k): "statistics: k = \(k) would publish single cases; use at least 2 (CTDC uses 11)"
        }
    }
}
