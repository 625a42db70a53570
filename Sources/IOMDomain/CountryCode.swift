/// An ISO 3166-1 country, checked against the table generated from Debian's `iso-codes`.
///
/// Accepts an alpha-2 (`"MA"`), alpha-3 (`"MAR"`) or numeric (`"504"`) code; stores the alpha-2.
///
/// ```swift
/// let morocco = try CountryCode("MA", path: "mission.country")
/// morocco.alpha3   // "MAR"
/// morocco.numeric  // 504
/// _ = try? CountryCode("XX", path: "mission.country") // mission.country: "XX" is not ISO 3166-1
/// ```
public struct CountryCode: Sendable, Hashable, Comparable, CustomStringConvertible {
    let index: Int

    /// Looks up an alpha-2, alpha-3 or numeric code (case-insensitive for letters).
    public init(_ code: String, path: String = "country") throws(ValidationError) {
        let upper = code.uppercased()
        let found: Int?
        switch upper.count {
        case 2: found = Self.byAlpha2[upper]
        case 3 where upper.allSatisfy(\.isNumber): found = UInt16(upper).flatMap { Self.byNumeric[$0] }
        case 3: found = Self.byAlpha3[upper]
        default: found = nil
        }
        guard let found else {
            throw ValidationError([ValidationIssue(path: path, value: code, reason: "is not ISO 3166-1")])
        }
        index = found
    }

    /// Alpha-2 code, e.g. `MA`.
    public var alpha2: String { Self.table[index].alpha2 }
    /// Alpha-3 code, e.g. `MAR`.
    public var alpha3: String { Self.table[index].alpha3 }
    /// Numeric code, e.g. `504`.
    public var numeric: UInt16 { Self.table[index].numeric }
    /// English short name from iso-codes, e.g. `Morocco`.
    public var name: String { Self.table[index].name }

    /// Every ISO 3166-1 country, by alpha-2.
    public static var all: [CountryCode] { table.indices.map { CountryCode(index: $0) } }

    init(index: Int) { self.index = index }

    public var description: String { alpha2 }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.index < rhs.index }

    static let byAlpha2: [String: Int] = Dictionary(uniqueKeysWithValues: table.enumerated().map { ($1.alpha2, $0) })
    static let byAlpha3: [String: Int] = Dictionary(uniqueKeysWithValues: table.enumerated().map { ($1.alpha3, $0) })
    static let byNumeric: [UInt16: Int] = Dictionary(uniqueKeysWithValues: table.enumerated().map { ($1.numeric, $0) })
}
