import Foundation

/// RFC 3339 UTC times with milliseconds (`2026-11-29T05:41:07.512Z`), written and read
/// without Foundation's formatters (they allocate and are slow on the send path).
enum RFC3339 {
    /// The length of the text ``append(_:to:)`` writes.
    static let count = 24

    /// Appends the 24 octets of `date`, truncated to milliseconds.
    static func append(_ date: Date, to bytes: inout [UInt8]) {
        bytes.append(writing: count) { write(date, to: $0) }
    }

    /// Writes the 24 octets of `date`, truncated to milliseconds, at `out`.
    static func write(_ date: Date, to out: UnsafeMutablePointer<UInt8>) {
        write(millis: milliseconds(date), to: out)
    }

    /// Milliseconds since 1970 of `date`, rounded down: what ``write(_:to:)`` writes.
    @inline(__always)
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Writes the 24 octets of a time given in milliseconds since 1970 at `out`.
    static func write(millis: Int64, to out: UnsafeMutablePointer<UInt8>) {
        var days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let msOfDay = millis - days * 86_400_000
        // Civil from days (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let seconds = msOfDay / 1000
        digits(year, 4, out)
        out[4] = 0x2D
        digits(month, 2, out + 5)
        out[7] = 0x2D
        digits(day, 2, out + 8)
        out[10] = 0x54
        digits(seconds / 3600, 2, out + 11)
        out[13] = 0x3A
        digits(seconds / 60 % 60, 2, out + 14)
        out[16] = 0x3A
        digits(seconds % 60, 2, out + 17)
        out[19] = 0x2E
        digits(msOfDay % 1000, 3, out + 20)
        out[23] = 0x5A
    }

    static func string(_ date: Date) -> String {
        String(unsafeUninitializedCapacity: count) { buffer in
            write(date, to: buffer.baseAddress!)
            return count
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (UTC only, as IOMB/1 requires); `nil` otherwise.
    static func parse(_ text: UnsafeRawBufferPointer) -> Date? {
        guard text.count >= 20, text[text.count - 1] == 0x5A else { return nil }
        func number(_ at: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for i in at..<(at + count) {
                let c = text[i]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                value = value * 10 + Int64(c - 0x30)
            }
            return value
        }
        guard text[4] == 0x2D, text[7] == 0x2D, text[10] == 0x54 || text[10] == 0x74, text[13] == 0x3A, text[16] == 0x3A,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var fractionMillis: Int64 = 0
        if text.count > 20 {
            guard text[19] == 0x2E, text.count - 21 >= 1, text.count - 21 <= 9,
                  let fraction = number(20, text.count - 21) else { return nil }
            var scaled = fraction
            var digits = text.count - 21
            while digits > 3 { scaled /= 10; digits -= 1 }
            while digits < 3 { scaled *= 10; digits += 1 }
            fractionMillis = scaled
        }
        // Days from civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let millis = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + fractionMillis
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// Writes the last `count` decimal digits of `value` (≥ 0) at `out`, zero-padded.
    @inline(__always)
    private static func digits(_ value: Int64, _ count: Int, _ out: UnsafeMutablePointer<UInt8>) {
        var rest = value
        var i = count - 1
        while i >= 0 {
            out[i] = 0x30 + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            i -= 1
        }
    }
}
