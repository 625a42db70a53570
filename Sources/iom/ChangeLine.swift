import Foundation
import IOMKit
import IOMWire

/// How `iom tail` writes one change: a readable line, or one JSON object per line.
enum ChangeLine {
    /// `SEQUENCE TIME TYPE KIND RECORD vVERSION SUMMARY`, e.g.
    /// `2 2017-07-24T00:00:00.000Z mission created mission-ma v1 Mission OIM Maroc (MA, open)`.
    static func text(_ committed: CommittedChange) -> String {
        let change = committed.change
        var line = "\(committed.sequence) \(timestamp(committed.time)) \(change.recordType.rawValue) \(change.kind.rawValue) \(change.recordID) v\(change.version)"
        if let record = change.after ?? change.before {
            let summary = self.summary(record)
            if !summary.isEmpty { line += " " + summary }
        }
        return line
    }

    /// One JSON object: the change's place in its source (`source`, `sequence`, `id`, `time`),
    /// what it is (`type`, `kind`, `record`, `version`) and `change`, the `iom.v1.Change` in the
    /// protobuf JSON mapping of `Protocols/iom/v1`.
    static func json(_ committed: CommittedChange) -> String {
        let change = committed.change
        return "{\"source\":\"\(committed.source)\",\"sequence\":\(committed.sequence),\"id\":\"\(committed.changeID.uuidString.lowercased())\","
            + "\"time\":\"\(timestamp(committed.time))\",\"type\":\"\(change.recordType.rawValue)\",\"kind\":\"\(change.kind.rawValue)\","
            + "\"record\":\(quoted(change.recordID)),\"version\":\(change.version),\"change\":\(WireCodec.json(change))}"
    }

    /// A short, non-identifying description of a record (protection cases: short id and status only).
    static func summary(_ record: AnyRecord) -> String {
        let text: String
        switch record {
        case .organisation(let r): text = "\(r.shortName.any): \(r.name.any)"
        case .mission(let r): text = "\(r.name.any) (\(r.country.alpha2), \(r.status.rawValue))"
        case .memberState(let r): text = "\(r.country.alpha2) \(r.name.any) (\(r.status.rawValue))"
        case .event(let r): text = "\(r.date) \(r.city.value): \(r.title.any)"
        case .protectionCase(let r): text = "\(r.shortID.value) (\(r.status.rawValue))"
        }
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 100 ? String(flat.prefix(99)) + "…" : flat
    }

    /// RFC 3339, UTC, exactly three fraction digits (as the bridge's `time` attribute).
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000)
        let fraction = Int(milliseconds - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(fraction), 3))Z"
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
