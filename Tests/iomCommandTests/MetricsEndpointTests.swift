import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDBSQLite
import Testing

/// `iom serve --metrics HOST:PORT`: Prometheus text on /metrics and a health check on /health,
/// scraped with a real HTTP client (URLSession).
@Suite("iom serve --metrics: /metrics and /health")
struct MetricsEndpointTests {
    /// GET `url`: the status code and the body.
    func get(_ url: String) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.timeoutInterval = 20
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = try #require(response as? HTTPURLResponse).statusCode
        return (status, String(decoding: data, as: UTF8.self))
    }

    /// The value of the first sample line of `name` (any labels) in Prometheus text.
    func sample(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2 else { continue }
            let metric = parts[0].split(separator: "{", maxSplits: 1)[0]
            if metric == name { return Double(parts[1]) }
        }
        return nil
    }

    @Test("/metrics counts the node's saves in Prometheus text; /health is 200 while the store is writable, 503 with the reason while another connection holds its write lock, 200 again after")
    func scrape() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = directory + "/node.sqlite"
        let node = try Node(store: store, extra: ["--insecure", "--metrics", "127.0.0.1:0"])
        let base = try #require(node.endpoints["metrics"], "the readiness line gives metrics=URL")
        #expect(base.hasPrefix("http://127.0.0.1:") && !base.hasSuffix(":0"), "the real port: \(base)")

        let first = try await get(base + "/metrics")
        #expect(first.status == 200)
        #expect(first.body.contains("# TYPE iom_bus_published_total counter"), "\(first.body)")
        #expect(sample("iom_bus_published_total", in: first.body) == 3, "the three seed records: \(first.body)")

        let saved = try iom("save", "mission", "--file", "-", "--node", node.accept, "--insecure", stdin: try missionJSON(id: "mission-metrics"))
        #expect(saved.status == 0, "\(saved)")
        let second = try await get(base + "/metrics")
        #expect(sample("iom_bus_published_total", in: second.body) == 4, "\(second.body)")
        #expect(second.body.contains("iom_store_save_seconds"), "the save timer: \(second.body)")

        let healthy = try await get(base + "/health")
        #expect(healthy.status == 200 && healthy.body == "ok\n", "\(healthy)")

        // Another connection takes the store's write lock: a save could not commit now.
        var other: OpaquePointer?
        #expect(sqlite3_open(store, &other) == SQLITE_OK)
        defer { sqlite3_close(other) }
        #expect(sqlite3_exec(other, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK)
        let locked = try await get(base + "/health")
        #expect(locked.status == 503, "\(locked)")
        #expect(locked.body.hasPrefix("unhealthy: ") && locked.body.contains("locked"), "the reason: \(locked.body)")
        #expect(sqlite3_exec(other, "ROLLBACK", nil, nil, nil) == SQLITE_OK)
        #expect(try await get(base + "/health").status == 200)

        #expect(try await get(base + "/nothing-here").status == 404)
        #expect(node.stop()?.status == 0)
    }

    @Test("--metrics takes HOST:PORT with an IPv4 address; anything else is a usage error (64) naming the option")
    func badAddress() throws {
        for bad in ["9464", "localhost:", "127.0.0.1:99999", ":9464"] {
            let outcome = try iom("serve", "--insecure", "--metrics", bad, "--store", NSTemporaryDirectory() + "never-\(UUID().uuidString).sqlite")
            #expect(outcome.status == 64, "\(bad): \(outcome)")
            #expect(outcome.stderr.contains("--metrics"), "\(bad): \(outcome)")
        }
        let help = try iom("serve", "--help")
        #expect(help.stdout.contains("--metrics <host:port>"), "\(help)")
    }
}
