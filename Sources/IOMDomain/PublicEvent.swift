/// What kind of public event the organisation holds.
public enum EventKind: String, Sendable, Hashable, CaseIterable {
    /// The kinds of public event.
    case thematicBreakfast, workshop, conference, campaign, training, other
}

/// Who took part in an event, by category.
public enum ParticipantCategory: String, Sendable, Hashable, CaseIterable {
    /// Who a participant represents.
    case government, euDelegation, countryOfOrigin, destinationCountry, internationalOrganisation, civilSociety, other
}

/// A participant (an institution, not a private person) of an event.
///
/// ```swift
/// let p = Participant(category: .government, name: try .init("Ministère de la Justice"), country: try .init("MA"))
/// ```
public struct Participant: Sendable, Hashable {
    /// The participant's category.
    public let category: ParticipantCategory
    /// The institution's name.
    public let name: NonEmptyString
    /// The country it represents, if any.
    public let country: CountryCode?

    /// Creates a participant.
    public init(category: ParticipantCategory, name: NonEmptyString, country: CountryCode?) {
        self.category = category; self.name = name; self.country = country
    }
}

/// A speaker of an event, with their role.
///
/// ```swift
/// let s = Speaker(name: try .init("Ana Fonseca"), role: try .init(fr: "Cheffe de mission de l'OIM Maroc"), organisation: nil)
/// ```
public struct Speaker: Sendable, Hashable {
    /// The speaker's name (public figure).
    public let name: NonEmptyString
    /// Their role at the event.
    public let role: LocalizedText
    /// The body they speak for, if stated.
    public let organisation: NonEmptyString?

    /// Creates a speaker.
    public init(name: NonEmptyString, role: LocalizedText, organisation: NonEmptyString?) {
        self.name = name; self.role = role; self.organisation = organisation
    }
}

/// A yearly observance such as the World Day against Trafficking in Persons (30 July).
///
/// ```swift
/// let day = try Observance(name: .init(en: "World Day against Trafficking in Persons"), month: 7, day: 30)
/// ```
public struct Observance: Sendable, Hashable {
    /// The observance's name.
    public let name: LocalizedText
    /// Month, 1...12.
    public let month: Int
    /// Day of the month (valid in a leap year).
    public let day: Int

    /// Validates the month and day.
    public init(name: LocalizedText, month: Int, day: Int, path: String = "observance") throws(ValidationError) {
        guard (1...12).contains(month), day >= 1, day <= CalendarDate.daysIn(month: month, year: 2000) else {
            throw ValidationError([ValidationIssue(path: "\(path).day", value: "\(month)-\(day)", reason: "is not a day of the year")])
        }
        self.name = name; self.month = month; self.day = day
    }
}

/// A public event held by a mission. Public data.
///
/// ```swift
/// let breakfast = try PublicEvent(id: .init("event-ma-2017-07-24"), version: 1, createdAt: t, updatedAt: t,
///     kind: .thematicBreakfast, title: .init(fr: "Petit déjeuner thématique"), date: .init(year: 2017, month: 7, day: 24),
///     city: .init("Rabat"), country: .init("MA"), theme: nil, observance: nil, organisingMission: ma.id,
///     participants: [], speakers: [], outcomes: [])
/// ```
public struct PublicEvent: DomainRecord {
    /// The record type of this record.
    public static let recordType = RecordType.event
    /// The record's identifier.
    public let id: Identifier<PublicEvent>
    /// The record's version: 1 when created, one more at each update.
    public internal(set) var version: UInt64
    /// When version 1 was saved.
    public let createdAt: Instant
    /// When this version was saved.
    public internal(set) var updatedAt: Instant
    /// Kind of event.
    public let kind: EventKind
    /// Title.
    public let title: LocalizedText
    /// The day it was held.
    public let date: CalendarDate
    /// City where it was held.
    public let city: NonEmptyString
    /// Country where it was held.
    public let country: CountryCode
    /// Its theme, if any.
    public let theme: LocalizedText?
    /// The observance it marks, if any.
    public let observance: Observance?
    /// The mission that organised it.
    public let organisingMission: Identifier<Mission>
    /// Participants by category (no duplicates).
    public let participants: [Participant]
    /// Speakers with their role.
    public let speakers: [Speaker]
    /// Outcomes, free text.
    public let outcomes: [LocalizedText]

    /// Validates every field and reports all problems at once.
    public init(id: Identifier<PublicEvent>, version: UInt64, createdAt: Instant, updatedAt: Instant,
                kind: EventKind, title: LocalizedText, date: CalendarDate, city: NonEmptyString, country: CountryCode,
                theme: LocalizedText?, observance: Observance?, organisingMission: Identifier<Mission>,
                participants: [Participant], speakers: [Speaker], outcomes: [LocalizedText]) throws(ValidationError) {
        var v = Validator()
        checkMetadata(&v, "event", version: version, createdAt: createdAt, updatedAt: updatedAt)
        v.bound(text: title, "event.title")
        v.bound(text: city, "event.city")
        v.bound(text: theme, "event.theme")
        v.bound(text: observance?.name, "event.observance.name")
        if v.bound(count: participants, "event.participants") {
            for (i, p) in participants.enumerated() { v.bound(text: p.name, "event.participants[\(i)].name") }
        }
        if v.bound(count: speakers, "event.speakers") {
            for (i, s) in speakers.enumerated() {
                v.bound(text: s.name, "event.speakers[\(i)].name")
                v.bound(text: s.role, "event.speakers[\(i)].role")
                v.bound(text: s.organisation, "event.speakers[\(i)].organisation")
            }
        }
        if v.bound(count: outcomes, "event.outcomes") {
            for (i, t) in outcomes.enumerated() { v.bound(text: t, "event.outcomes[\(i)]") }
        }
        var seen = Set<Participant>()
        for (i, p) in participants.enumerated() where !seen.insert(p).inserted {
            v.fail("event.participants[\(i)]", p.name.value, "is listed twice")
        }
        try v.finish()
        self.id = id; self.version = version; self.createdAt = createdAt; self.updatedAt = updatedAt
        self.kind = kind; self.title = title; self.date = date; self.city = city; self.country = country
        self.theme = theme; self.observance = observance; self.organisingMission = organisingMission
        self.participants = participants; self.speakers = speakers; self.outcomes = outcomes
    }

    /// This record, wrapped as an ``AnyRecord``.
    public var anyRecord: AnyRecord { .event(self) }
}
