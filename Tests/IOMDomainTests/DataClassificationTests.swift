import Testing
import IOMDomain
import IOMFixtures

/// Walks a value with Mirror and lists the path of every leaf field, `[]` for list elements.
func leafPaths(_ value: Any, _ path: String, into out: inout Set<String>) {
    let mirror = Mirror(reflecting: value)
    let typeName = String(describing: type(of: value))
    let leaf = value is NonEmptyString || value is CountryCode || value is CalendarDate || value is Instant
        || value is LocalizedText || value is String || value is Bool || value is Int || value is UInt64 || value is Double
        || typeName.hasPrefix("Identifier<") || mirror.displayStyle == .enum
    if leaf { out.insert(path); return }
    switch mirror.displayStyle {
    case .optional:
        if let child = mirror.children.first { leafPaths(child.value, path, into: &out) } // absent: no leaves here
    case .collection, .set:
        if mirror.children.isEmpty { out.insert("\(path)[]") }
        for child in mirror.children { leafPaths(child.value, "\(path)[]", into: &out) }
    default:
        for child in mirror.children { leafPaths(child.value, "\(path).\(child.label!)", into: &out) }
    }
}

@Suite struct DataClassificationTests {
    @Test func everyFieldOfACompleteCaseIsClassified() {
        var paths = Set<String>()
        leafPaths(FictionalCases.complete, "protectionCase", into: &paths)
        leafPaths(FictionalCases.transferred, "protectionCase", into: &paths)
        let classified = Set(ProtectionCase.fieldClassification.keys.map(\.rawValue))
        #expect(paths.count > 50)
        #expect(paths.contains("protectionCase.identifying.documents[].number"))
        #expect(paths.contains("protectionCase.transferredTo"))
        #expect(paths.subtracting(classified).isEmpty, "unclassified: \(paths.subtracting(classified).sorted())")
    }

    @Test func everyFieldOfPublicRecordsIsClassified() {
        func check(_ v: Any, _ root: String, _ type: RecordType) {
            var paths = Set<String>()
            leafPaths(v, root, into: &paths)
            let classified = Set(DataClassification.fields(of: type).keys.map(\.rawValue))
            #expect(paths.subtracting(classified).isEmpty, "\(root) unclassified: \(paths.subtracting(classified).sorted())")
        }
        check(Seed.organisation, "organisation", .organisation)
        check(Seed.moroccoMission, "mission", .mission)
        check(Seed.rabatBreakfast2017, "event", .event)
        check(FictionalCases.observerState, "memberState", .memberState)
    }

    @Test func identifyingGroupIsIdentifyingAndProfileIsQuasi() {
        for (path, s) in ProtectionCase.fieldClassification {
            if path.group == "identifying" { #expect(s == .identifying, "\(path)") }
            if path.group == "profile" { #expect(s == .quasiIdentifying, "\(path)") }
            if path.group == "trafficking" { #expect(s == .nonIdentifying, "\(path)") }
        }
        #expect(DataClassification.sensitivity(of: "protectionCase.identifying.givenName") == .identifying)
        #expect(DataClassification.sensitivity(of: "mission.country") == .nonIdentifying)
        #expect(DataClassification.sensitivity(of: "nope.field") == nil)
    }

    @Test func publicRecordsHaveNoSensitiveFields() {
        for type in [RecordType.organisation, .mission, .memberState, .event] {
            #expect(DataClassification.fields(of: type).values.allSatisfy { $0 == .nonIdentifying })
        }
        #expect(Sensitivity.identifying > Sensitivity.quasiIdentifying)
    }
}
