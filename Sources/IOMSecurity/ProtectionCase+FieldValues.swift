import IOMDomain

extension ProtectionCase {
    /// Every leaf field that holds a value, with its values as text (list elements in order;
    /// sets sorted). Paths are those of ``ProtectionCase/fieldClassification``, e.g.
    /// `protectionCase.identifying.documents[].number`. Used to find which fields a write
    /// changes and which fields a read returns (for the audit trail).
    package var fieldValues: [FieldPath: [String]] {
        var out: [String: [String]] = [:]
        collect(self, "protectionCase", into: &out)
        var result: [FieldPath: [String]] = [:]
        for (k, v) in out { result[FieldPath(k)] = v }
        return result
    }

    /// The fields whose values differ between `old` (nil: a new case) and `self`.
    package func changedFields(since old: ProtectionCase?) -> Set<FieldPath> {
        let new = fieldValues
        guard let old else { return Set(new.keys) }
        let before = old.fieldValues
        var changed = Set<FieldPath>()
        for key in Set(new.keys).union(before.keys) where new[key] != before[key] { changed.insert(key) }
        // Bookkeeping the repository stamps itself.
        changed.remove("protectionCase.version")
        changed.remove("protectionCase.updatedAt")
        return changed
    }
}

private func collect(_ value: Any, _ path: String, into out: inout [String: [String]]) {
    let mirror = Mirror(reflecting: value)
    let typeName = String(describing: type(of: value))
    let leaf = value is NonEmptyString || value is CountryCode || value is CalendarDate || value is Instant
        || value is String || value is Bool || value is Int || value is UInt64 || value is Double
        || typeName.hasPrefix("Identifier<") || mirror.displayStyle == .enum
    if leaf {
        out[path, default: []].append(String(describing: value))
        return
    }
    switch mirror.displayStyle {
    case .optional:
        if let child = mirror.children.first { collect(child.value, path, into: &out) }
    case .set:
        var inner: [String: [String]] = [:]
        for child in mirror.children { collect(child.value, "\(path)[]", into: &inner) }
        for (k, v) in inner { out[k, default: []] += v.sorted() }
    case .collection:
        for child in mirror.children { collect(child.value, "\(path)[]", into: &out) }
    default:
        for child in mirror.children { collect(child.value, "\(path).\(child.label ?? "?")", into: &out) }
    }
}
