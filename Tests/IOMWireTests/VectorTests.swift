import Foundation
import Testing
import IOMDomain
@testable import IOMWire

/// The committed vectors in Protocols/vectors decode and re-encode to the same bytes.
@Suite struct VectorTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocols/vectors")

    struct Entry: Decodable, Sendable { let binary: String; let json: String; let message: String }
    struct Manifest: Decodable { let vectors: [Entry] }

    static func entries() throws -> [Entry] {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json"))).vectors
    }

    @Test func manifestCoversEveryMessage() throws {
        let messages = Set(try Self.entries().map(\.message))
        for t in RecordType.allCases { #expect(messages.contains(WireCodec.messageName(of: t))) }
        #expect(messages.contains(WireCodec.changeMessageName))
    }

    @Test func everyVectorDecodesAndReencodesIdentically() throws {
        let byName = Dictionary(uniqueKeysWithValues: RecordType.allCases.map { (WireCodec.messageName(of: $0), $0) })
        for e in try Self.entries() {
            let bytes = [UInt8](try Data(contentsOf: Self.dir.appendingPathComponent(e.binary)))
            let json = try String(contentsOf: Self.dir.appendingPathComponent(e.json), encoding: .utf8)
            if let type = byName[e.message] {
                let record = try WireCodec.decodeRecord(bytes, type: type)
                #expect(WireCodec.encode(record) == bytes, "\(e.binary)")
                #expect(try WireCodec.decodeRecord(json: json, type: type) == record, "\(e.json)")
                #expect(WireCodec.json(record) + "\n" == json, "\(e.json)")
            } else {
                #expect(e.message == WireCodec.changeMessageName)
                let change = try WireCodec.decodeChange(bytes)
                #expect(WireCodec.encode(change) == bytes, "\(e.binary)")
                #expect(try WireCodec.decodeChange(json: json) == change, "\(e.json)")
            }
        }
    }
}
