import Foundation
import IOMTestSupport
import Testing
import ZeroMQ

/// The test support's port picker: what the process tests rely on to restart a node on the same port.
@Suite("Free loopback endpoints for tests")
struct FreeEndpointTests {
    @Test("endpoints are distinct, below the kernel's ephemeral ports, and bindable")
    func endpoints() throws {
        // Linux says where its ephemeral ports start; elsewhere only distinct and bindable is checked.
        let range = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        let ephemeralStart = range?.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 0
        let endpoints = try (0..<50).map { _ in try unusedLoopbackEndpoint() }
        #expect(Set(endpoints).count == endpoints.count)
        let context = try Context()
        for endpoint in endpoints {
            let port = try #require(endpoint.split(separator: ":").last.flatMap { Int($0) }, "\(endpoint)")
            if ephemeralStart > 21_000 { #expect(port < ephemeralStart, "\(endpoint)") }
            let socket = try context.socket(.pub)
            try socket.bind(endpoint)  // still free
        }
    }
}
