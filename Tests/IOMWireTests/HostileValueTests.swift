import Foundation
import IOMDomain
import IOMFixtures
import Testing
@testable import IOMWire

/// What a client with a valid key sent to a node before the identifier grammar and the bounds
/// (Protocols/README.md): each is refused at decoding, naming the field.
@Suite("Wire decoding refuses ids with control characters and values out of bounds")
struct HostileValueTests {
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocols/vectors")
    static let mission = try! String(contentsOf: vectors.appendingPathComponent("mission_morocco.json"), encoding: .utf8)

    @Test("a record id with a NUL (JSON \\u0000) is refused as mission.id")
    func nulInJSONID() throws {
        let json = Self.mission.replacingOccurrences(of: #""id":"mission-ma""#, with: #""id":"mission-ma\u0000x""#)
        #expect(json != Self.mission)
        let error = try #require(throws: ValidationError.self) { try WireCodec.decodeRecord(json: json, type: .mission) }
        #expect(error.paths == ["mission.id"])
        #expect(error.description.contains("control character U+0000"))
    }

    @Test("a change whose record id holds a NUL is refused in binary too")
    func nulInBinaryChange() throws {
        var wire = try Change(kind: .created, before: nil, after: Seed.moroccoMission.anyRecord).wire
        wire.recordID = "mission-ma\u{0}x"
        wire.after.mission.meta.id = "mission-ma\u{0}x"
        let bytes = try [UInt8](wire.serializedBytes() as [UInt8])
        #expect(throws: ValidationError.self) { try WireCodec.decodeChange(bytes) }
    }

    @Test("createdAtMs = INT64_MIN is refused, naming the field")
    func minimalInstant() throws {
        let json = Self.mission.replacingOccurrences(of: #""createdAtMs":"1500854400000""#, with: #""createdAtMs":"-9223372036854775808""#)
        #expect(json != Self.mission)
        let error = try #require(throws: ValidationError.self) { try WireCodec.decodeRecord(json: json, type: .mission) }
        #expect(error.paths.contains("mission.createdAt"))
    }

    @Test("a 900 KB narrative is refused as protectionCase.identifying.narrative")
    func longNarrative() throws {
        var wire = FictionalCases.complete.wire
        wire.identifying.narrative = String(repeating: "x", count: 921_600)
        let bytes: [UInt8] = try wire.serializedBytes()
        let error = try #require(throws: ValidationError.self) { try WireCodec.decodeRecord(bytes, type: .protectionCase) }
        #expect(error.description == #"protectionCase.identifying.narrative: "921600 bytes" is longer than 65536 bytes"#)
    }
}
