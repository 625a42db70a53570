import Foundation
import Testing
import SwiftProtobuf
import IOMDomain
import IOMFixtures
@testable import IOMWire

/// The JSON fast path (`JSONRecordReader`, in front of SwiftProtobuf in
/// `WireCodec.decodeRecord(jsonUTF8:type:)`) against SwiftProtobuf's JSON decoder: on every
/// input it declines, or SwiftProtobuf accepts the same bytes and decodes an equal message
/// (`WireCodec.jsonDisagreement`); on what clients write it does not decline.
@Suite struct JSONRecordReaderTests {
    static let pythonDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("python/json_format")

    /// Every JSON vector of a record message, with its type.
    static func vectors() throws -> [(name: String, type: RecordType, bytes: [UInt8])] {
        try VectorTests.entries().compactMap { e in
            guard let type = RecordType.allCases.first(where: { WireCodec.messageName(of: $0) == e.message }) else { return nil }
            return (e.json, type, [UInt8](try Data(contentsOf: VectorTests.dir.appendingPathComponent(e.json))))
        }
    }

    /// The contract on `bytes`, for all five messages: the fast path declines, or agrees.
    static func expectContract(_ bytes: [UInt8], _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        if let d = WireCodec.jsonDisagreement(bytes) {
            Issue.record("\(what()) [\(String(decoding: bytes, as: UTF8.self))]\n\(d)", sourceLocation: sourceLocation)
        }
    }

    /// The contract, and the fast path answers for `type` (and, through
    /// `decodeRecord(jsonUTF8:)`, the same result as SwiftProtobuf alone).
    static func expectFast(_ bytes: [UInt8], _ type: RecordType, _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectContract(bytes, what(), sourceLocation: sourceLocation)
        #expect(WireCodec.jsonFastPathTypes(bytes).contains(type), "fast path declined \(what()): \(String(decoding: bytes, as: UTF8.self))",
                sourceLocation: sourceLocation)
        expectSameDecoding(bytes, type, what(), sourceLocation: sourceLocation)
    }

    /// `decodeRecord(jsonUTF8:)` gives what SwiftProtobuf alone gives: an equal record, or an
    /// error of the same kind (a `WireError`, or the same `ValidationError`).
    static func expectSameDecoding(_ bytes: [UInt8], _ type: RecordType, _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        let mine = Result { try WireCodec.decodeRecord(jsonUTF8: bytes, type: type) }
        let reference = Result { try WireCodec.decodeRecordWithSwiftProtobuf(jsonUTF8: bytes, type: type) }
        switch (mine, reference) {
        case (.success(let a), .success(let b)):
            #expect(a == b || WireCodec.encode(a) == WireCodec.encode(b), "\(what())", sourceLocation: sourceLocation)
        case (.failure(let a as WireError), .failure(let b as WireError)):
            #expect(a == b, "\(what())", sourceLocation: sourceLocation)
        case (.failure(let a as ValidationError), .failure(let b as ValidationError)):
            #expect(a == b, "\(what())", sourceLocation: sourceLocation)
        default:
            Issue.record("\(what()): decodeRecord(jsonUTF8:) \(mine) but SwiftProtobuf alone \(reference)", sourceLocation: sourceLocation)
        }
    }

    // MARK: What clients send

    @Test func everyJSONVectorTakesTheFastPath() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count == 8)
        for v in vectors {
            Self.expectFast(v.bytes, v.type, v.name)
            // The record from the fast path is the record of the binary vector.
            let binary = v.name.replacingOccurrences(of: ".json", with: ".binpb")
            let bytes = [UInt8](try Data(contentsOf: VectorTests.dir.appendingPathComponent(binary)))
            #expect(try WireCodec.decodeRecord(jsonUTF8: v.bytes, type: v.type) == WireCodec.decodeRecord(bytes, type: v.type), "\(v.name)")
            // Whitespace of every kind between every token, and every non-ASCII character escaped.
            Self.expectFast(Array(Self.spaced(String(decoding: v.bytes, as: UTF8.self)).utf8), v.type, "spaced \(v.name)")
            Self.expectFast(Array(Self.asciiEscaped(String(decoding: v.bytes, as: UTF8.self)).utf8), v.type, "escaped \(v.name)")
        }
    }

    @Test func pythonJSONFormatTakesTheFastPath() throws {
        // Tests/python/make_json_format.py: MessageToJson (indented, \u escapes), compact
        // MessageToDict + json.dumps (raw UTF-8), proto names with every field printed.
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.pythonDir.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count == 24)
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: Self.pythonDir.appendingPathComponent(file)))
            let type = try #require(Self.type(ofVectorFile: file))
            Self.expectFast(bytes, type, file)
        }
    }

    static func type(ofVectorFile name: String) -> RecordType? {
        if name.hasPrefix("organisation") { return .organisation }
        if name.hasPrefix("mission") { return .mission }
        if name.hasPrefix("member_state") { return .memberState }
        if name.hasPrefix("event") { return .event }
        if name.hasPrefix("protection_case") { return .protectionCase }
        return nil
    }

    @Test(arguments: allRecords)
    func wireCodecJSONRoundTrips(_ record: AnyRecord) throws {
        let json = Array(WireCodec.json(record).utf8)
        Self.expectFast(json, record.recordType, "\(record.recordType)")
        #expect(try WireCodec.decodeRecord(jsonUTF8: json, type: record.recordType) == record)
    }

    /// Generated messages (random text with non-ASCII and control characters, integers at
    /// their limits, optional fields and lists present and absent, doubles of every magnitude),
    /// as SwiftProtobuf writes them with JSON and with proto names, spaced and escaped: the fast
    /// path reads each back equal.
    @Test func generatedMessagesTakeTheFastPath() throws {
        var rng = SplitMix64(seed: 0x4A_50_4E)
        var encoding = JSONEncodingOptions()
        var protoNames = JSONEncodingOptions()
        protoNames.preserveProtoFieldNames = true
        encoding.preserveProtoFieldNames = false
        for round in 0..<300 {
            let record = allRecords[round % allRecords.count]
            let (message, type) = Self.generated(from: record, &rng)
            for options in [encoding, protoNames] {
                let text = try message.jsonString(options: options)
                for form in [text, Self.spaced(text), Self.asciiEscaped(text)] {
                    let bytes = Array(form.utf8)
                    Self.expectFast(bytes, type, "generated \(round)")
                    if let d = Self.fastEqualsMessage(bytes, type, message) { Issue.record("generated \(round): \(d)") }
                }
            }
        }
    }

    /// Whether the fast path's message for `bytes` is `expected`; nil when it is.
    static func fastEqualsMessage(_ bytes: [UInt8], _ type: RecordType, _ expected: any SwiftProtobuf.Message) -> String? {
        bytes.withUnsafeBytes { b in
            let fast: (any SwiftProtobuf.Message)? = switch type {
            case .organisation: JSONRecordReader.organisation(b)
            case .mission: JSONRecordReader.mission(b)
            case .memberState: JSONRecordReader.memberState(b)
            case .event: JSONRecordReader.event(b)
            case .protectionCase: JSONRecordReader.protectionCase(b)
            }
            guard let fast else { return "declined" }
            return fast.isEqualTo(message: expected) ? nil : "\(fast)\n  is not\n\(expected)"
        }
    }

    // MARK: Generated messages

    static let texts: [String] = [
        "", "a", "Maroc", "é", "المغرب", "日本語のテキスト", "🇲🇦 😀 𝄞", "quote \" backslash \\ slash /",
        "controls \u{01}\u{08}\u{09}\u{0A}\u{0C}\u{0D}\u{1F}", "\u{7F}\u{80}\u{FFFF}\u{10FFFF}", "\u{2028}\u{2029}",
        "nul \u{0}", "<script>&amp;</script>", String(repeating: "long é ", count: 200), " leading and trailing ",
    ]

    static func text(_ rng: inout SplitMix64) -> String { texts[rng.below(texts.count)] }

    static func localized(_ rng: inout SplitMix64) -> Iom_V1_LocalizedText {
        var t = Iom_V1_LocalizedText()
        if rng.below(2) == 0 { t.fr = text(&rng) }
        if rng.below(2) == 0 { t.en = text(&rng) }
        if rng.below(3) == 0 { t.ar = text(&rng) }
        return t
    }

    static func int32(_ rng: inout SplitMix64) -> Int32 {
        [0, 1, -1, .max, .min, 2007, Int32(truncatingIfNeeded: rng.next())][rng.below(7)]
    }

    static func int64(_ rng: inout SplitMix64) -> Int64 {
        [0, 1, -1, .max, .min, 1_700_000_000_000, 9_007_199_254_740_993, Int64(bitPattern: rng.next())][rng.below(8)]
    }

    static func uint64(_ rng: inout SplitMix64) -> UInt64 { [0, 1, .max, 1 << 53 + 1, rng.next()][rng.below(5)] }

    static func double(_ rng: inout SplitMix64) -> Double {
        // The least subnormal and a 21-digit integer, written by bit pattern (as literals the
        // compiler warns that they are not exact).
        let special: [Double] = [0, -0.0, 34, -6.8, 1e-5, Double.leastNonzeroMagnitude, 2.2250738585072014e-308, 1.7976931348623157e308,
                                 0.1, 1e21, Double(bitPattern: 0x441AC53A7E04BCDA)]
        if rng.below(2) == 0 { return special[rng.below(special.count)] }
        let d = Double(bitPattern: rng.next())
        return d.isFinite ? d : 1.5
    }

    static func pick<E: SwiftProtobuf.Enum & CaseIterable>(_ rng: inout SplitMix64) -> E { Array(E.allCases)[rng.below(E.allCases.count)] }

    static func list<T>(_ rng: inout SplitMix64, _ make: (inout SplitMix64) -> T) -> [T] {
        (0..<rng.below(4)).map { _ in make(&rng) }
    }

    static func date(_ rng: inout SplitMix64) -> Iom_V1_Date {
        var d = Iom_V1_Date()
        d.year = int32(&rng); d.month = int32(&rng); d.day = int32(&rng)
        return d
    }

    /// A message of the record's type, from the record's own with random changes.
    static func generated(from record: AnyRecord, _ rng: inout SplitMix64) -> (any SwiftProtobuf.Message, RecordType) {
        var meta = Iom_V1_RecordMeta()
        meta.id = text(&rng); meta.version = uint64(&rng); meta.createdAtMs = int64(&rng); meta.updatedAtMs = int64(&rng)
        switch record {
        case .organisation(let r):
            var w = r.wire
            if rng.below(2) == 0 { w.meta = meta }
            w.name = localized(&rng); w.foundedYear = int32(&rng); w.partOfUnitedNations = rng.below(2) == 0
            w.memberStateCount = int32(&rng); w.countriesOfPresenceAtLeast = int32(&rng)
            w.priorities = list(&rng, localized)
            if rng.below(2) == 0 { w.clearShortName() }
            return (w, .organisation)
        case .mission(let r):
            var w = r.wire
            w.meta = meta; w.organisationID = text(&rng); w.country = text(&rng)
            if rng.below(2) == 0 { w.presentSince = int32(&rng) } else { w.clearPresentSince() }
            if rng.below(2) == 0 { w.chiefOfMission = text(&rng) } else { w.clearChiefOfMission() }
            w.thematicAxes = list(&rng, localized); w.offices = list(&rng, text); w.status = pick(&rng)
            return (w, .mission)
        case .memberState(let r):
            var w = r.wire
            w.meta = meta; w.alpha2 = text(&rng); w.numeric = UInt32(truncatingIfNeeded: uint64(&rng)); w.status = pick(&rng)
            if rng.below(2) == 0 { w.admittedOn = date(&rng) } else { w.clearAdmittedOn() }
            return (w, .memberState)
        case .event(let r):
            var w = r.wire
            w.meta = meta; w.kind = pick(&rng); w.title = localized(&rng); w.city = text(&rng)
            if rng.below(2) == 0 { w.clearTheme() } else { w.theme = localized(&rng) }
            if rng.below(2) == 0 { w.clearObservance() } else { w.observance.name = localized(&rng); w.observance.day = int32(&rng) }
            w.participants = list(&rng) { rng in
                var p = Iom_V1_Participant()
                p.category = pick(&rng); p.name = text(&rng)
                if rng.below(2) == 0 { p.country = text(&rng) }
                return p
            }
            w.speakers = list(&rng) { rng in
                var s = Iom_V1_Speaker()
                s.name = text(&rng); s.role = localized(&rng)
                if rng.below(2) == 0 { s.organisation = text(&rng) }
                return s
            }
            w.outcomes = list(&rng, localized)
            return (w, .event)
        case .protectionCase(let r):
            var w = r.wire
            w.meta = meta; w.shortID = text(&rng); w.status = pick(&rng)
            if rng.below(3) == 0 { w.clearIdentifying() } else {
                w.identifying.exactLocation.latitude = double(&rng)
                w.identifying.exactLocation.longitude = double(&rng)
                w.identifying.photoReferences = list(&rng, text)
                w.identifying.documents = list(&rng) { rng in
                    var d = Iom_V1_IdentityDocument()
                    d.kind = text(&rng); d.number = text(&rng)
                    if rng.below(2) == 0 { d.issuingCountry = text(&rng) }
                    return d
                }
                if rng.below(2) == 0 { w.identifying.clearNarrative() } else { w.identifying.narrative = text(&rng) }
            }
            w.profile.gender = pick(&rng); w.profile.ageBand = pick(&rng); w.profile.isMinor = rng.below(2) == 0
            w.children.care = pick(&rng)
            w.trafficking.exploitation = list(&rng) { rng in
                var e = Iom_V1_Exploitation()
                switch rng.below(5) {
                case 0: e.forcedLabour = pick(&rng)
                case 1: e.sexualExploitation = pick(&rng)
                case 2: e.forcedMarriage = .init()
                case 3: e.begging = .init()
                default: e.other = text(&rng)
                }
                return e
            }
            w.trafficking.meansOfControl = list(&rng) { rng in pick(&rng) }
            w.protection.concerns = list(&rng) { rng in pick(&rng) }
            w.protection.services = list(&rng) { rng in
                var s = Iom_V1_CaseService()
                s.kind = pick(&rng); s.provider = text(&rng); s.status = pick(&rng)
                return s
            }
            w.consent.legalBasis = pick(&rng); w.consent.tracing = rng.below(2) == 0
            w.consentOverrides = list(&rng) { rng in
                var o = Iom_V1_ConsentOverride()
                o.scope = pick(&rng); o.atMs = int64(&rng); o.reason = text(&rng)
                return o
            }
            if rng.below(2) == 0 { w.transferredTo = text(&rng) } else { w.clearTransferredTo() }
            w.ownership.auditTrail = list(&rng) { rng in
                var a = Iom_V1_AuditEntry()
                a.atMs = int64(&rng); a.actor = text(&rng); a.action = text(&rng)
                return a
            }
            return (w, .protectionCase)
        }
    }

    // MARK: Text transforms

    /// `json` with whitespace (space, tab, CR, LF) before and after every structural token.
    static func spaced(_ json: String) -> String {
        var out = "\r\n\t "
        var inString = false, escaped = false
        for c in json {
            if inString {
                out.append(c)
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                continue
            }
            switch c {
            case "\"": inString = true; out.append(c)
            case "{", "[", ",", ":": out += " \(c)\n  \t"
            case "}", "]": out += "\r\n \(c) "
            default: out.append(c)
            }
        }
        return out + "\n"
    }

    /// `json` with every non-ASCII character as a `\uXXXX` escape (a surrogate pair above the
    /// BMP), as Python's `json` writes with `ensure_ascii`.
    static func asciiEscaped(_ json: String) -> String {
        var out = ""
        for scalar in json.unicodeScalars {
            if scalar.isASCII { out.unicodeScalars.append(scalar); continue }
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out
    }

    @Test func swiftProtobufStillMisreadsPairsAbovePlaneOne() throws {
        // SwiftProtobuf 1.39 composes an escaped pair as 0x10000 | high << 10 | low, which is
        // right in plane 1 (emoji, D800-D83F) and wrong above: \ud840\udc00 (U+20000) reads as
        // U+10000, \udbff\udfff (U+10FFFF) as U+FFFFF. IOMWire repairs such pairs before
        // SwiftProtobuf reads them (JSONSurrogates). If this test fails because SwiftProtobuf now
        // decodes them right, the repair can go.
        for (escaped, misread) in [(#"\ud840\udc00"#, "\u{10000}"), (#"\udbff\udfff"#, "\u{FFFFF}")] {
            #expect(try Iom_V1_MemberState(jsonUTF8Bytes: Array(#"{"alpha2":"\#(escaped)"}"#.utf8)).alpha2 == misread, "\(escaped)")
        }
    }

    @Test func pairsAbovePlaneOneReadRightOnBothPaths() throws {
        let cases: [(escaped: String, character: String)] = [(#"\ud840\udc00"#, "\u{20000}"), (#"\udbff\udfff"#, "\u{10FFFF}"),
                                                             (#"\uD87E\uDC04"#, "\u{2F804}"), (#"\ud83d\ude00"#, "😀")]
        for (escaped, character) in cases {
            // The fast path reads the pair itself.
            let fast = Array(#"{"alpha2":"\#(escaped)"}"#.utf8)
            Self.expectFast(fast, .memberState, escaped)
            #expect(fast.withUnsafeBytes(JSONRecordReader.memberState)?.alpha2 == character, "\(escaped)")
            // A request the fast path declines (a null) goes to SwiftProtobuf, repaired first.
            let slow = Array(#"{"alpha2":"\#(escaped)","admittedOn":null}"#.utf8)
            #expect(WireCodec.jsonFastPathTypes(slow).isEmpty)
            #expect(try SwiftProtobufJSON.decode(Iom_V1_MemberState.self, slow).alpha2 == character, "\(escaped)")
        }
        // A whole record of a Python client (ensure_ascii) with a CJK Extension B name.
        let name = "𠀀𪚥 Mission"
        let mission = Self.asciiEscaped(#"{"meta":{"id":"mission-x","version":"1","createdAtMs":"1","updatedAtMs":"1"},"organisationId":"iom","name":{"fr":"\#(name)"},"country":"MA","status":"MISSION_STATUS_OPEN"}"#)
        #expect(mission.contains(#"\ud840\udc00"#))
        guard case .mission(let decoded)? = try? WireCodec.decodeRecord(jsonUTF8: Array(mission.utf8), type: .mission) else {
            Issue.record("the mission did not decode")
            return
        }
        #expect(decoded.name.fr == name)
    }

    @Test func surrogateRepairTouchesOnlyPairsAbovePlaneOneInStrings() {
        func repaired(_ json: String) -> String? { JSONSurrogates.repaired(Array(json.utf8)).map { String(decoding: $0, as: UTF8.self) } }
        #expect(repaired(#"{"a":"x\ud840\udc00y"}"#) == "{\"a\":\"x\u{20000}y\"}")
        #expect(repaired(#"{"a":"\ud840\udc00\udbff\udfff"}"#) == "{\"a\":\"\u{20000}\u{10FFFF}\"}")
        // Nothing to repair: plane 1, BMP, lone or reversed surrogates, an escaped backslash
        // before the letters, a pair outside any string, truncated input.
        for json in [#"{"a":"\ud83d\ude00"}"#, #"{"a":"\u00e9"}"#, #"{"a":"\ud840"}"#, #"{"a":"\udc00\ud840"}"#,
                     #"{"a":"\\ud840\udc00"}"#, #"{"a":1}\ud840\udc00"#, #"{"a":"\ud840\udc0"#, #"{"a":"\ud840\u"#, "", #"""#] {
            #expect(repaired(json) == nil, "\(json)")
        }
    }

    // MARK: Chosen inputs

    static let state = #"{"meta":{"id":"state-ma","version":"1","createdAtMs":"1700000000000","updatedAtMs":"1700000000000"},"alpha2":"MA","alpha3":"MAR","numeric":504,"name":{"fr":"Maroc","en":"Morocco","ar":"المغرب"},"status":"MEMBERSHIP_STATUS_MEMBER"}"#

    /// The member-state vector with `old` replaced by `new` (which must be there).
    static func state(_ old: String, _ new: String) -> [UInt8] {
        precondition(state.contains(old), old)
        return Array(state.replacingOccurrences(of: old, with: new).utf8)
    }

    @Test func escapesAndWhitespaceTakeTheFastPath() {
        let cases: [[UInt8]] = [
            Self.state(#""fr":"Maroc""#, #""fr":"M\u0061roc \"\\\/\b\f\n\r\t \u00e9\u00E9 \ud83c\uDDF2\ud83c\udde6 \u0000""#),
            Self.state(#""en":"Morocco""#, #""en":"\u2028 \uFFFF \uD800\uDC00 \uD83F\uDFFF""#),
            Self.state(#""alpha2":"MA""#, " \t\"alpha2\"\r\n:\n\"MA\"\t"),
            Self.state(#""numeric":504"#, #""numeric":"504""#),               // quoted int32
            Self.state(#""createdAtMs":"1700000000000""#, #""createdAtMs":1700000000000"#),  // int64 as a number
            Self.state(#""createdAtMs":"1700000000000""#, #""createdAtMs":"-9223372036854775808""#),
            Self.state(#""version":"1""#, #""version":18446744073709551615"#),
            Self.state(#""createdAtMs":"1700000000000""#, #""created_at_ms":"1700000000000""#),  // proto name
            Self.state(#""status":"MEMBERSHIP_STATUS_MEMBER""#, #""status":"MEMBERSHIP_STATUS_UNSPECIFIED""#),
            Self.state(#""name":{"fr":"Maroc","en":"Morocco","ar":"المغرب"}"#, #""name":{}"#),
            Array("{}".utf8), Array(" \n{ }\n ".utf8),
        ]
        for (i, bytes) in cases.enumerated() { Self.expectFast(bytes, .memberState, "case \(i)") }
        // Proto names throughout a protection case, and empty arrays.
        let pc = Array(#"{"short_id":"X","consent_overrides":[],"identifying":{"exact_location":{"latitude":-0.0,"longitude":1e-05},"photo_references":[]},"trafficking":{"means_of_control":["MEANS_OF_CONTROL_ABUSE"],"exploitation":[{"forced_marriage":{}},{"other":""}]}}"#.utf8)
        Self.expectFast(pc, .protectionCase, "proto names")
    }

    @Test func trickyInputsKeepTheContract() {
        let tricky: [String] = [
            // null, duplicates, unknown keys, oneof members, sealed
            #"{"alpha2":null}"#, #"{"name":null}"#, #"{"alpha2":"MA","alpha2":"MA"}"#, #"{"alpha2":"MA","alpha2":"MB"}"#,
            #"{"meta":{"createdAtMs":"1","created_at_ms":"1"}}"#, #"{"admittedOn":{},"admitted_on":{}}"#,
            #"{"unknown":1}"#, #"{"Alpha2":"MA"}"#, #"{"alpha2\u0000":"MA"}"#, #"{"alph\u0061":"MA"}"#, #"{"[iom.v1.x]":1}"#,
            #"{"trafficking":{"exploitation":[{"begging":{},"other":"x"}]}}"#,
            #"{"trafficking":{"exploitation":[{"forcedLabour":"LABOUR_SECTOR_MINING","forced_labour":"LABOUR_SECTOR_MINING"}]}}"#,
            #"{"trafficking":{"exploitation":[{"begging":{"x":1}}]}}"#, #"{"trafficking":{"exploitation":[null]}}"#,
            #"{"sealed":{"scheme":"s","ciphertext":"AAEC"}}"#,
            // numbers
            #"{"numeric":1e3}"#, #"{"numeric":1.0}"#, #"{"numeric":1E3}"#, #"{"numeric":01}"#, #"{"numeric":-0}"#,
            #"{"numeric":-1}"#, #"{"numeric":4294967295}"#, #"{"numeric":4294967296}"#, #"{"numeric":"4294967296"}"#,
            #"{"numeric":" 1"}"#, #"{"numeric":"1 "}"#, #"{"numeric":"+1"}"#, #"{"numeric":"0x10"}"#, #"{"numeric":"\u0031"}"#,
            #"{"numeric":true}"#, #"{"numeric":1,}"#, #"{"numeric":1 2}"#, #"{"numeric":1a}"#, #"{"numeric":-}"#,
            #"{"meta":{"version":"18446744073709551616"}}"#, #"{"meta":{"version":"-1"}}"#, #"{"meta":{"version":"-0"}}"#,
            #"{"meta":{"createdAtMs":"9223372036854775808"}}"#, #"{"meta":{"createdAtMs":-9223372036854775809}}"#,
            #"{"meta":{"createdAtMs":99999999999999999999999999}}"#, #"{"meta":{"createdAtMs":"1e3"}}"#, #"{"meta":{"createdAtMs":1.5}}"#,
            #"{"admittedOn":{"year":2147483647,"month":-2147483648,"day":-2147483649}}"#, #"{"admittedOn":{"year":2147483648}}"#,
            // doubles
            #"{"identifying":{"exactLocation":{"latitude":1e400}}}"#, #"{"identifying":{"exactLocation":{"latitude":"NaN"}}}"#,
            #"{"identifying":{"exactLocation":{"latitude":"Infinity"}}}"#, #"{"identifying":{"exactLocation":{"latitude":"1.5"}}}"#,
            #"{"identifying":{"exactLocation":{"latitude":01.5}}}"#, #"{"identifying":{"exactLocation":{"latitude":1.}}}"#,
            #"{"identifying":{"exactLocation":{"latitude":.5}}}"#, #"{"identifying":{"exactLocation":{"latitude":-0}}}"#,
            #"{"identifying":{"exactLocation":{"latitude":1e-400}}}"#, #"{"identifying":{"exactLocation":{"latitude":1E+2,"longitude":-1e-2}}}"#,
            #"{"identifying":{"exactLocation":{"latitude":0.1000000000000000055511151231257827021181583404541015625}}}"#,
            "{\"identifying\":{\"exactLocation\":{\"latitude\":0." + String(repeating: "1", count: 120) + "}}}",
            #"{"identifying":{"exactLocation":{"latitude":2.2250738585072011e-308,"longitude":4.9406564584124654e-324}}}"#,
            // booleans and enums
            #"{"profile":{"isMinor":"true"}}"#, #"{"profile":{"isMinor":True}}"#, #"{"profile":{"isMinor":truee}}"#, #"{"profile":{"isMinor":1}}"#,
            #"{"status":1}"#, #"{"status":"CASE_STATUS_NOPE"}"#, #"{"status":"case_status_closed"}"#, #"{"status":"CASE_STATUS_CLOSED\u0000"}"#,
            #"{"status":"CASE_STATUS_CLOS\u0045D"}"#, #"{"status":-1}"#,
            // strings
            #"{"shortId":"\ud800"}"#, #"{"shortId":"\udc00"}"#, #"{"shortId":"\ud800\u0041"}"#, #"{"shortId":"\ud800x"}"#,
            #"{"shortId":"\x41"}"#, #"{"shortId":"\u00"}"#, #"{"shortId":"\u00G0"}"#, #"{"shortId":"\'"}"#, "{\"shortId\":\"a\u{01}b\"}",
            "{\"shortId\":\"a\u{7F}b\"}", #"{"shortId":'x'}"#, #"{"shortId":"x}"#, #"{"shortId":"\"#,
            // structure
            "", " ", "{", "}", "[]", "null", #"{"shortId":"x"} x"#, #"{"shortId":"x"}{}"#, #"{,}"#, #"{"shortId":"x",}"#,
            #"{"citizenship":["A",]}"#, #"{"citizenship":[,]}"#, #"{"citizenship":["A" "B"]}"#, #"{"citizenship":"A"}"#,
            #"{"citizenship":[null]}"#, #"{"citizenship":[1]}"#, #"{"offices":["a"],"offices":["b"]}"#, "\u{FEFF}{}", "{}\u{0}",
            "{\"shortId\" \u{0B}: \"x\"}", #"{"shortId"="x"}"#,
        ]
        for t in tricky {
            Self.expectContract(Array(t.utf8), t)
            for type in RecordType.allCases { Self.expectSameDecoding(Array(t.utf8), type, t) }
        }
        // Invalid UTF-8 inside and outside strings, overlong forms and encoded surrogates.
        let invalid: [[UInt8]] = [[0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xFF], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]]
        for bad in invalid {
            for bytes in [Array(#"{"alpha2":""#.utf8) + bad + Array(#""}"#.utf8), Array(#"{"shortId":"a\n"#.utf8) + bad + Array(#""}"#.utf8),
                          Array(#"{""#.utf8) + bad + Array(#"":1}"#.utf8), Array(#"{"alpha2":"MA"}"#.utf8) + bad] {
                Self.expectContract(bytes, "invalid UTF-8 \(bad)")
                #expect(WireCodec.jsonFastPathTypes(bytes).isEmpty, "invalid UTF-8 \(bad) took the fast path")
            }
        }
    }

    @Test func declinedInputsAreDeclined() {
        // The test's own check: inputs SwiftProtobuf refuses, or reads differently, must not
        // come back from the fast path (a reader that accepted them would fail here).
        let refused = [
            #"{"alpha2":null}"#, #"{"alpha2":"MA","alpha2":"MA"}"#, #"{"unknown":1}"#, #"{"numeric":-1}"#,
            #"{"numeric":1,}"#, #"{"alpha2":"\ud800"}"#, #"{"alpha2":"MA"} x"#, #"{"numeric":01}"#, #"{"status":"NOPE"}"#,
        ]
        for r in refused { #expect(WireCodec.jsonFastPathTypes(Array(r.utf8)).isEmpty, "\(r)") }
    }

    @Test func everyEnumNameTakesTheFastPathWithSwiftProtobufsValue() {
        // A misspelt or misnumbered name in the reader's tables would break the contract here.
        func check<E: SwiftProtobuf.Enum & JSONEnumNames & CaseIterable>(_: E.Type, _ wrap: (String) -> String, _ type: RecordType) {
            #expect(E.jsonNames.count == E.allCases.count, "\(E.self)")
            for name in E.jsonNames { Self.expectFast(Array(wrap(name.description).utf8), type, "\(E.self) \(name)") }
        }
        check(Iom_V1_MissionStatus.self, { #"{"status":"\#($0)"}"# }, .mission)
        check(Iom_V1_MembershipStatus.self, { #"{"status":"\#($0)"}"# }, .memberState)
        check(Iom_V1_EventKind.self, { #"{"kind":"\#($0)"}"# }, .event)
        check(Iom_V1_ParticipantCategory.self, { #"{"participants":[{"category":"\#($0)"}]}"# }, .event)
        check(Iom_V1_CaseStatus.self, { #"{"status":"\#($0)"}"# }, .protectionCase)
        check(Iom_V1_Gender.self, { #"{"profile":{"gender":"\#($0)"}}"# }, .protectionCase)
        check(Iom_V1_AgeBand.self, { #"{"profile":{"ageBand":"\#($0)"}}"# }, .protectionCase)
        check(Iom_V1_CareArrangement.self, { #"{"children":{"care":"\#($0)"}}"# }, .protectionCase)
        check(Iom_V1_TraffickingStatus.self, { #"{"trafficking":{"status":"\#($0)"}}"# }, .protectionCase)
        check(Iom_V1_LabourSector.self, { #"{"trafficking":{"exploitation":[{"forcedLabour":"\#($0)"}]}}"# }, .protectionCase)
        check(Iom_V1_SexualExploitationType.self, { #"{"trafficking":{"exploitation":[{"sexualExploitation":"\#($0)"}]}}"# }, .protectionCase)
        check(Iom_V1_MeansOfControl.self, { #"{"trafficking":{"meansOfControl":["\#($0)"]}}"# }, .protectionCase)
        check(Iom_V1_RecruiterRelation.self, { #"{"trafficking":{"recruiterRelation":"\#($0)"}}"# }, .protectionCase)
        check(Iom_V1_DurationBand.self, { #"{"trafficking":{"duration":"\#($0)"}}"# }, .protectionCase)
        check(Iom_V1_RiskLevel.self, { #"{"protection":{"risk":"\#($0)"}}"# }, .protectionCase)
        check(Iom_V1_ProtectionConcern.self, { #"{"protection":{"concerns":["\#($0)"]}}"# }, .protectionCase)
        check(Iom_V1_ServiceKind.self, { #"{"protection":{"services":[{"kind":"\#($0)"}]}}"# }, .protectionCase)
        check(Iom_V1_ServiceStatus.self, { #"{"protection":{"services":[{"status":"\#($0)"}]}}"# }, .protectionCase)
        check(Iom_V1_ReferralStatus.self, { #"{"protection":{"referrals":[{"status":"\#($0)"}]}}"# }, .protectionCase)
        check(Iom_V1_LegalBasis.self, { #"{"consent":{"legalBasis":"\#($0)"}}"# }, .protectionCase)
        check(Iom_V1_OverrideScope.self, { #"{"consentOverrides":[{"scope":"\#($0)"}]}"# }, .protectionCase)
    }

    @Test func protoNamesAndInt64NumbersTakeTheFastPath() throws {
        // Every generated message under its proto names, and with 64-bit integers as JSON
        // numbers instead of strings (SwiftProtobuf's alwaysPrintInt64sAsNumbers).
        var rng = SplitMix64(seed: 7)
        for round in 0..<100 {
            let (message, type) = Self.generated(from: allRecords[round % allRecords.count], &rng)
            for (names, numbers) in [(true, false), (false, true), (true, true)] {
                var options = JSONEncodingOptions()
                options.preserveProtoFieldNames = names
                options.alwaysPrintInt64sAsNumbers = numbers
                let bytes = Array(try message.jsonString(options: options).utf8)
                Self.expectFast(bytes, type, "\(type) proto names \(names), int64 numbers \(numbers)")
                if let d = Self.fastEqualsMessage(bytes, type, message) { Issue.record("round \(round): \(d)") }
            }
        }
    }

    // MARK: Mutations

    /// Seeded, deterministic mutations of every JSON vector (and its spaced and escaped forms):
    /// flipped, deleted and inserted bytes, and JSON tokens inserted or substituted.
    @Test func randomMutationsKeepTheContract() throws {
        var corpus = try Self.vectors().map(\.bytes)
        corpus += corpus.map { Array(Self.spaced(String(decoding: $0, as: UTF8.self)).utf8) }
        corpus += corpus.prefix(8).map { Array(Self.asciiEscaped(String(decoding: $0, as: UTF8.self)).utf8) }
        let tokens: [[UInt8]] = [#"""#, #"\"#, ",", ":", "{", "}", "[", "]", "null", "0", "-", " ", "\n", "e", ".", "1", "\\u", "\\ud83d",
                                  "true", "\"\"", "9999999999999999999", "\u{7F}", "\u{01}", "é", "\"x\":1,"].map { Array($0.utf8) }
        var rng = SplitMix64(seed: 0x15_0A_1E)
        var fast = 0, total = 0
        for (index, original) in corpus.enumerated() {
            for round in 0..<150 {
                var bytes = original
                for _ in 0...rng.below(2) {
                    let n = bytes.count
                    switch rng.below(6) {
                    case 0 where n > 0: bytes[rng.below(n)] ^= UInt8(1 << rng.below(8))
                    case 1 where n > 0:
                        let at = rng.below(n)
                        bytes.removeSubrange(at..<min(n, at + 1 + rng.below(4)))
                    case 2: bytes.insert(contentsOf: tokens[rng.below(tokens.count)], at: rng.below(n + 1))
                    case 3 where n > 0:
                        let at = rng.below(n)
                        bytes.replaceSubrange(at..<min(n, at + 1), with: tokens[rng.below(tokens.count)])
                    case 4 where n > 0:
                        // A digit changed (numbers at their limits, enums and strings stay JSON).
                        let digits = bytes.indices.filter { (0x30...0x39).contains(bytes[$0]) }
                        if let at = digits.isEmpty ? nil : digits[rng.below(digits.count)] { bytes[at] = 0x30 + UInt8(rng.below(10)) }
                    default: bytes = Array(bytes.prefix(rng.below(n + 1)))  // truncated
                    }
                }
                Self.expectContract(bytes, "corpus[\(index)] mutation \(round)")
                total += 1
                if !WireCodec.jsonFastPathTypes(bytes).isEmpty { fast += 1 }
            }
        }
        // Many mutations stay valid JSON of a record (a digit, whitespace): the fast path is
        // exercised, not only its declining.
        #expect(fast > total / 10, "\(fast) of \(total) mutations took the fast path")
    }

    // MARK: decodeRecord(jsonUTF8:)

    @Test func decodeRecordGivesTheSameResultsAsSwiftProtobufAlone() throws {
        for v in try Self.vectors() {
            let text = String(decoding: v.bytes, as: UTF8.self)
            Self.expectSameDecoding(v.bytes, v.type, v.name)
            // Decoded as another type: a WireError from both (unknown keys), or the same record.
            for type in RecordType.allCases { Self.expectSameDecoding(v.bytes, type, "\(v.name) as \(type)") }
            // Breaking a domain rule: the same ValidationError whichever path read it.
            for (old, new) in [(#""version":"1""#, #""version":"0""#), (#""MA""#, #""XX""#), (#""version":"4""#, #""version":"0""#)] where text.contains(old) {
                let broken = Array(text.replacingOccurrences(of: old, with: new).utf8)
                Self.expectFast(broken, v.type, "\(v.name) with \(new)")
                #expect(throws: ValidationError.self) { try WireCodec.decodeRecord(jsonUTF8: broken, type: v.type) }
            }
        }
        #expect(throws: WireError.self) { try WireCodec.decodeRecord(jsonUTF8: Array("{not json".utf8), type: .mission) }
        #expect(throws: WireError.self) { try WireCodec.decodeRecord(jsonUTF8: Array(#"{"offices":[null]}"#.utf8), type: .mission) }
        #expect(throws: ValidationError.self) { try WireCodec.decodeRecord(jsonUTF8: Array("{}".utf8), type: .mission) }
    }
}
