import IOMSecurity
import Foundation
import IOMChanges
import IOMDomain
import IOMFixtures
import IOMStore
import IOMWire
import Testing
@testable import IOMBridge

@Suite("IOMB/1 wire format")
struct WireFormatTests {
    let source = SourceID(UUID(uuidString: "6B2F0C1E-93A4-4F58-8E7D-1A2B3C4D5E6F")!)

    func attributes(_ text: String) throws(MalformedReason) -> [String: String] {
        try AttributesParser.dictionary(Array(text.utf8))
    }

    @Test("attribute lines parse, percent-decode and ignore nothing they should keep")
    func parsesAttributes() throws {
        let parsed = try attributes("a=1\nsubject=mission%25ma=x\nempty=\n")
        #expect(parsed == ["a": "1", "subject": "mission%ma=x", "empty": ""])
        #expect(try attributes("") == [:])
    }

    @Test("malformed attribute frames are refused", arguments: [
        "a=1",                 // no final LF
        "a=1\n\n",             // blank line
        "A=1\n",               // uppercase name
        "a b=1\n",             // space in name
        "=1\n",                // empty name
        "abcdefghijklmnopqrstu=1\n",  // 21-character name
        "a\n",                 // no '='
        "a=1\na=2\n",          // duplicate
        "a=x\ty\n",            // control character
        "a=%4\n",              // short escape
        "a=%4g\n",             // bad hex
        "a=%4a\n",             // lowercase hex
        "a=1\r\n",             // CR
    ])
    func refusesMalformed(_ text: String) {
        #expect(throws: MalformedReason.self) { try attributes(text) }
    }

    @Test("frames and lines over the limits are refused")
    func limits() {
        let long = "a=" + String(repeating: "x", count: 1100) + "\n"
        #expect(throws: MalformedReason.self) { try attributes(long) }
        let many = (0..<400).map { "n\($0)=1234567\n" }.joined()
        #expect(throws: MalformedReason.tooLarge) { try attributes(many) }
    }

    @Test("the writer percent-encodes %, control characters and DEL and round-trips")
    func writerEncodes() throws {
        var writer = AttributesWriter()
        writer.add("subject", text: "a%b\nc\u{7F}d=é")
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "subject=a%25b%0Ac%7Fd=é\n")
        #expect(try AttributesParser.dictionary(writer.bytes)["subject"] == "a%b\nc\u{7F}d=é")
    }

    @Test("sequences are exactly 20 digits, never 0 on events, and never the reserved 2^64 − 1")
    func sequences() {
        var writer = AttributesWriter()
        writer.add("sequence", sequence: 42)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "sequence=00000000000000000042\n")
        func parse(_ s: String) -> UInt64? { Array(s.utf8).withUnsafeBytes { AttributesParser.sequence($0) } }
        #expect(parse("00000000000000000042") == 42)
        #expect(parse("18446744073709551614") == UInt64.max - 1)
        #expect(parse("18446744073709551615") == nil, "2^64 − 1 is reserved (§3)")
        #expect(AttributesParser.sequence("18446744073709551615") == nil)
        #expect(AttributesParser.sequence("7") == 7)
        #expect(AttributesParser.sequence(nil as String?) == nil)
        #expect(parse("18446744073709551616") == nil)
        #expect(parse("42") == nil)
        #expect(parse("0000000000000000004x") == nil)
    }

    @Test("RFC 3339 times round-trip at millisecond precision, before and after 1970")
    func times() {
        for millis in [0.0, 1_764_394_867_512, -1_000, 951_782_400_000 /* 2000-02-29 */, 4_102_444_799_999] {
            let date = Date(timeIntervalSince1970: millis / 1000)
            let text = RFC3339.string(date)
            #expect(text.count == 24)
            let back = Array(text.utf8).withUnsafeBytes { RFC3339.parse($0) }
            #expect(back == date, "\(text)")
        }
        #expect(RFC3339.string(Date(timeIntervalSince1970: 1_764_394_867.512)) == "2025-11-29T05:41:07.512Z")
        for bad in ["2026-13-01T00:00:00.000Z", "2026-11-29 05:41:07.512Z", "2026-11-29T05:41:07.512+01:00", "garbage"] {
            #expect(Array(bad.utf8).withUnsafeBytes { RFC3339.parse($0) } == nil, "\(bad)")
        }
    }

    @Test("UUIDs are written lowercase and read in either case")
    func uuids() {
        let uuid = UUID()
        let text = UUIDText.string(uuid)
        #expect(text == uuid.uuidString.lowercased())
        #expect(Array(uuid.uuidString.utf8).withUnsafeBytes { UUIDText.parse($0) } == uuid)
        #expect(Array("not-a-uuid".utf8).withUnsafeBytes { UUIDText.parse($0) } == nil)
    }

    @Test("one encoder writes each event's own time, whether it repeats the last one or not")
    func eventTimes() throws {
        var encoder = EventEncoder(source: source)
        let times = [1_764_394_867.512, 1_764_394_867.5129, 1_764_394_867.513, 1_764_394_867.512, -0.001, 0]
        for (i, seconds) in times.enumerated() {
            let time = Date(timeIntervalSince1970: seconds)
            encoder.event(sequence: UInt64(i + 1), changeID: UUID(), time: time, type: .mission, kind: .created, subject: "m", view: .full)
            let written = try attributes(String(decoding: encoder.bytes, as: UTF8.self))["time"]
            #expect(written == RFC3339.string(time), "\(seconds)")
        }
    }

    @Test("UUIDs with any octet out of place are refused, at every position")
    func malformedUUIDs() {
        let uuid = UUID(uuidString: "6B2F0C1E-93A4-4F58-8E7D-1A2B3C4D5E6F")!
        let text = Array(UUIDText.string(uuid).utf8)
        #expect(text.withUnsafeBytes { UUIDText.parse($0) } == uuid)
        for position in text.indices {
            let replacements: [UInt8] = text[position] == 0x2D ? [0x30, 0x61, 0x2E] : [0x2D, 0x67, 0x47, 0x2F, 0x3A, 0x40, 0x60, 0x00, 0xFF]
            for replacement in replacements {
                var bad = text
                bad[position] = replacement
                #expect(bad.withUnsafeBytes { UUIDText.parse($0) } == nil, "\(String(decoding: bad, as: UTF8.self))")
            }
        }
        #expect(Array(text.dropLast()).withUnsafeBytes { UUIDText.parse($0) } == nil)
        #expect((text + [0x30]).withUnsafeBytes { UUIDText.parse($0) } == nil)
        var generator = SubscriberStateMachineTests.SplitMix(state: 42)
        for _ in 0..<200 {
            let random = UUID(uuid: withUnsafeBytes(of: (generator.next(), generator.next())) { raw in
                raw.load(as: uuid_t.self)
            })
            #expect(UUIDText.string(random) == random.uuidString.lowercased())
            #expect(Array(random.uuidString.utf8).withUnsafeBytes { UUIDText.parse($0) } == random)
        }
    }

    @Test("a control octet, DEL or a bad escape is refused wherever it stands in a long value, and UTF-8 is kept")
    func longValues() throws {
        let plain = Array("abcdefghijklmnopqrstuvwx".utf8)  // 24 octets: three eight-octet words
        #expect(try AttributesParser.dictionary(Array("name=".utf8) + plain + [0x0A]) == ["name": String(decoding: plain, as: UTF8.self)])
        for position in plain.indices {
            for bad: [UInt8] in [[0x01], [0x09], [0x7F], [0x25, 0x47, 0x30], [0x25, 0x61, 0x62], [0x25]] {
                var value = plain
                value.replaceSubrange(position..<position + 1, with: bad)
                #expect(throws: MalformedReason.attributes, "\(bad) at \(position)") {
                    try AttributesParser.dictionary(Array("name=".utf8) + value + [0x0A])
                }
            }
            // An escape and a non-ASCII character are read, not refused, at every position.
            var escaped = plain
            escaped.replaceSubrange(position..<position + 1, with: [0x25, 0x32, 0x35])
            #expect(try AttributesParser.dictionary(Array("name=".utf8) + escaped + [0x0A])["name"]?.contains("%") == true)
            var accented = plain
            accented.replaceSubrange(position..<position + 1, with: Array("é".utf8))
            #expect(try AttributesParser.dictionary(Array("name=".utf8) + accented + [0x0A])["name"]?.contains("é") == true)
        }
    }

    @Test("the eight-octet scan of attribute values flags every octet the grammar reads one by one")
    func specialOctetScan() {
        func special(_ octet: UInt8) -> Bool { octet < 0x20 || octet == 0x25 || octet == 0x7F || octet >= 0x80 }
        // Each octet value at each position of otherwise plain words.
        for filler in [UInt8(0x20), 0x61, 0x7E, 0x24, 0x26] {
            for position in 0..<8 {
                for octet in 0...255 {
                    var word = [UInt8](repeating: filler, count: 8)
                    word[position] = UInt8(octet)
                    let value = word.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    #expect(AttributeLines.hasSpecialOctet(value) == special(UInt8(octet)), "octet \(octet) at \(position)")
                }
            }
        }
        // Random words, against the octet-by-octet reading.
        var generator = SubscriberStateMachineTests.SplitMix(state: 7)
        for _ in 0..<20_000 {
            var value = generator.next()
            // Mostly plain octets, so that words without a special one are common too.
            if value & 1 == 0 { value = (value & 0x3F3F_3F3F_3F3F_3F3F) | 0x4040_4040_4040_4040 }
            let expected = withUnsafeBytes(of: value) { $0.contains(where: special) }
            #expect(AttributeLines.hasSpecialOctet(value) == expected, "\(String(value, radix: 16))")
        }
    }

    func eventFrames(_ committed: CommittedChange, view: BridgeView = .full) -> (topic: [UInt8], attributes: [UInt8], data: [UInt8]) {
        var encoder = EventEncoder(source: committed.source)
        let c = committed.change
        encoder.event(sequence: committed.sequence, changeID: committed.changeID, time: committed.time, type: c.recordType,
                      kind: c.kind, subject: c.recordID, view: view)
        return (Array(BridgeProtocol.topic(c.recordType, c.kind).utf8), encoder.bytes, WireCodec.encode(c))
    }

    func decode(_ topic: [UInt8], _ attributes: [UInt8], _ data: [UInt8]) throws(MalformedReason) -> IncomingMessage {
        let kind = try withBytes(topic) { (t) throws(MalformedReason) in try EventDecoder.topic(t) }
        guard case .event(let index) = kind else { throw .topic }
        return try withBytes(attributes) { (a) throws(MalformedReason) in try EventDecoder.event(attributes: a, data: data, topicIndex: index) }
    }

    let sample = CommittedChange(source: SourceID(UUID(uuidString: "6B2F0C1E-93A4-4F58-8E7D-1A2B3C4D5E6F")!), sequence: 7, changeID: UUID(),
                                 time: Date(timeIntervalSince1970: 1_764_394_867.512),
                                 change: try! Change(kind: .created, before: nil, after: .mission(Seed.moroccoMission)))

    @Test("an event encodes to the §5.3 attributes and decodes back to the same change")
    func eventRoundTrip() throws {
        let (topic, attributes, data) = eventFrames(sample)
        let text = String(decoding: attributes, as: UTF8.self)
        #expect(String(decoding: topic, as: UTF8.self) == "iom.v1.mission.created")
        #expect(text.hasPrefix("specversion=1.0\nid=\(sample.changeID.uuidString.lowercased())\nsource=urn:uuid:6b2f0c1e-93a4-4f58-8e7d-1a2b3c4d5e6f\ntype=org.iom.v1.mission.created\nsubject=mission-ma\ntime=2025-11-29T05:41:07.512Z\ndatacontenttype=application/protobuf\ndataschema=urn:iom:proto:iom.v1.Change\nsequence=00000000000000000007\n"))
        guard case .event(let back) = try decode(topic, attributes, data) else { Issue.record("not an event"); return }
        #expect(back.change == sample.change)
        #expect(back.sequence == 7 && back.source == source && back.changeID == sample.changeID && back.time == sample.time)
        #expect(back.encoded == data)
    }

    @Test("topic, type, subject and data that disagree are malformed")
    func mismatches() {
        let (topic, attributes, data) = eventFrames(sample)
        let text = String(decoding: attributes, as: UTF8.self)
        #expect(throws: MalformedReason.mismatch) { try decode(Array("iom.v1.mission.updated".utf8), attributes, data) }
        #expect(throws: MalformedReason.mismatch) {
            try decode(topic, Array(text.replacingOccurrences(of: "subject=mission-ma", with: "subject=mission-xx").utf8), data)
        }
        #expect(throws: MalformedReason.data) { try decode(topic, attributes, [0xFF, 0xFF, 0xFF]) }
        #expect(throws: MalformedReason.sequence) {
            try decode(topic, Array(text.replacingOccurrences(of: "sequence=00000000000000000007", with: "sequence=00000000000000000000").utf8), data)
        }
        #expect(throws: MalformedReason.attributeValue) {
            try decode(topic, Array(text.replacingOccurrences(of: "specversion=1.0\n", with: "").utf8), data)
        }
        #expect(throws: MalformedReason.topic) { try decode(Array("other.topic".utf8), attributes, data) }
    }

    @Test("unknown attributes are ignored and x-protobuf is accepted")
    func tolerant() throws {
        let (topic, attributes, data) = eventFrames(sample)
        let text = String(decoding: attributes, as: UTF8.self)
            .replacingOccurrences(of: "application/protobuf", with: "application/x-protobuf") + "iomfuture=1\n"
        guard case .event = try decode(topic, Array(text.utf8), data) else { Issue.record("not an event"); return }
    }

    @Test("heartbeats carry latest, oldest and interval")
    func heartbeats() throws {
        var encoder = EventEncoder(source: source)
        encoder.heartbeat(latest: 12, oldest: 3, now: Date(), interval: .milliseconds(250), view: .full)
        let heartbeat = try withBytes(encoder.bytes) { (a) throws(MalformedReason) in try EventDecoder.heartbeat(attributes: a) }
        #expect(heartbeat == Heartbeat(source: source, latest: 12, oldest: 3, interval: .milliseconds(250)))
    }

    @Test("a protection-case change is withheld on the public view and without a redactor")
    func views() {
        let change = try! Change(kind: .created, before: nil, after: .protectionCase(FictionalCases.minimal))
        guard case .withheld(.view) = ViewFilter(view: .public, redactor: nil, sealer: nil).prepare(change, encoded: []) else { Issue.record("public view leaked"); return }
        guard case .withheld(.view) = ViewFilter(view: .redacted, redactor: nil, sealer: nil).prepare(change, encoded: []) else { Issue.record("redacted view leaked"); return }
        guard case .data(let bytes) = ViewFilter(view: .full, redactor: nil, sealer: nil).prepare(change, encoded: []) else { Issue.record("full view withheld"); return }
        #expect(bytes == WireCodec.encode(change))
        let mission = try! Change(kind: .created, before: nil, after: .mission(Seed.moroccoMission))
        guard case .data = ViewFilter(view: .public, redactor: nil, sealer: nil).prepare(mission, encoded: []) else { Issue.record("mission withheld"); return }
    }
}
