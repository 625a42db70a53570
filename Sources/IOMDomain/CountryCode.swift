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
        // Fast path: an upper-case alpha-2 code (what the wire carries), without a new string.
        if let index = Self.alpha2Index(code) {
            self.index = index
            return
        }
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

    /// A readable form, for logs and messages.
    public var description: String { alpha2 }
    /// Orders values (for sorting).
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.index < rhs.index }

    /// Table index by `(first letter - "A") * 26 + (second - "A")`, -1 where no country has the code.
    private static let alpha2Table: [Int16] = {
        var slots = [Int16](repeating: -1, count: 26 * 26)
        for (index, entry) in table.enumerated() {
            let letters = Array(entry.alpha2.utf8)
            slots[Int(letters[0] &- 0x41) * 26 + Int(letters[1] &- 0x41)] = Int16(index)
        }
        return slots
    }()

    /// The table index of an upper-case alpha-2 code, read as bytes; nil for anything else.
    private static func alpha2Index(_ code: String) -> Int? {
        let utf8 = code.utf8
        guard utf8.count == 2 else { return nil }
        let a = utf8[utf8.startIndex] &- 0x41, b = utf8[utf8.index(after: utf8.startIndex)] &- 0x41
        guard a < 26, b < 26 else { return nil }
        let slot = alpha2Table[Int(a) * 26 + Int(b)]
        return slot < 0 ? nil : Int(slot)
    }

    static let byAlpha2: [String: Int] = Dictionary(uniqueKeysWithValues: table.enumerated().map { ($1.alpha2, $0) })
    static let byAlpha3: [String: Int] = Dictionary(uniqueKeysWithValues: table.enumerated().map { ($1.alpha3, $0) })
    static let byNumeric: [UInt16: Int] = Dictionary(uniqueKeysWithValues: table.enumerated().map { ($1.numeric, $0) })
}
