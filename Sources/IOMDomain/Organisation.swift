/// The intergovernmental organisation itself.
///
/// ```swift
/// let iom = try Organisation(id: .init("iom"), version: 1, createdAt: t, updatedAt: t,
///     name: .init(fr: "Organisation internationale pour les migrations", en: "International Organization for Migration"),
///     shortName: .init(fr: "OIM", en: "IOM"), foundedYear: 1951, partOfUnitedNations: true,
///     memberStateCount: 174, countriesOfPresenceAtLeast: 100, priorities: [])
/// ```
public struct Organisation: DomainRecord {
    /// The record type of this record.
    public static let recordType = RecordType.organisation
    /// The record's identifier.
    public let id: Identifier<Organisation>
    /// The record's version: 1 when created, one more at each update.
    public internal(set) var version: UInt64
    /// When version 1 was saved.
    public let createdAt: Instant
    /// When this version was saved.
    public internal(set) var updatedAt: Instant
    /// Full name in several languages.
    public let name: LocalizedText
    /// Short name (OIM, IOM).
    public let shortName: LocalizedText
    /// Year founded (1800...2100).
    public let foundedYear: Int
    /// Whether it is part of the United Nations system.
    public let partOfUnitedNations: Bool
    /// Number of member states (0...300).
    public let memberStateCount: Int
    /// Lower bound of the countries where it is present ("more than 100": 100).
    public let countriesOfPresenceAtLeast: Int
    /// Cross-cutting priorities.
    public let priorities: [LocalizedText]

    /// Validates every field and reports all problems at once.
    public init(id: Identifier<Organisation>, version: UInt64, createdAt: Instant, updatedAt: Instant,
                name: LocalizedText, shortName: LocalizedText, foundedYear: Int, partOfUnitedNations: Bool,
                memberStateCount: Int, countriesOfPresenceAtLeast: Int, priorities: [LocalizedText]) throws(ValidationError) {
        var v = Validator()
        checkMetadata(&v, "organisation", version: version, createdAt: createdAt, updatedAt: updatedAt)
        if !(1800...2100).contains(foundedYear) { v.fail("organisation.foundedYear", "\(foundedYear)", "is not a year in 1800...2100") }
        if !(0...300).contains(memberStateCount) { v.fail("organisation.memberStateCount", "\(memberStateCount)", "is not in 0...300") }
        v.bound(text: name, "organisation.name")
        v.bound(text: shortName, "organisation.shortName")
        if v.bound(count: priorities, "organisation.priorities") {
            for (i, t) in priorities.enumerated() { v.bound(text: t, "organisation.priorities[\(i)]") }
        }
        if !(0...300).contains(countriesOfPresenceAtLeast) { v.fail("organisation.countriesOfPresenceAtLeast", "\(countriesOfPresenceAtLeast)", "is not in 0...300") }
        try v.finish()
        self.id = id; self.version = version; self.createdAt = createdAt; self.updatedAt = updatedAt
        self.name = name; self.shortName = shortName; self.foundedYear = foundedYear
        self.partOfUnitedNations = partOfUnitedNations; self.memberStateCount = memberStateCount
        self.countriesOfPresenceAtLeast = countriesOfPresenceAtLeast; self.priorities = priorities
    }

    /// This record, wrapped as an ``AnyRecord``.
    public var anyRecord: AnyRecord { .organisation(self) }
}
