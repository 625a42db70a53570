import IOMDomain
import SwiftProtobuf

/// Maps a domain enum to a proto enum by position: proto value = position in `allCases` + 1 (0 is UNSPECIFIED).
func wireEnum<D: CaseIterable & Equatable, W: SwiftProtobuf.Enum>(_ d: D) -> W {
    let all = Array(D.allCases)
    return W(rawValue: all.firstIndex(of: d)! + 1)!
}

extension Validator {
    mutating func enumValue<D: CaseIterable, W: SwiftProtobuf.Enum>(_ w: W, _ path: String) -> D? {
        let all = Array(D.allCases)
        let i = w.rawValue - 1
        guard i >= 0, i < all.count else {
            fail(path, "\(w)", "is not a valid \(D.self)")
            return nil
        }
        return all[i]
    }

    mutating func meta<R>(_ m: Iom_V1_RecordMeta, has: Bool, _ p: String) -> (Identifier<R>, UInt64, Instant, Instant)? {
        guard has else { fail("\(p).meta", "", "is required"); return nil }
        guard let id: Identifier<R> = check({ try Identifier<R>(m.id, path: "\(p).id") }) else { return nil }
        return (id, m.version, Instant(millisecondsSince1970: m.createdAtMs), Instant(millisecondsSince1970: m.updatedAtMs))
    }

    mutating func id<R>(_ s: String, _ path: String) -> Identifier<R>? { check { try Identifier<R>(s, path: path) } }

    mutating func name(_ s: String, _ path: String) -> NonEmptyString? { check { try NonEmptyString(s, path: path) } }

    mutating func optName(_ s: String, has: Bool, _ path: String) -> NonEmptyString?? {
        guard has else { return .some(nil) }
        return name(s, path).map { .some($0) }
    }

    mutating func country(_ s: String, _ path: String) -> CountryCode? { check { try CountryCode(s, path: path) } }

    mutating func optCountry(_ s: String, has: Bool, _ path: String) -> CountryCode?? {
        guard has else { return .some(nil) }
        return country(s, path).map { .some($0) }
    }

    mutating func text(_ t: Iom_V1_LocalizedText, _ path: String) -> LocalizedText? {
        check { try LocalizedText(fr: t.fr, en: t.en, ar: t.ar, path: path) }
    }

    mutating func texts(_ ts: [Iom_V1_LocalizedText], _ path: String) -> [LocalizedText]? {
        let out = ts.enumerated().compactMap { text($1, "\(path)[\($0)]") }
        return out.count == ts.count ? out : nil
    }

    mutating func date(_ d: Iom_V1_Date, _ path: String) -> CalendarDate? {
        check { try CalendarDate(year: Int(d.year), month: Int(d.month), day: Int(d.day), path: path) }
    }

    mutating func optDate(_ d: Iom_V1_Date, has: Bool, _ path: String) -> CalendarDate?? {
        guard has else { return .some(nil) }
        return date(d, path).map { .some($0) }
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
