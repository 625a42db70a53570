import Testing
import SwiftProtobuf
import IOMDomain
import IOMFixtures
@testable import IOMWire

/// The hand-written protobuf writer (`WireWriter`, behind `WireCodec.encode`) against
/// SwiftProtobuf: every record and change encodes to exactly the bytes `serializedBytes()`
/// gives for the generated message its `.wire` getter builds, and decodes back to itself.
/// Every comparison is of whole byte arrays, so one wrong byte fails it.
@Suite struct WireWriterDifferentialTests {
    // MARK: Comparison

    /// Where two encodings first differ, nil when they are the same.
    static func difference(_ mine: [UInt8], _ oracle: [UInt8]) -> String? {
        if mine == oracle { return nil }
        let at = zip(mine, oracle).enumerated().first { $1.0 != $1.1 }?.offset ?? min(mine.count, oracle.count)
        func around(_ b: [UInt8]) -> String {
            b[max(0, at - 8)..<min(b.count, at + 8)].map { String($0, radix: 16) }.joined(separator: " ")
        }
        return "writer \(mine.count) B, SwiftProtobuf \(oracle.count) B, first difference at byte \(at):\n"
            + "  writer:        \(around(mine))\n  SwiftProtobuf: \(around(oracle))"
    }

    /// The record's bytes are SwiftProtobuf's and decode back to it.
    static func expectSame(_ record: AnyRecord, _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let oracle = WireCodec.encodeWithSwiftProtobuf(record)
        #expect(!oracle.isEmpty, sourceLocation: sourceLocation)
        let mine = WireCodec.encode(record)
        if let d = difference(mine, oracle) { Issue.record("\(what()): \(d)", sourceLocation: sourceLocation) }
        #expect(try WireCodec.decodeRecord(mine, type: record.recordType) == record, "\(what())", sourceLocation: sourceLocation)
    }

    /// The change's bytes are SwiftProtobuf's and decode back to it.
    static func expectSame(_ change: Change, _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let oracle = WireCodec.encodeWithSwiftProtobuf(change)
        #expect(!oracle.isEmpty, sourceLocation: sourceLocation)
        let mine = WireCodec.encode(change)
        if let d = difference(mine, oracle) { Issue.record("\(what()): \(d)", sourceLocation: sourceLocation) }
        #expect(try WireCodec.decodeChange(mine) == change, "\(what())", sourceLocation: sourceLocation)
    }

    /// The record, and every change that can carry it: created, updated (before and after),
    /// deleted (at the next version and at `UInt64.max`).
    static func expectSameInEveryChange(_ record: AnyRecord, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectSame(record, what, sourceLocation: sourceLocation)
        try expectSame(try Change(kind: .created, before: nil, after: record), "\(what), created", sourceLocation: sourceLocation)
        try expectSame(try Change(kind: .deleted, before: record, after: nil), "\(what), deleted", sourceLocation: sourceLocation)
        try expectSame(try Change(kind: .deleted, before: record, after: nil, version: .max), "\(what), deleted at UInt64.max",
                       sourceLocation: sourceLocation)
        if record.version < UInt64(Int64.max) - 1 {
            let next = try restamped(record, version: record.version + 1)
            try expectSame(try Change(kind: .updated, before: record, after: next), "\(what), updated", sourceLocation: sourceLocation)
        }
        if record.version > 1 {
            let previous = try restamped(record, version: 1)
            try expectSame(try Change(kind: .updated, before: previous, after: record), "\(what), updated from 1", sourceLocation: sourceLocation)
        }
    }

    static func restamped(_ record: AnyRecord, version: UInt64) throws -> AnyRecord {
        switch record {
        case .organisation(let r): try r.restamped(version: version, updatedAt: r.updatedAt).anyRecord
        case .mission(let r): try r.restamped(version: version, updatedAt: r.updatedAt).anyRecord
        case .memberState(let r): try r.restamped(version: version, updatedAt: r.updatedAt).anyRecord
        case .event(let r): try r.restamped(version: version, updatedAt: r.updatedAt).anyRecord
        case .protectionCase(let r): try r.restamped(version: version, updatedAt: r.updatedAt).anyRecord
        }
    }

    // MARK: Fixtures

    @Test(arguments: allRecords)
    func everyFixtureAndItsChanges(_ record: AnyRecord) throws {
        try Self.expectSameInEveryChange(record, "\(record.recordType) \(record.recordID)")
    }

    @Test func theChangesOtherTestsUse() throws {
        let registered = try FictionalCases.minimal.transition(to: .registered, at: FictionalCases.minimal.updatedAt, by: .init("cw"))
        let changes = [
            try Change(kind: .created, before: nil, after: Seed.rabatBreakfast2017.anyRecord),
            try Change(kind: .updated, before: FictionalCases.minimal.anyRecord, after: registered.anyRecord),
            try Change(kind: .updated, before: FictionalCases.minimal.anyRecord, after: FictionalCases.transferred.anyRecord),
            try Change(kind: .deleted, before: Seed.moroccoMission.anyRecord, after: nil),
        ]
        for (i, change) in changes.enumerated() { try Self.expectSame(change, "change \(i)") }
    }

    /// The writer's enum numbers are `wireEnum`'s, case by case.
    @Test func enumNumbersAreWireEnums() {
        func check<D: CaseIterable & Equatable, W: SwiftProtobuf.Enum>(_: D.Type, _: W.Type, _ number: (D) -> Int) {
            for d in D.allCases {
                let w: W = wireEnum(d)
                #expect(number(d) == w.rawValue, "\(d)")
            }
        }
        check(RecordType.self, Iom_V1_RecordType.self, WireWriter.number)
        check(ChangeKind.self, Iom_V1_ChangeKind.self, WireWriter.number)
        check(MissionStatus.self, Iom_V1_MissionStatus.self, WireWriter.number)
        check(MembershipStatus.self, Iom_V1_MembershipStatus.self, WireWriter.number)
        check(EventKind.self, Iom_V1_EventKind.self, WireWriter.number)
        check(ParticipantCategory.self, Iom_V1_ParticipantCategory.self, WireWriter.number)
    }

    // MARK: Edge values the domain allows

    static let epoch = Instant(millisecondsSince1970: 0)
    static let latest = Instant(millisecondsSince1970: RecordBounds.latestInstant)
    static let largestVersion = UInt64(Int64.max) - 1

    static func text(fr: String? = nil, en: String? = nil, ar: String? = nil) throws -> LocalizedText {
        try LocalizedText(fr: fr, en: en, ar: ar)
    }

    static func mission(id: String = "mission-ma", version: UInt64 = 1, createdAt: Instant = epoch, updatedAt: Instant = epoch,
                        name: LocalizedText? = nil, presentSince: Int? = nil, chief: String? = nil, axes: [LocalizedText] = [],
                        offices: [String] = [], status: MissionStatus = .open, country: String = "MA") throws -> Mission {
        try Mission(id: .init(id), version: version, createdAt: createdAt, updatedAt: updatedAt, organisation: .init("iom"),
                    name: name ?? text(fr: "Mission"), country: .init(country), presentSince: presentSince,
                    chiefOfMission: chief.map { try NonEmptyString($0) }, thematicAxes: axes,
                    offices: offices.map { try NonEmptyString($0) }, status: status)
    }

    static func event(kind: EventKind = .workshop, date: CalendarDate? = nil, theme: LocalizedText? = nil, observance: Observance? = nil,
                      participants: [Participant] = [], speakers: [Speaker] = [], outcomes: [LocalizedText] = [],
                      title: LocalizedText? = nil, city: String = "Rabat") throws -> PublicEvent {
        try PublicEvent(id: .init("event-1"), version: 1, createdAt: epoch, updatedAt: latest, kind: kind,
                        title: title ?? text(en: "T"), date: date ?? .init(year: 1, month: 1, day: 1), city: .init(city),
                        country: .init("MA"), theme: theme, observance: observance, organisingMission: .init("mission-ma"),
                        participants: participants, speakers: speakers, outcomes: outcomes)
    }

    @Test func organisationEdges() throws {
        let o = Seed.organisation
        let cases: [(Int, Bool, Int, Int, [LocalizedText])] = [
            (1800, false, 0, 0, []), (2100, true, 300, 300, [try Self.text(ar: "أ")]),
            (1951, false, 127, 128, try (0..<300).map { try Self.text(en: "p\($0)") }),
        ]
        for (founded, un, members, presence, priorities) in cases {
            let r = try Organisation(id: o.id, version: 1, createdAt: Self.epoch, updatedAt: Self.epoch, name: o.name, shortName: o.shortName,
                                     foundedYear: founded, partOfUnitedNations: un, memberStateCount: members,
                                     countriesOfPresenceAtLeast: presence, priorities: priorities)
            try Self.expectSameInEveryChange(r.anyRecord, "organisation \(founded) \(un) \(members) \(presence) \(priorities.count)")
        }
    }

    @Test func missionEdges() throws {
        let missions: [(String, Mission)] = [
            ("nothing optional", try Self.mission()),
            ("present since, chief", try Self.mission(presentSince: 1800, chief: "C")),
            ("every status closed", try Self.mission(presentSince: 2100, status: .closed)),
            ("suspended", try Self.mission(status: .suspended)),
            ("versions and instants at their bounds", try Self.mission(version: Self.largestVersion, createdAt: Self.epoch, updatedAt: Self.latest)),
            ("version 127/128", try Self.mission(version: 128, createdAt: .init(millisecondsSince1970: 127), updatedAt: .init(millisecondsSince1970: 128))),
            ("one of each list", try Self.mission(axes: [try Self.text(fr: "a")], offices: ["Rabat"])),
            ("many of each list", try Self.mission(axes: (0..<1000).map { try Self.text(fr: "axe \($0)", en: "axis", ar: "محور") },
                                                   offices: (0..<1000).map { "Office \($0)" })),
            ("non-ASCII", try Self.mission(id: "mission-é-المغرب-😀", name: try Self.text(fr: "é", en: "日本語", ar: "المغرب"), chief: "Ana 🇲🇦 Fonseca",
                                            offices: ["Fès", "الرباط", "𝄞"])),
            ("128-byte id", try Self.mission(id: String(repeating: "k", count: 128))),
            ("another country", try Self.mission(country: "ZW")),
        ]
        for (what, m) in missions { try Self.expectSameInEveryChange(m.anyRecord, "mission: \(what)") }
    }

    @Test func memberStateEdges() throws {
        // Every country: numeric codes below and above 128, every alpha-2 and alpha-3.
        for (i, country) in CountryCode.all.enumerated() {
            let s = try MemberState(id: .init("state-\(country.alpha2)"), version: UInt64(i + 1), createdAt: Self.epoch, updatedAt: Self.latest,
                                    country: country, name: try Self.text(en: country.name), status: i % 2 == 0 ? .member : .observer,
                                    admittedOn: i % 3 == 0 ? nil : try CalendarDate(year: 1951 + i % 8049, month: 1 + i % 12, day: 1 + i % 28))
            try Self.expectSame(s.anyRecord, "member state \(country)")
            try Self.expectSame(try Change(kind: .created, before: nil, after: s.anyRecord), "member state \(country), created")
        }
        let edge = try MemberState(id: .init("state-x"), version: 1, createdAt: Self.epoch, updatedAt: Self.epoch, country: .init("FR"),
                                   name: try Self.text(ar: "فرنسا"), status: .observer, admittedOn: .init(year: 9999, month: 12, day: 31))
        try Self.expectSameInEveryChange(edge.anyRecord, "member state admitted 9999-12-31")
    }

    @Test func eventEdges() throws {
        let ma = try CountryCode("MA")
        let events: [(String, PublicEvent)] = [
            ("nothing optional", try Self.event()),
            ("theme, observance", try Self.event(theme: try Self.text(fr: "t"), observance: try Observance(name: try Self.text(ar: "يوم"), month: 2, day: 29))),
            ("observance 12-31", try Self.event(observance: try Observance(name: try Self.text(en: "end"), month: 12, day: 31))),
            ("every kind", try Self.event(kind: .other, date: .init(year: 9999, month: 12, day: 31))),
            ("participants of every category, with and without country",
             try Self.event(participants: ParticipantCategory.allCases.enumerated().flatMap { i, c in
                 [Participant(category: c, name: try NonEmptyString("P\(i)"), country: nil),
                  Participant(category: c, name: try NonEmptyString("P\(i)"), country: ma)]
             })),
            ("speakers with and without organisation",
             try Self.event(speakers: [Speaker(name: try .init("S"), role: try Self.text(fr: "r"), organisation: nil),
                                       Speaker(name: try .init("S2"), role: try Self.text(fr: "r", en: "r", ar: "ر"), organisation: try .init("Org"))])),
            ("many of each list",
             try Self.event(participants: (0..<1000).map { Participant(category: .government, name: try NonEmptyString("Ministry \($0)"), country: nil) },
                            speakers: (0..<1000).map { Speaker(name: try NonEmptyString("Speaker \($0)"), role: try Self.text(en: "role"), organisation: nil) },
                            outcomes: (0..<1000).map { try Self.text(fr: "résultat \($0)") })),
        ]
        for kind in EventKind.allCases { try Self.expectSameInEveryChange(try Self.event(kind: kind).anyRecord, "event kind \(kind)") }
        for (what, e) in events { try Self.expectSameInEveryChange(e.anyRecord, "event: \(what)") }
    }

    /// Strings and messages whose lengths take 1, 2, 3 and 4 varint bytes, at every level of
    /// nesting (each length is written after its body, which is moved to make room).
    @Test func lengthsOfEveryVarintSize() throws {
        for n in [1, 127, 128, 129, 16_383, 16_384, 16_385, 65_536] {
            for s in [String(repeating: "a", count: n), String(repeating: "é", count: n / 2) + (n % 2 == 1 ? "x" : "")] {
                #expect(s.utf8.count == n)
                let t = try Self.text(fr: s, en: s, ar: s)
                let m = try Self.mission(name: t, chief: s, axes: [t], offices: [s])
                try Self.expectSameInEveryChange(m.anyRecord, "mission with \(n)-byte strings")
                let e = try Self.event(theme: t, observance: try Observance(name: t, month: 1, day: 1),
                                       participants: [Participant(category: .other, name: try .init(s), country: nil)],
                                       speakers: [Speaker(name: try .init(s), role: t, organisation: try .init(s))], outcomes: [t], title: t, city: s)
                try Self.expectSameInEveryChange(e.anyRecord, "event with \(n)-byte strings")
            }
        }
        // Message lengths in the 3- and 4-byte varint ranges: 60 offices of 60,000 bytes (3.6 MB).
        let big = try Self.mission(offices: (0..<60).map { String(repeating: "o", count: 60_000) + "\($0)" })
        let bytes = WireCodec.encode(try Change(kind: .updated, before: big.anyRecord, after: try Self.restamped(big.anyRecord, version: 2)))
        #expect(bytes.count > 2 * (1 << 21))
        try Self.expectSame(big.anyRecord, "mission of 3.6 MB")
        try Self.expectSame(try Change(kind: .updated, before: big.anyRecord, after: try Self.restamped(big.anyRecord, version: 2)), "update of 3.6 MB missions")
    }

    // MARK: Primitives, with values the domain does not allow

    /// Writes with `write` and compares with SwiftProtobuf's bytes of `message`.
    static func expectPrimitives(_ message: some SwiftProtobuf.Message, sourceLocation: SourceLocation = #_sourceLocation,
                                 _ write: (inout WireWriter) -> Void) throws {
        var w = WireWriter(capacity: 1)
        write(&w)
        let oracle: [UInt8] = try message.serializedBytes()
        if let d = difference(w.bytes, oracle) { Issue.record("\(message): \(d)", sourceLocation: sourceLocation) }
    }

    @Test func primitivesMatchSwiftProtobuf() throws {
        // Negative int32 (sign-extended to 10 bytes), their limits, and 0 left out.
        let dates: [(Int32, Int32, Int32)] = [(-1, .min, .max), (0, 0, 0), (1, 127, 128), (-128, 16_384, -16_384)]
        for (y, m, d) in dates {
            var date = Iom_V1_Date()
            date.year = y; date.month = m; date.day = d
            try Self.expectPrimitives(date) { w in w.int32(1, y); w.int32(2, m); w.int32(3, d) }
        }
        // uint64 and int64 at every varint size, negative instants.
        let unsigned: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, 1 << 35, 1 << 56, 1 << 63, .max]
        for (i, v) in unsigned.enumerated() {
            var meta = Iom_V1_RecordMeta()
            meta.id = i % 2 == 0 ? "" : "id"
            meta.version = v
            meta.createdAtMs = Int64(bitPattern: v)
            meta.updatedAtMs = -Int64(truncatingIfNeeded: v & 0x7FFF_FFFF_FFFF_FFFF)
            try Self.expectPrimitives(meta) { w in
                w.string(1, meta.id); w.uint64(2, v); w.int64(3, meta.createdAtMs); w.int64(4, meta.updatedAtMs)
            }
        }
        // `optional` fields set to their default are written; repeated strings, empty ones too.
        var participant = Iom_V1_Participant()
        participant.category = .UNRECOGNIZED(-3)
        participant.country = ""
        try Self.expectPrimitives(participant) { w in w.enumValue(1, -3); w.string(2, ""); w.string(3, set: "") }
        var mission = Iom_V1_Mission()
        mission.presentSince = 0
        mission.chiefOfMission = ""
        mission.offices = ["", "a", ""]
        try Self.expectPrimitives(mission) { w in
            w.int32(5, set: 0); w.string(6, set: ""); w.string(8, set: ""); w.string(8, set: "a"); w.string(8, set: ""); w.enumValue(9, 0)
        }
        mission.presentSince = -1
        try Self.expectPrimitives(mission) { w in
            w.int32(5, set: -1); w.string(6, set: ""); w.string(8, set: ""); w.string(8, set: "a"); w.string(8, set: "")
        }
        // uint32 and bool.
        for (numeric, un) in [(UInt32.max, true), (0, false), (128, true)] {
            var state = Iom_V1_MemberState()
            state.numeric = numeric
            var organisation = Iom_V1_Organisation()
            organisation.partOfUnitedNations = un
            organisation.foundedYear = -1
            try Self.expectPrimitives(state) { w in w.uint32(4, numeric) }
            try Self.expectPrimitives(organisation) { w in w.int32(4, -1); w.bool(5, un) }
        }
        // Empty embedded messages that are set, and nested ones around 128 bytes.
        var event = Iom_V1_Event()
        event.meta = Iom_V1_RecordMeta()
        event.date = Iom_V1_Date()
        event.observance.name = Iom_V1_LocalizedText()
        try Self.expectPrimitives(event) { w in
            w.message(1) { _ in }
            w.message(4) { _ in }
            w.message(8) { o in o.message(1) { _ in } }
        }
        for n in [125, 126, 127, 128, 16_380, 16_381, 16_382, 16_383, 16_384] {
            var outer = Iom_V1_Event()
            outer.observance.name.ar = String(repeating: "b", count: n)
            try Self.expectPrimitives(outer) { w in
                w.message(8) { o in
                    o.message(1) { t in t.string(3, outer.observance.name.ar) }
                }
            }
        }
        // A protection case, serialized by SwiftProtobuf, inside a record envelope.
        var record = Iom_V1_Record()
        record.protectionCase = FictionalCases.complete.wire
        try Self.expectPrimitives(record) { w in w.record(FictionalCases.complete.anyRecord) }
    }

    // MARK: Random records and changes

    /// Seeded random records of every type (protection cases: the fixtures, restamped) in
    /// every kind of change.
    @Test func randomRecordsAndChanges() throws {
        var g = RandomRecords(seed: 0x57_21_7E)
        for round in 0..<400 {
            let type = RecordType.allCases[round % RecordType.allCases.count]
            let id = g.id()
            // Leaves room for the update's higher version (at most Int64.max - 1).
            let v1 = g.version(below: UInt64(Int64.max) - 3)
            let before = try g.record(type, id: id, version: v1)
            try Self.expectSame(before, "round \(round): \(type)")
            let change: Change
            switch g.rng.below(3) {
            case 0: change = try Change(kind: .created, before: nil, after: before)
            case 1:
                let v2 = v1 + 1 + UInt64(g.rng.below(3))
                // A protection case keeps its fixture's id: the update restamps it.
                let after = type == .protectionCase ? try Self.restamped(before, version: v2) : try g.record(type, id: id, version: v2)
                change = try Change(kind: .updated, before: before, after: after)
            default:
                let version: UInt64? = [nil, .max, v1 + 1, v1 + 200][g.rng.below(4)]
                change = try Change(kind: .deleted, before: before, after: nil, version: version)
            }
            try Self.expectSame(change, "round \(round): \(change.kind) \(type)")
        }
    }
}

/// Valid domain records from a seeded generator (SplitMix64): text in several scripts, of
/// lengths around the varint boundaries, optional fields present and absent, lists empty,
/// short and long, versions and instants at their bounds.
struct RandomRecords {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    static let names: [String] = [
        "a", "Maroc", "é", "المغرب", "日本語のテキスト", "🇲🇦 😀 𝄞", "quote \" backslash \\ slash /", "nul \u{0} inside",
        "\u{7F}\u{80}\u{FFFF}\u{10FFFF}", " leading and trailing ", String(repeating: "x", count: 127),
        String(repeating: "y", count: 128), String(repeating: "é", count: 70), String(repeating: "z", count: 16_384),
    ]
    static let ids: [String] = ["iom", "mission-ma", "x", "é-ü", "المغرب-1", "id:with/punct.", "🇲🇦", String(repeating: "k", count: 128)]

    mutating func pick<T>(_ values: [T]) -> T { values[rng.below(values.count)] }

    /// A name, rarely one of the long ones.
    mutating func string() -> String {
        let n = rng.below(8) == 0 ? Self.names.count : Self.names.count - 1
        return Self.names[rng.below(n)]
    }

    mutating func name(_ suffix: Int? = nil) -> NonEmptyString {
        let s = string()
        return try! NonEmptyString(suffix.map { s + " " + String($0) } ?? s)
    }

    mutating func text() -> LocalizedText {
        let mask = 1 + rng.below(7)
        return try! LocalizedText(fr: mask & 1 != 0 ? string() : nil, en: mask & 2 != 0 ? string() : nil, ar: mask & 4 != 0 ? string() : nil)
    }

    mutating func id() -> String { pick(Self.ids) }

    mutating func count() -> Int { rng.below(10) == 0 ? rng.below(60) : rng.below(4) }

    mutating func texts() -> [LocalizedText] { (0..<count()).map { _ in text() } }

    mutating func version(below limit: UInt64) -> UInt64 {
        let candidates: [UInt64] = [1, 2, 127, 128, 16_384, 1 << 40, limit - 1, 1 + rng.next() % (limit - 1)]
        return min(pick(candidates), limit - 1)
    }

    mutating func instants() -> (Instant, Instant) {
        let latest = RecordBounds.latestInstant
        let created = pick([0, 1, 127, 128, 1_500_854_400_000, latest, Int64(rng.next() % UInt64(latest))])
        let updated = pick([created, latest, created + Int64(rng.next() % UInt64(latest - created + 1))])
        return (Instant(millisecondsSince1970: created), Instant(millisecondsSince1970: updated))
    }

    mutating func country() -> CountryCode { pick(CountryCode.all) }

    mutating func date(fromYear: Int = 1) -> CalendarDate {
        let month = 1 + rng.below(12)
        return try! CalendarDate(year: fromYear + rng.below(10_000 - fromYear), month: month, day: 1 + rng.below(28))
    }

    mutating func record(_ type: RecordType, id: String, version: UInt64) throws -> AnyRecord {
        let (created, updated) = instants()
        switch type {
        case .organisation:
            return try Organisation(id: .init(id), version: version, createdAt: created, updatedAt: updated, name: text(), shortName: text(),
                                    foundedYear: 1800 + rng.below(301), partOfUnitedNations: rng.below(2) == 0, memberStateCount: rng.below(301),
                                    countriesOfPresenceAtLeast: rng.below(301), priorities: texts()).anyRecord
        case .mission:
            return try Mission(id: .init(id), version: version, createdAt: created, updatedAt: updated, organisation: .init(self.id()),
                               name: text(), country: country(), presentSince: rng.below(2) == 0 ? nil : 1800 + rng.below(301),
                               chiefOfMission: rng.below(2) == 0 ? nil : name(), thematicAxes: texts(),
                               offices: (0..<count()).map { name($0) }, status: pick(MissionStatus.allCases)).anyRecord
        case .memberState:
            return try MemberState(id: .init(id), version: version, createdAt: created, updatedAt: updated, country: country(), name: text(),
                                   status: pick(MembershipStatus.allCases), admittedOn: rng.below(2) == 0 ? nil : date(fromYear: 1951)).anyRecord
        case .event:
            let observance: Observance? = rng.below(2) == 0 ? nil : try Observance(name: text(), month: 1 + rng.below(12), day: 1 + rng.below(28))
            return try PublicEvent(
                id: .init(id), version: version, createdAt: created, updatedAt: updated, kind: pick(EventKind.allCases), title: text(),
                date: date(), city: name(), country: country(), theme: rng.below(2) == 0 ? nil : text(), observance: observance,
                organisingMission: .init(self.id()),
                participants: (0..<count()).map { Participant(category: pick(ParticipantCategory.allCases), name: name($0),
                                                              country: rng.below(2) == 0 ? nil : country()) },
                speakers: (0..<count()).map { _ in Speaker(name: name(), role: text(), organisation: rng.below(2) == 0 ? nil : name()) },
                outcomes: texts()).anyRecord
        case .protectionCase:
            let fixture = pick([FictionalCases.minimal, FictionalCases.complete, FictionalCases.transferred])
            return try fixture.restamped(version: version, updatedAt: fixture.updatedAt).anyRecord
        }
    }
}
