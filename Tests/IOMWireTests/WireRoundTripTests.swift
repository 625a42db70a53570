import Testing
import IOMDomain
import IOMFixtures
@testable import IOMWire

let allRecords: [AnyRecord] = Seed.all + [
    FictionalCases.memberState.anyRecord, FictionalCases.observerState.anyRecord,
    FictionalCases.minimal.anyRecord, FictionalCases.complete.anyRecord, FictionalCases.transferred.anyRecord,
]

@Suite struct WireRoundTripTests {
    @Test(arguments: allRecords)
    func recordSurvivesBinaryAndJson(_ record: AnyRecord) throws {
        let bytes = WireCodec.encode(record)
        #expect(!bytes.isEmpty)
        #expect(try WireCodec.decodeRecord(bytes, type: record.recordType) == record)
        #expect(try WireCodec.decodeRecord(json: WireCodec.json(record), type: record.recordType) == record)
    }

    @Test func typedDecode() throws {
        let m = try WireCodec.decode(WireCodec.encode(Seed.moroccoMission), as: Mission.self)
        #expect(m == Seed.moroccoMission)
        let c = try WireCodec.decode(WireCodec.encode(FictionalCases.complete), as: ProtectionCase.self)
        #expect(c == FictionalCases.complete)
        #expect(WireCodec.messageName(of: .event) == "iom.v1.Event")
    }

    @Test func changesSurvive() throws {
        let registered = try FictionalCases.minimal.transition(to: .registered, at: FictionalCases.minimal.updatedAt, by: .init("cw"))
        let changes = [
            try Change(kind: .created, before: nil, after: Seed.rabatBreakfast2017.anyRecord),
            try Change(kind: .updated, before: FictionalCases.minimal.anyRecord, after: registered.anyRecord),
            try Change(kind: .deleted, before: Seed.moroccoMission.anyRecord, after: nil),
        ]
        for change in changes {
            #expect(try WireCodec.decodeChange(WireCodec.encode(change)) == change)
            #expect(try WireCodec.decodeChange(json: WireCodec.json(change)) == change)
        }
    }

    @Test func encodingIsDeterministicForSets() throws {
        // Sets (means of control, concerns) go on the wire sorted, so equal records give equal bytes.
        let a = WireCodec.encode(FictionalCases.complete)
        let b = WireCodec.encode(try WireCodec.decode(a, as: ProtectionCase.self))
        #expect(a == b)
    }

    @Test func concurrentEncodeDecode() async {
        let ok = await withTaskGroup(of: Bool.self) { group in
            for record in allRecords {
                group.addTask { (try? WireCodec.decodeRecord(WireCodec.encode(record), type: record.recordType)) == record }
            }
            var all = true
            for await r in group { all = all && r }
            return all
        }
        #expect(ok)
    }
}

@Suite struct WireRejectionTests {
    @Test func malformedBytesAreAWireError() {
        #expect(throws: WireError.self) { try WireCodec.decode([0xFF, 0xFF, 0xFF], as: Mission.self) }
        let bytes = WireCodec.encode(FictionalCases.complete)
        #expect(throws: WireError.self) { try WireCodec.decode(Array(bytes.prefix(bytes.count / 2)), as: ProtectionCase.self) }
        #expect(throws: WireError.self) { try WireCodec.decodeRecord(json: "{not json", type: .mission) }
    }

    @Test func badCountryGivesTheSameErrorAsDirectConstruction() throws {
        var w = Seed.moroccoMission.wire
        w.country = "XX"
        let direct = try #require(throws: ValidationError.self) { try CountryCode("XX", path: "mission.country") }
        let bytes: [UInt8] = try w.serializedBytes()
        let decoded = try #require(throws: ValidationError.self) { try WireCodec.decode(bytes, as: Mission.self) }
        #expect(decoded == direct)
        #expect(decoded.description == #"mission.country: "XX" is not ISO 3166-1"#)
    }

    @Test func everyProblemOfAWireRecordIsReported() throws {
        var w = Seed.rabatBreakfast2017.wire
        w.country = "XX"
        w.city = "  "
        w.kind = .unspecified
        w.date.month = 13
        w.participants[0].country = "QQ"
        do {
            _ = try WireCodec.decode(try w.serializedBytes(), as: PublicEvent.self)
            Issue.record("expected an error")
        } catch let e as ValidationError {
            #expect(Set(e.paths) == ["event.country", "event.city", "event.kind", "event.date", "event.participants[0].country"])
        }
    }

    @Test func caseRuleBrokenOnTheWireMatchesDirectConstruction() throws {
        // A minor without the children group.
        var w = FictionalCases.complete.wire
        w.clearChildren()
        let c = FictionalCases.complete
        let direct: ValidationError
        do {
            _ = try ProtectionCase(id: c.id, version: c.version, createdAt: c.createdAt, updatedAt: c.updatedAt, shortID: c.shortID,
                                   status: c.status, identifying: c.identifying, profile: c.profile, children: nil,
                                   trafficking: c.trafficking, protection: c.protection, consent: c.consent,
                                   consentOverrides: c.consentOverrides, transferredTo: c.transferredTo,
                                   retentionUntil: c.retentionUntil, ownership: c.ownership)
            Issue.record("expected an error"); return
        } catch { direct = error }
        do {
            _ = try WireCodec.decode(try w.serializedBytes(), as: ProtectionCase.self)
            Issue.record("expected an error")
        } catch let e as ValidationError {
            #expect(e == direct)
            #expect(e.paths == ["protectionCase.children"])
        }
    }

    @Test func transferredWithoutConsentOrOverrideIsRefused() throws {
        var w = FictionalCases.transferred.wire
        w.consentOverrides = []
        do {
            _ = try WireCodec.decode(try w.serializedBytes(), as: ProtectionCase.self)
            Issue.record("expected an error")
        } catch let e as ValidationError {
            #expect(e.paths == ["protectionCase.status"])
        }
    }

    @Test func memberStateCodesMustAgree() throws {
        var w = FictionalCases.memberState.wire
        w.alpha3 = "FRA"
        w.numeric = 250
        do {
            _ = try WireCodec.decode(try w.serializedBytes(), as: MemberState.self)
            Issue.record("expected an error")
        } catch let e as ValidationError {
            #expect(Set(e.paths) == ["memberState.alpha3", "memberState.numeric"])
        }
    }

    @Test func missingRequiredGroupsAndUnknownEnums() throws {
        var w = Iom_V1_ProtectionCase()
        w.status = .UNRECOGNIZED(99)
        do {
            _ = try WireCodec.decode(try w.serializedBytes(), as: ProtectionCase.self)
            Issue.record("expected an error")
        } catch let e as ValidationError {
            #expect(Set(e.paths).isSuperset(of: ["protectionCase.meta", "protectionCase.status", "protectionCase.profile",
                                                 "protectionCase.consent", "protectionCase.retentionUntil", "protectionCase.ownership"]))
        }
    }

    @Test func changeWithMismatchedHeaderIsRefused() throws {
        var w = try Change(kind: .created, before: nil, after: Seed.moroccoMission.anyRecord).wire
        w.recordType = .event
        #expect(throws: ValidationError.self) { try WireCodec.decodeChange(try w.serializedBytes()) }
        var w2 = try Change(kind: .created, before: nil, after: Seed.moroccoMission.anyRecord).wire
        w2.clearAfter()
        #expect(throws: ValidationError.self) { try WireCodec.decodeChange(try w2.serializedBytes()) }
    }
}
