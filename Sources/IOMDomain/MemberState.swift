/// A state's standing in the organisation.
public enum MembershipStatus: String, Sendable, Hashable, CaseIterable { case member, observer }

/// A member or observer state. Codes come from ``CountryCode`` (ISO 3166-1 alpha-2, alpha-3, numeric).
///
/// ```swift
/// let morocco = try MemberState(id: .init("state-ma"), version: 1, createdAt: t, updatedAt: t,
///     country: .init("MA"), name: .init(fr: "Maroc", en: "Morocco"), status: .member, admittedOn: nil)
/// morocco.country.alpha3 // "MAR"
/// ```
public struct MemberState: DomainRecord {
    /// The record type of this record.
    public static let recordType = RecordType.memberState
    /// The record's identifier.
    public let id: Identifier<MemberState>
    /// The record's version: 1 when created, one more at each update.
    public internal(set) var version: UInt64
    /// When version 1 was saved.
    public let createdAt: Instant
    /// When this version was saved.
    public internal(set) var updatedAt: Instant
    /// The state's ISO 3166-1 codes.
    public let country: CountryCode
    /// Names in the working languages.
    public let name: LocalizedText
    /// Member or observer.
    public let status: MembershipStatus
    /// Date of admission, only when known (never invented).
    public let admittedOn: CalendarDate?

    /// Validates every field and reports all problems at once.
    public init(id: Identifier<MemberState>, version: UInt64, createdAt: Instant, updatedAt: Instant,
                country: CountryCode, name: LocalizedText, status: MembershipStatus, admittedOn: CalendarDate?) throws(ValidationError) {
        var v = Validator()
        checkMetadata(&v, "memberState", version: version, createdAt: createdAt, updatedAt: updatedAt)
        v.bound(text: name, "memberState.name")
        if let d = admittedOn, d.year < 1951 { v.fail("memberState.admittedOn", d.description, "is before the organisation was founded (1951)") }
        try v.finish()
        self.id = id; self.version = version; self.createdAt = createdAt; self.updatedAt = updatedAt
        self.country = country; self.name = name; self.status = status; self.admittedOn = admittedOn
    }

    /// This record, wrapped as an ``AnyRecord``.
    public var anyRecord: AnyRecord { .memberState(self) }
}
