// Writes the Protocols/vectors test vectors from the fixtures, through the IOMWire mapping.
// Usage: iom-vectors <output-dir>   (see Scripts/generate-vectors.sh)
import Foundation
import IOMDomain
import IOMFixtures
import IOMWire

enum Item {
    case record(String, AnyRecord)
    case change(String, Change)
}

func items() throws -> [Item] {
    let registered = try FictionalCases.minimal.transition(
        to: .registered, at: Instant(millisecondsSince1970: 1_700_003_600_000), by: NonEmptyString("FICTIONAL caseworker A"))
    return [
        .record("organisation", Seed.organisation.anyRecord),
        .record("mission_morocco", Seed.moroccoMission.anyRecord),
        .record("member_state_morocco", FictionalCases.memberState.anyRecord),
        .record("member_state_observer_fictional", FictionalCases.observerState.anyRecord),
        .record("event_rabat_2017_07_24", Seed.rabatBreakfast2017.anyRecord),
        .record("protection_case_minimal_fictional", FictionalCases.minimal.anyRecord),
        .record("protection_case_complete_fictional", FictionalCases.complete.anyRecord),
        .record("protection_case_transferred_fictional", FictionalCases.transferred.anyRecord),
        .change("change_created_mission", try Change(kind: .created, before: nil, after: Seed.moroccoMission.anyRecord)),
        .change("change_updated_protection_case", try Change(kind: .updated, before: FictionalCases.minimal.anyRecord, after: registered.anyRecord)),
        .change("change_deleted_event", try Change(kind: .deleted, before: Seed.rabatBreakfast2017.anyRecord, after: nil)),
    ]
}

let args = CommandLine.arguments
guard args.count == 2 else {
    FileHandle.standardError.write(Data("usage: iom-vectors <output-dir>\n".utf8))
    exit(2)
}
let dir = URL(fileURLWithPath: args[1], isDirectory: true)
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
var manifest: [String] = []
for item in try items() {
    let (name, bytes, json, message): (String, [UInt8], String, String)
    switch item {
    case .record(let n, let r):
        (name, bytes, json, message) = (n, WireCodec.encode(r), WireCodec.json(r), WireCodec.messageName(of: r.recordType))
    case .change(let n, let c):
        (name, bytes, json, message) = (n, WireCodec.encode(c), WireCodec.json(c), WireCodec.changeMessageName)
    }
    try Data(bytes).write(to: dir.appendingPathComponent("\(name).binpb"))
    try Data((json + "\n").utf8).write(to: dir.appendingPathComponent("\(name).json"))
    manifest.append("    { \"binary\": \"\(name).binpb\", \"json\": \"\(name).json\", \"message\": \"\(message)\" }")
}
let text = "{\n  \"vectors\": [\n" + manifest.joined(separator: ",\n") + "\n  ]\n}\n"
try Data(text.utf8).write(to: dir.appendingPathComponent("manifest.json"))
print("wrote \(manifest.count) vectors to \(dir.path)")
