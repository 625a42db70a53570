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
            message(5) { w in w.record(b) }
        }
        if let a = c.after {
            message(6) { w in w.record(a) }
        }
    }

    /// `iom.v1.Record`: the one member of its `oneof`.
    mutating func record(_ r: AnyRecord) {
        switch r {
        case .organisation(let o):
            message(1) { w in w.organisation(o) }
        case .mission(let m):
            message(2) { w in w.mission(m) }
        case .memberState(let s):
            message(3) { w in w.memberState(s) }
        case .event(let e):
            message(4) { w in w.event(e) }
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
        message(field) { w in
            w.string(1, r.id.rawValue)
            w.uint64(2, r.version)
            w.int64(3, r.createdAt.millisecondsSince1970)
            w.int64(4, r.updatedAt.millisecondsSince1970)
        }
    }

    /// A `LocalizedText` field: written even when empty; an absent language is "" and left out.
    mutating func localizedText(_ field: Int, _ t: LocalizedText) {
        message(field) { w in
            w.string(1, t.fr ?? "")
            w.string(2, t.en ?? "")
            w.string(3, t.ar ?? "")
        }
    }

    /// A `Date` field.
    mutating func date(_ field: Int, _ d: CalendarDate) {
        message(field) { w in
            w.int32(1, Int32(d.year))
            w.int32(2, Int32(d.month))
            w.int32(3, Int32(d.day))
        }
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
            message(8) { w in
                w.localizedText(1, o.name)
                w.int32(2, Int32(o.month))
                w.int32(3, Int32(o.day))
            }
        }
        string(9, e.organisingMission.rawValue)
        for p in e.participants {
            message(10) { w in
                w.enumValue(1, Self.number(p.category))
                w.string(2, p.name.value)
                w.string(3, set: p.country?.alpha2)
            }
        }
        for s in e.speakers {
            message(11) { w in
                w.string(1, s.name.value)
                w.localizedText(2, s.role)
                w.string(3, set: s.organisation?.value)
            }
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
