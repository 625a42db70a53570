/// Text in the organisation's working languages (French, English, Arabic); at least one is given.
///
/// ```swift
/// let name = try LocalizedText(fr: "Organisation internationale pour les migrations",
///                              en: "International Organization for Migration", path: "organisation.name")
/// name.fr // "Organisation internationale pour les migrations"
/// ```
public struct LocalizedText: Sendable, Hashable {
    /// French text, if any.
    public let fr: String?
    /// English text, if any.
    public let en: String?
    /// Arabic text, if any.
    public let ar: String?

    /// Creates text; empty strings count as absent and at least one language must remain.
    public init(fr: String? = nil, en: String? = nil, ar: String? = nil, path: String = "text") throws(ValidationError) {
        func clean(_ s: String?) -> String? {
            guard let t = s?.trimmingWhitespace(), !t.isEmpty else { return nil }
            return t
        }
        self.fr = clean(fr)
        self.en = clean(en)
        self.ar = clean(ar)
        if self.fr == nil, self.en == nil, self.ar == nil {
            throw ValidationError([ValidationIssue(path: path, value: "", reason: "needs text in at least one of fr, en, ar")])
        }
    }

    /// The first available of French, English, Arabic.
    public var any: String { fr ?? en ?? ar ?? "" }
}
