import IOMDomain
import SwiftProtobuf

// The schema of Protocols/iom/v1, written by hand from the domain types.
//
// Each function writes what the `.wire` getter of its type assigns (Change+Wire.swift,
// Organisation+Wire.swift…), in field-number order, as SwiftProtobuf's traversal of the
// generated message would: a function named after a message writes its body at the current
// position; one that takes a field number writes the whole field (tag, length, body).
// `iom.v1.ProtectionCase` is the exception: SwiftProtobuf serializes it (`protectionCase`).

extension WireWriter {
    // MARK: Change and the record envelope

    /// `iom.v1.Change`.
    mutating func change(_ c: Change) {
        enumValue(1, Self.number(c.recordType))
        enumValue(2, Self.number(c.kind))
        string(3, c.recordID)
        uint64(4, c.version)
        if let b = c.before {
            let start = beginMessage(5)
            record(b)
            endMessage(start)
        }
        if let a = c.after {
            let start = beginMessage(6)
            record(a)
            endMessage(start)
        }
    }

    /// `iom.v1.Record`: the one member of its `oneof`.
    mutating func record(_ r: AnyRecord) {
        switch r {
        case .organisation(let o):
            let start = beginMessage(1)
            organisation(o)
            endMessage(start)
        case .mission(let m):
            let start = beginMessage(2)
            mission(m)
            endMessage(start)
        case .memberState(let s):
            let start = beginMessage(3)
            memberState(s)
            endMessage(start)
        case .event(let e):
            let start = beginMessage(4)
            event(e)
            endMessage(start)
        case .protectionCase(let p):
            message(5, serialized: Self.protectionCase(p))
        }
    }

    /// `iom.v1.ProtectionCase`, serialized by SwiftProtobuf from the generated message (its
    /// many groups and the sorted sets are left to the `.wire` getter).
    static func protectionCase(_ p: ProtectionCase) -> [UInt8] {
        WireCodec.bytes(p.wire)
    }

    // MARK: Common

    /// A `RecordMeta` field (`wireMeta`): always written, as every record's field 1.
    mutating func meta<R: DomainRecord>(_ field: Int, _ r: R) {
        let start = beginMessage(field)
        string(1, r.id.rawValue)
        uint64(2, r.version)
        int64(3, r.createdAt.millisecondsSince1970)
        int64(4, r.updatedAt.millisecondsSince1970)
        endMessage(start)
    }

    /// A `LocalizedText` field: written even when empty; an absent language is "" and left out.
    mutating func localizedText(_ field: Int, _ t: LocalizedText) {
        let start = beginMessage(field)
        string(1, t.fr ?? "")
        string(2, t.en ?? "")
        string(3, t.ar ?? "")
        endMessage(start)
    }

    /// A `Date` field.
    mutating func date(_ field: Int, _ d: CalendarDate) {
        let start = beginMessage(field)
        int32(1, Int32(d.year))
        int32(2, Int32(d.month))
        int32(3, Int32(d.day))
        endMessage(start)
    }

    // MARK: Records

    /// `iom.v1.Organisation`.
    mutating func organisation(_ o: Organisation) {
        meta(1, o)
        localizedText(2, o.name)
        localizedText(3, o.shortName)
        int32(4, Int32(o.foundedYear))
        bool(5, o.partOfUnitedNations)
        int32(6, Int32(o.memberStateCount))
        int32(7, Int32(o.countriesOfPresenceAtLeast))
        for p in o.priorities { localizedText(8, p) }
    }

    /// `iom.v1.Mission`.
    mutating func mission(_ m: Mission) {
        meta(1, m)
        string(2, m.organisation.rawValue)
        localizedText(3, m.name)
        string(4, m.country.alpha2)
        int32(5, set: m.presentSince.map { Int32($0) })
        string(6, set: m.chiefOfMission?.value)
        for t in m.thematicAxes { localizedText(7, t) }
        for o in m.offices { string(8, set: o.value) }
        enumValue(9, Self.number(m.status))
    }

    /// `iom.v1.MemberState`.
    mutating func memberState(_ s: MemberState) {
        meta(1, s)
        string(2, s.country.alpha2)
        string(3, s.country.alpha3)
        uint32(4, UInt32(s.country.numeric))
        localizedText(5, s.name)
        enumValue(6, Self.number(s.status))
        if let d = s.admittedOn { date(7, d) }
    }

    /// `iom.v1.Event`.
    mutating func event(_ e: PublicEvent) {
        meta(1, e)
        enumValue(2, Self.number(e.kind))
        localizedText(3, e.title)
        date(4, e.date)
        string(5, e.city.value)
        string(6, e.country.alpha2)
        if let t = e.theme { localizedText(7, t) }
        if let o = e.observance {
            let start = beginMessage(8)
            localizedText(1, o.name)
            int32(2, Int32(o.month))
            int32(3, Int32(o.day))
            endMessage(start)
        }
        string(9, e.organisingMission.rawValue)
        for p in e.participants {
            let start = beginMessage(10)
            enumValue(1, Self.number(p.category))
            string(2, p.name.value)
            string(3, set: p.country?.alpha2)
            endMessage(start)
        }
        for s in e.speakers {
            let start = beginMessage(11)
            string(1, s.name.value)
            localizedText(2, s.role)
            string(3, set: s.organisation?.value)
            endMessage(start)
        }
        for t in e.outcomes { localizedText(12, t) }
    }

    // MARK: Enums

    // The proto number of each domain enum: its position in `allCases` plus one (0 is
    // `…_UNSPECIFIED`), as `wireEnum(_:)` maps it, written out so that no `allCases` array is
    // built per value. `WireWriterDifferentialTests` checks every case against `wireEnum`.

    /// The `iom.v1.RecordType` number of a ``IOMDomain/RecordType``.
    static func number(_ v: RecordType) -> Int {
        switch v {
        case .organisation: 1
        case .mission: 2
        case .memberState: 3
        case .event: 4
        case .protectionCase: 5
        }
    }

    /// The `iom.v1.ChangeKind` number of a ``IOMDomain/ChangeKind``.
    static func number(_ v: ChangeKind) -> Int {
        switch v {
        case .created: 1
        case .updated: 2
        case .deleted: 3
        }
    }

    /// The `iom.v1.MissionStatus` number of a ``IOMDomain/MissionStatus``.
    static func number(_ v: MissionStatus) -> Int {
        switch v {
        case .open: 1
        case .suspended: 2
        case .closed: 3
        }
    }

    /// The `iom.v1.MembershipStatus` number of a ``IOMDomain/MembershipStatus``.
    static func number(_ v: MembershipStatus) -> Int {
        switch v {
        case .member: 1
        case .observer: 2
        }
    }

    /// The `iom.v1.EventKind` number of a ``IOMDomain/EventKind``.
    static func number(_ v: EventKind) -> Int {
        switch v {
        case .thematicBreakfast: 1
        case .workshop: 2
        case .conference: 3
        case .campaign: 4
        case .training: 5
        case .other: 6
        }
    }

    /// The `iom.v1.ParticipantCategory` number of a ``IOMDomain/ParticipantCategory``.
    static func number(_ v: ParticipantCategory) -> Int {
        switch v {
        case .government: 1
        case .euDelegation: 2
        case .countryOfOrigin: 3
        case .destinationCountry: 4
        case .internationalOrganisation: 5
        case .civilSociety: 6
        case .other: 7
        }
    }
}
