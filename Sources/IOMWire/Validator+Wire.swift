import IOMDomain
import SwiftProtobuf

/// Maps a domain enum to a proto enum by position: proto value = position in `allCases` + 1 (0 is UNSPECIFIED).
func wireEnum<D: CaseIterable & Equatable, W: SwiftProtobuf.Enum>(_ d: D) -> W {
    let all = Array(D.allCases)
    return W(rawValue: all.firstIndex(of: d)! + 1)!
}

extension Validator {
    // Field paths (`mission.offices[2]`) are only built when a field is invalid: decoding a
    // valid message, the subscriber's per-event work, builds none of them.

    /// Builds a value whose error names `path`; on failure, builds it again with the path text
    /// and keeps the issues.
    private mutating func field<T>(_ path: () -> String, _ build: (String) throws(ValidationError) -> T) -> T? {
        if let value = try? build("") { return value }
        return check { try build(path()) }
    }

    mutating func enumValue<D: CaseIterable, W: SwiftProtobuf.Enum>(_ w: W, _ path: @autoclosure () -> String) -> D? {
        let all = D.allCases
        let i = w.rawValue - 1
        guard i >= 0, i < all.count else {
            fail(path(), "\(w)", "is not a valid \(D.self)")
            return nil
        }
        return all[all.index(all.startIndex, offsetBy: i)]
    }

    mutating func meta<R>(_ m: Iom_V1_RecordMeta, has: Bool, _ p: @autoclosure () -> String) -> (Identifier<R>, UInt64, Instant, Instant)? {
        guard has else { fail("\(p()).meta", "", "is required"); return nil }
        guard let id: Identifier<R> = field({ "\(p()).id" }, { path throws(ValidationError) in try Identifier<R>(m.id, path: path) }) else { return nil }
        return (id, m.version, Instant(millisecondsSince1970: m.createdAtMs), Instant(millisecondsSince1970: m.updatedAtMs))
    }

    mutating func id<R>(_ s: String, _ path: @autoclosure () -> String) -> Identifier<R>? {
        field(path) { path throws(ValidationError) in try Identifier<R>(s, path: path) }
    }

    mutating func name(_ s: String, _ path: @autoclosure () -> String) -> NonEmptyString? {
        field(path) { path throws(ValidationError) in try NonEmptyString(s, path: path) }
    }

    mutating func optName(_ s: String, has: Bool, _ path: @autoclosure () -> String) -> NonEmptyString?? {
        guard has else { return .some(nil) }
        return name(s, path()).map { .some($0) }
    }

    mutating func country(_ s: String, _ path: @autoclosure () -> String) -> CountryCode? {
        field(path) { path throws(ValidationError) in try CountryCode(s, path: path) }
    }

    mutating func optCountry(_ s: String, has: Bool, _ path: @autoclosure () -> String) -> CountryCode?? {
        guard has else { return .some(nil) }
        return country(s, path()).map { .some($0) }
    }

    mutating func text(_ t: Iom_V1_LocalizedText, _ path: @autoclosure () -> String) -> LocalizedText? {
        field(path) { path throws(ValidationError) in try LocalizedText(fr: t.fr, en: t.en, ar: t.ar, path: path) }
    }

    mutating func texts(_ ts: [Iom_V1_LocalizedText], _ path: @autoclosure () -> String) -> [LocalizedText]? {
        all(ts) { v, t, i in v.text(t, "\(path())[\(i)]") }
    }

    mutating func date(_ d: Iom_V1_Date, _ path: @autoclosure () -> String) -> CalendarDate? {
        field(path) { path throws(ValidationError) in try CalendarDate(year: Int(d.year), month: Int(d.month), day: Int(d.day), path: path) }
    }

    mutating func optDate(_ d: Iom_V1_Date, has: Bool, _ path: @autoclosure () -> String) -> CalendarDate?? {
        guard has else { return .some(nil) }
        return date(d, path()).map { .some($0) }
    }

    /// Maps every element, keeping all issues; nil when any element failed.
    mutating func all<W, D>(_ ws: [W], _ f: (inout Validator, W, Int) -> D?) -> [D]? {
        var out: [D] = []
        out.reserveCapacity(ws.count)
        for (i, w) in ws.enumerated() { if let d = f(&self, w, i) { out.append(d) } }
        return out.count == ws.count ? out : nil
    }
}

extension LocalizedText {
    var wire: Iom_V1_LocalizedText {
        var w = Iom_V1_LocalizedText()
        w.fr = fr ?? ""; w.en = en ?? ""; w.ar = ar ?? ""
        return w
    }
}

extension CalendarDate {
    var wire: Iom_V1_Date {
        var w = Iom_V1_Date()
        w.year = Int32(year); w.month = Int32(month); w.day = Int32(day)
        return w
    }
}

func wireMeta<R: DomainRecord>(_ r: R) -> Iom_V1_RecordMeta {
    var m = Iom_V1_RecordMeta()
    m.id = r.id.rawValue
    m.version = r.version
    m.createdAtMs = r.createdAt.millisecondsSince1970
    m.updatedAtMs = r.updatedAt.millisecondsSince1970
    return m
}
