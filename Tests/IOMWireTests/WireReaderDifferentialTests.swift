import Foundation
import Testing
import IOMDomain
import IOMFixtures
@testable import IOMWire

/// The hand-written protobuf reader (`WireReader`, behind `WireCodec.decodeChange`,
/// `decodeRecord` and `decodeEnvelope`) against SwiftProtobuf's generated decoder: on every
/// input both accept with equal values, or both refuse (malformed bytes, or the same
/// validation issues). `WireCodec.disagreement(_:)` decodes each input as a change, an
/// envelope and every record type.
@Suite struct WireReaderDifferentialTests {
    /// Every committed vector, as bytes, with its message name.
    static func vectors() throws -> [(name: String, message: String, bytes: [UInt8])] {
        try VectorTests.entries().map { e in
            (e.binary, e.message, [UInt8](try Data(contentsOf: VectorTests.dir.appendingPathComponent(e.binary))))
        }
    }

    /// Record vectors wrapped in changes and envelopes, the change vectors, and the seed.
    static func corpus() throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for v in try vectors() {
            out.append(v.bytes)
            if v.message != WireCodec.changeMessageName, let type = RecordType.allCases.first(where: { WireCodec.messageName(of: $0) == v.message }) {
                let record = try WireCodec.decodeRecord(v.bytes, type: type)
                out.append(WireCodec.encodeEnvelope(record))
                out.append(WireCodec.encode(try Change(kind: .created, before: nil, after: record)))
            }
        }
        for record in Seed.all { out.append(WireCodec.encode(try Change(kind: .created, before: nil, after: record))) }
        return out
    }

    static func expectAgreement(_ bytes: [UInt8], _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        if let d = WireCodec.disagreement(bytes) {
            Issue.record("\(what()) [\(bytes.count) B: \(bytes.map { String($0, radix: 16) }.joined(separator: " "))]\n\(d)",
                         sourceLocation: sourceLocation)
        }
    }

    @Test func everyVectorDecodesTheSameWithBoth() throws {
        for v in try Self.vectors() {
            Self.expectAgreement(v.bytes, v.name)
            if v.message == WireCodec.changeMessageName {
                #expect(try WireCodec.decodeChange(v.bytes) == WireCodec.decodeChangeWithSwiftProtobuf(v.bytes), "\(v.name)")
            } else {
                let type = try #require(RecordType.allCases.first { WireCodec.messageName(of: $0) == v.message })
                #expect(try WireCodec.decodeRecord(v.bytes, type: type) == WireCodec.decodeRecordWithSwiftProtobuf(v.bytes, type: type), "\(v.name)")
            }
        }
        for (i, bytes) in try Self.corpus().enumerated() { Self.expectAgreement(bytes, "corpus[\(i)]") }
    }

    /// Seeded, deterministic mutations of every input: flipped, inserted, deleted, repeated
    /// and spliced bytes, truncations and concatenations (protobuf merges).
    @Test func randomMutationsAgree() throws {
        let corpus = try Self.corpus()
        var rng = SplitMix64(seed: 0x10_4D_5EED)
        for (index, original) in corpus.enumerated() {
            for round in 0..<400 {
                var bytes = original
                for _ in 0...rng.below(3) { Self.mutate(&bytes, corpus: corpus, &rng) }
                Self.expectAgreement(bytes, "corpus[\(index)] mutation \(round)")
            }
            for cut in stride(from: 0, to: original.count, by: max(1, original.count / 64)) {
                Self.expectAgreement(Array(original[..<cut]), "corpus[\(index)] truncated at \(cut)")
            }
        }
    }

    static func mutate(_ bytes: inout [UInt8], corpus: [[UInt8]], _ rng: inout SplitMix64) {
        let n = bytes.count
        switch rng.below(9) {
        case 0 where n > 0: bytes[rng.below(n)] ^= UInt8(1 << rng.below(8))
        case 1 where n > 0: bytes[rng.below(n)] = UInt8(truncatingIfNeeded: rng.next())
        case 2: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: rng.below(n + 1))
        case 3 where n > 0:
            let at = rng.below(n)
            bytes.removeSubrange(at..<min(n, at + 1 + rng.below(8)))
        case 4 where n > 0:
            let at = rng.below(n), length = 1 + rng.below(min(32, n - at))
            bytes.insert(contentsOf: bytes[at..<(at + length)], at: rng.below(n + 1))
        case 5: bytes += corpus[rng.below(corpus.count)]  // a merge with another message
        case 6: bytes += bytes  // every field twice
        case 7:
            let interesting: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x08, 0x0A, 0x12, 0x1A, 0x22, 0x2A, 0x32, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0xC0, 0xED]
            if n > 0 { bytes[rng.below(n)] = interesting[rng.below(interesting.count)] }
        default: bytes += Self.unknownField(&rng)
        }
    }

    /// An unknown field of a random wire type (numbers above the schema's).
    static func unknownField(_ rng: inout SplitMix64) -> [UInt8] {
        let field = 15 + rng.below(2000)
        switch rng.below(5) {
        case 0: return tag(field, 0) + varint(rng.next() >> UInt64(rng.below(64)))
        case 1: return tag(field, 1) + (0..<8).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        case 2: return tag(field, 2) + varint(3) + [1, 2, 3]
        case 3: return tag(field, 3) + tag(field + 1, 0) + [5] + tag(field + 2, 3) + tag(field + 2, 4) + tag(field, 4)
        default: return tag(field, 5) + [1, 2, 3, 4]
        }
    }


    // MARK: Chosen cases

    static let missionChange: [UInt8] = WireCodec.encode(try! Change(kind: .created, before: nil, after: Seed.moroccoMission.anyRecord))

    @Test func unknownFieldsOfEveryWireTypeAreSkippedAtEveryLevel() throws {
        let unknowns: [[UInt8]] = [
            tag(99, 0) + varint(.max), tag(99, 1) + [1, 2, 3, 4, 5, 6, 7, 8], lengthDelimited(99, [0xFF, 0xFE]),
            tag(99, 3) + tag(100, 0) + [1] + tag(101, 3) + lengthDelimited(5, []) + tag(101, 4) + tag(99, 4),
            tag(99, 5) + [1, 2, 3, 4],
            // A known field number with another wire type is an unknown field.
            tag(3, 0) + [7], tag(6, 5) + [0, 0, 0, 0], tag(1, 2) + varint(1) + [8],
        ]
        let mission = Seed.moroccoMission
        for u in unknowns {
            // Top level, and inside the record envelope, the mission and its meta.
            Self.expectAgreement(Self.missionChange + u, "change + \(u)")
            Self.expectAgreement(u + Self.missionChange, "\(u) + change")
            let inRecord = lengthDelimited(6, lengthDelimited(2, WireCodec.encode(mission) + u) + u)
            Self.expectAgreement(inRecord + tag(1, 0) + [2] + tag(2, 0) + [1] + lengthDelimited(3, Array("mission-ma".utf8)), "nested \(u)")
            let decoded = try WireCodec.decodeChange(Self.missionChange + u)
            #expect(decoded == (try WireCodec.decodeChangeWithSwiftProtobuf(Self.missionChange + u)))
        }
    }

    @Test func repeatedEmbeddedMessagesMerge() throws {
        // A second `after` carrying only a new chief of mission: merged into the first.
        let chief = lengthDelimited(6, lengthDelimited(2, lengthDelimited(6, Array("Someone Else".utf8))))
        let merged = Self.missionChange + chief
        Self.expectAgreement(merged, "merged after")
        let change = try WireCodec.decodeChange(merged)
        guard case .mission(let m)? = change.after else { Issue.record("not a mission"); return }
        #expect(m.chiefOfMission?.value == "Someone Else")
        #expect(m.thematicAxes.count == Seed.moroccoMission.thematicAxes.count)
        // The same message twice: repeated fields twice, singular ones once.
        let twice = Self.missionChange + Self.missionChange
        Self.expectAgreement(twice, "change twice")
        #expect(try WireCodec.decodeChange(twice) == WireCodec.decodeChangeWithSwiftProtobuf(twice))
        // A record of another type replaces the mission (oneof); the same type again merges.
        let event = WireCodec.encode(Seed.rabatBreakfast2017)
        Self.expectAgreement(Self.missionChange + lengthDelimited(6, lengthDelimited(4, event)), "oneof switch")
        Self.expectAgreement(lengthDelimited(6, lengthDelimited(4, event)) + Self.missionChange, "oneof switch back")
        // Meta repeated inside the mission: the later version wins field by field.
        let meta = lengthDelimited(6, lengthDelimited(2, lengthDelimited(1, tag(2, 0) + [9])))
        Self.expectAgreement(Self.missionChange + meta, "meta merged")
    }

    @Test func packedAndUnpackedEnumsAgree() throws {
        // TraffickingDetails.means_of_control (4) and ProtectionNeeds.concerns (2), packed and not.
        for vector in try Self.vectors() where vector.message == "iom.v1.ProtectionCase" {
            let unpacked = lengthDelimited(7, tag(4, 0) + [3] + tag(4, 0) + [1] + tag(4, 0) + [0x80, 0x01])
            let packed = lengthDelimited(7, lengthDelimited(4, [2, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]))
            let concerns = lengthDelimited(8, lengthDelimited(2, [1, 2]) + tag(2, 0) + [3] + lengthDelimited(2, []))
            let badPacked = lengthDelimited(8, lengthDelimited(2, [0x80]))
            for extra in [unpacked, packed, concerns, badPacked, unpacked + packed] {
                Self.expectAgreement(vector.bytes + extra, "\(vector.name) + \(extra)")
                Self.expectAgreement(lengthDelimited(5, vector.bytes + extra), "envelope \(vector.name) + \(extra)")
            }
        }
    }

    @Test func malformedInputsAreRefusedByBoth() throws {
        let change = Self.missionChange
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("truncated varint", [0x08, 0x80]),
            ("11-byte varint", [0x20] + [UInt8](repeating: 0xFF, count: 10) + [0x01]),
            ("10-byte varint", [0x20] + [UInt8](repeating: 0xFF, count: 9) + [0x01]),
            ("length beyond the end", [0x1A, 0x05, 0x61]),
            ("length ≥ 2^31", [0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]),
            ("end group alone", tag(9, 4)),
            ("wire type 6", [0x0E]),
            ("wire type 7", [0x0F]),
            ("field 0", [0x00, 0x01]),
            ("group never ended", tag(99, 3) + tag(100, 0) + [1]),
            ("group ended by another", tag(99, 3) + tag(98, 4)),
            ("6-byte tag", [0x88, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01]),
            ("5-byte tag, last byte > 15", [0x88, 0x80, 0x80, 0x80, 0x10, 0x01]),
            ("5-byte tag", [0x88, 0x80, 0x80, 0x80, 0x01, 0x01]),
            ("6-byte tag in a group", tag(99, 3) + [0x88, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01] + tag(99, 4)),
            ("invalid UTF-8", lengthDelimited(3, [0xC3, 0x28])),
            ("surrogate in UTF-8", lengthDelimited(3, [0xED, 0xA0, 0x80])),
            ("overlong UTF-8", lengthDelimited(3, [0xC0, 0xAF])),
            ("invalid UTF-8 in an unknown field", lengthDelimited(99, [0xC3, 0x28])),
            ("truncated fixed64", tag(99, 1) + [1, 2, 3]),
            ("truncated fixed32", tag(99, 5) + [1, 2, 3]),
            ("truncated embedded", lengthDelimited(6, [0x12, 0x09, 0x0A])),
        ]
        for (name, bytes) in cases {
            Self.expectAgreement(bytes, name)
            Self.expectAgreement(change + bytes, "change + \(name)")
            Self.expectAgreement(lengthDelimited(6, lengthDelimited(2, bytes)), "in a mission: \(name)")
        }
    }

    @Test func nestingDepthLimitIsTheSame() {
        // Groups nested around the 100-level limit, at the top and inside change → record → mission.
        for depth in [1, 2, 50, 96, 97, 98, 99, 100, 101, 150] {
            var group: [UInt8] = []
            for _ in 0..<depth { group = tag(99, 3) + group + tag(99, 4) }
            Self.expectAgreement(Self.missionChange + group, "groups \(depth) deep at the top")
            Self.expectAgreement(lengthDelimited(6, lengthDelimited(2, WireCodec.encode(Seed.moroccoMission) + group)), "groups \(depth) deep in a mission")
            var messages: [UInt8] = []
            for _ in 0..<depth { messages = lengthDelimited(99, messages) }
            Self.expectAgreement(Self.missionChange + messages, "unknown messages \(depth) deep")
        }
    }
}

/// A small seeded generator (SplitMix64), the same sequence on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
}

// Protobuf encoding by hand, for inputs SwiftProtobuf's encoder would not write.

func varint(_ value: UInt64) -> [UInt8] {
    var v = value, out: [UInt8] = []
    while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
    out.append(UInt8(v))
    return out
}

func tag(_ field: Int, _ wireType: UInt8) -> [UInt8] { varint(UInt64(field) << 3 | UInt64(wireType)) }

func lengthDelimited(_ field: Int, _ body: [UInt8]) -> [UInt8] { tag(field, 2) + varint(UInt64(body.count)) + body }
