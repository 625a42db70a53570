import Foundation
import Testing

@Suite("iom stats", .timeLimit(.minutes(3)))
struct StatsCommandTests {
    /// A store holding `cases` fictional protection cases of one group (gender unknown, 24–26),
    /// saved through a node with a host key.
    static func store(cases: Int, in directory: String) throws -> (store: String, key: String) {
        let store = directory + "/node.sqlite"
        let key = directory + "/data-1.key"
        try writeHostKey(key)
        let node = try Node(store: store, extra: ["--insecure", "--host-key", key])
        for index in 0..<cases {
            let saved = try iom("save", "protection-case", "--file", "-", "--node", node.accept, "--insecure",
                                stdin: try caseJSON(id: "case-fictional-9\(index)"))
            #expect(saved.status == 0, "\(saved)")
        }
        #expect(node.stop()?.status == 0)
        return (store, key)
    }

    @Test("fewer than k cases in a group: the group is suppressed, only the total is reported; with a smaller k it is published")
    func suppression() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (store, key) = try Self.store(cases: 3, in: directory)

        let table = try iom("stats", "--store", store, "--host-key", key)
        #expect(table.status == 0, "\(table)")
        #expect(table.stdout.hasPrefix("gender  ageBand  count\n"), "\(table)")
        #expect(table.stdout.contains("no group has at least 11 cases"), "\(table)")
        #expect(table.stdout.contains("suppressed: 1 group below k=11 (3 counted cases)"), "\(table)")
        #expect(!table.stdout.contains("unknown  age24to26"), "the small group's values are not published")

        let json = try iom("stats", "--store", store, "--host-key", key, "--k", "3", "--json", "--by", "gender", "--by", "age-band")
        #expect(json.status == 0, "\(json)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json)")
        #expect(object["k"] as? Int == 3)
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect(rows.count == 1)
        #expect(rows.first?["count"] as? Int == 3)
        #expect(rows.first?["gender"] as? String == "unknown")
        #expect(object["suppressedGroups"] as? Int == 0)

        let four = try iom("stats", "--store", store, "--host-key", key, "--k", "4", "--json")
        #expect(four.stdout.contains(#""rows":[]"#), "3 cases < k = 4: \(four)")
    }

    @Test("iom save --host-key stores protection cases locally; stats counts them; a key file others can read is refused (77)")
    func localStore() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = directory + "/local.sqlite"
        let key = directory + "/data-2026.key"
        try writeHostKey(key)
        for index in 0..<2 {
            let saved = try iom("save", "protection-case", "--file", "-", "--store", store, "--host-key", key, stdin: try caseJSON(id: "case-local-\(index)"))
            #expect(saved.stdout == "saved protectionCase case-local-\(index): version 1, sequence \(index + 1)\n", "\(saved)")
        }
        let stats = try iom("stats", "--store", store, "--host-key", key, "--k", "2", "--by", "traffickingStatus")
        #expect(stats.status == 0, "\(stats)")
        #expect(stats.stdout.contains("traffickingStatus  count\nunknown            2\n"), "\(stats)")

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let open = try iom("save", "protection-case", "--file", "-", "--store", store, "--host-key", key, stdin: try caseJSON(id: "case-local-9"))
        #expect(open.status == 77, "\(open)")
        #expect(open.stderr.contains("chmod 600 \(key)"), "\(open)")
        let missing = try iom("stats", "--store", store, "--host-key", directory + "/none.key")
        #expect(missing.status == 66, "\(missing)")
        #expect(missing.stderr.contains("head -c 32 /dev/urandom"), "the error says how to make one: \(missing)")
    }

    @Test("bad arguments: k below 2, an unknown field (64); a missing store (66)")
    func badArguments() throws {
        let low = try iom("stats", "--k", "1")
        #expect(low.status == 64, "\(low)")
        #expect(low.stderr.contains("at least 2"))
        let field = try iom("stats", "--by", "name")
        #expect(field.status == 64, "\(field)")
        #expect(field.stderr.contains("ageBand"), "the error lists the banded fields")
        let missing = try iom("stats", "--store", "/nonexistent/iom.sqlite")
        #expect(missing.status == 66, "\(missing)")
        #expect(missing.stderr.contains("/nonexistent/iom.sqlite"))
    }
}
