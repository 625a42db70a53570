/// A day in the proleptic Gregorian calendar, with no time of day or zone (birth dates,
/// event days, retention deadlines). Distinct from ``Instant``.
///
/// ```swift
/// let day = try CalendarDate(year: 2017, month: 7, day: 24, path: "event.date")
/// day.description // "2017-07-24"
/// _ = try? CalendarDate(year: 2017, month: 2, day: 30) // date: "2017-02-30" is not a calendar date
/// ```
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Year, 1...9999.
    public let year: Int
    /// Month, 1...12.
    public let month: Int
    /// Day of month, 1...28/29/30/31.
    public let day: Int

    /// Validates the day against the month and leap years.
    public init(year: Int, month: Int, day: Int, path: String = "date") throws(ValidationError) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CalendarDate.daysIn(month: month, year: year)
        else {
            throw ValidationError([ValidationIssue(path: path, value: CalendarDate.format(year, month, day), reason: "is not a calendar date")])
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init(iso8601 text: String, path: String = "date") throws(ValidationError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else {
            throw ValidationError([ValidationIssue(path: path, value: text, reason: "is not a YYYY-MM-DD date")])
        }
        try self.init(year: y, month: m, day: d, path: path)
    }

    /// `YYYY-MM-DD`.
    public var description: String { CalendarDate.format(year, month, day) }

    /// Orders values (for sorting).
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func format(_ y: Int, _ m: Int, _ d: Int) -> String {
        func pad(_ v: Int, _ n: Int) -> String {
            let s = String(v)
            return s.count >= n ? s : String(repeating: "0", count: n - s.count) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }
}

/// A point in time: milliseconds since 1970-01-01T00:00:00Z (record timestamps, audit times).
///
/// ```swift
/// let t = Instant(millisecondsSince1970: 1_500_883_200_000)
/// ```
public struct Instant: Sendable, Hashable, Comparable {
    /// Milliseconds since the Unix epoch, UTC.
    public let millisecondsSince1970: Int64

    /// Creates an instant.
    public init(millisecondsSince1970: Int64) { self.millisecondsSince1970 = millisecondsSince1970 }

    /// Orders values (for sorting).
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.millisecondsSince1970 < rhs.millisecondsSince1970 }
}
