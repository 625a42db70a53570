/// Whether a country office operates.
public enum MissionStatus: String, Sendable, Hashable, CaseIterable { case open, suspended, closed }

/// A country office of the organisation.
///
/// ```swift
/// let ma = try Mission(id: .init("mission-ma"), version: 1, createdAt: t, updatedAt: t,
///     organisation: iom.id, name: .init(fr: "Mission OIM Maroc"), country: .init("MA", path: "mission.country"),
///     presentSince: 2007, chiefOfMission: .init("Ana Fonseca"), thematicAxes: [], offices: [], status: .open)
/// ```
public struct Mission: DomainRecord {
    /// The record type of this record.
    public static let recordType = RecordType.mission
    /// The record's identifier.
    public let id: Identifier<Mission>
    /// The record's version: 1 when created, one more at each update.
    public internal(set) var version: UInt64
    /// When version 1 was saved.
    public let createdAt: Instant
    /// When this version was saved.
    public internal(set) var updatedAt: Instant
    /// The organisation the office belongs to.
    public let organisation: Identifier<Organisation>
    /// The office's name.
    public let name: LocalizedText
    /// The host country.
    public let country: CountryCode
    /// Year since which the organisation is present (1800...2100), if known.
    public let presentSince: Int?
    /// Chief of mission, if known.
    public let chiefOfMission: NonEmptyString?
    /// Thematic axes of the office's work.
    public let thematicAxes: [LocalizedText]
    /// Cities with an office (no duplicates).
    public let offices: [NonEmptyString]
    /// Open, suspended or closed.
    public let status: MissionStatus

    /// Validates every field and reports all problems at once.
    public init(id: Identifier<Mission>, version: UInt64, createdAt: Instant, updatedAt: Instant,
                organisation: Identifier<Organisation>, name: LocalizedText, country: CountryCode, presentSince: Int?,
                chiefOfMission: NonEmptyString?, thematicAxes: [LocalizedText], offices: [NonEmptyString],
                status: MissionStatus) throws(ValidationError) {
        var v = Validator()
        checkMetadata(&v, "mission", version: version, createdAt: createdAt, updatedAt: updatedAt)
        if let y = presentSince, !(1800...2100).contains(y) { v.fail("mission.presentSince", "\(y)", "is not a year in 1800...2100") }
        v.bound(text: name, "mission.name")
        v.bound(text: chiefOfMission, "mission.chiefOfMission")
        if v.bound(count: thematicAxes, "mission.thematicAxes") {
            for (i, t) in thematicAxes.enumerated() { v.bound(text: t, "mission.thematicAxes[\(i)]") }
        }
        if v.bound(count: offices, "mission.offices") {
            for (i, o) in offices.enumerated() { v.bound(text: o, "mission.offices[\(i)]") }
        }
        var seen = Set<NonEmptyString>()
        for (i, o) in offices.enumerated() where !seen.insert(o).inserted {
            v.fail("mission.offices[\(i)]", o.value, "is listed twice")
        }
        try v.finish()
        self.id = id; self.version = version; self.createdAt = createdAt; self.updatedAt = updatedAt
        self.organisation = organisation; self.name = name; self.country = country; self.presentSince = presentSince
        self.chiefOfMission = chiefOfMission; self.thematicAxes = thematicAxes; self.offices = offices; self.status = status
    }

    /// This record, wrapped as an ``AnyRecord``.
    public var anyRecord: AnyRecord { .mission(self) }
}
