import FlyingFox
import FlyingSocks
import Foundation
import Logging
import Prometheus
import ServiceLifecycle

/// `iom serve --metrics HOST:PORT`: an HTTP endpoint an operator scrapes.
///
/// - `GET /metrics`: every `iom_*` metric of the node (`IOMMetrics`) in Prometheus' text format,
///   from the swift-metrics backend the node records into (swift-prometheus).
/// - `GET /health`: `200` and `ok` when the node can commit a save now; `503` and the reason
///   otherwise (the store closed, its file gone, locked or not writable).
///
/// The HTTP server is FlyingFox (non-blocking sockets, one child task per connection). `run()`
/// holds it until the task is cancelled or the service group shuts down gracefully.
///
/// ```sh
/// iom serve --insecure --metrics 127.0.0.1:9464
/// curl -s http://127.0.0.1:9464/metrics | grep iom_bus_published_total
/// curl -si http://127.0.0.1:9464/health
/// ```
final class MetricsEndpoint: Service, Sendable {
    /// What the node records into; `/metrics` prints it.
    let registry: PrometheusCollectorRegistry
    private let address: MetricsAddress
    private let server: HTTPServer

    /// Prepares the endpoint on `address` (`HOST:PORT`, an IPv4 address; port 0 picks a free
    /// one). `health` answers `nil` when the node is healthy, or why it is not.
    /// `beforeScrape` runs before each `/metrics` answer (a hub sets its per-upstream lag gauges there).
    init(address: MetricsAddress, registry: PrometheusCollectorRegistry, health: @escaping @Sendable () async -> String?,
         beforeScrape: @escaping @Sendable () async -> Void = {}) throws {
        self.beforeScrape = beforeScrape
        self.registry = registry
        self.address = address
        let socketAddress: sockaddr_in
        do { socketAddress = try .inet(ip4: address.host, port: address.port) } catch {
            throw CommandFailure(.usage, "--metrics \(address): \(address.host) is not an IPv4 address; give e.g. 127.0.0.1:9464 or 0.0.0.0:9464")
        }
        server = HTTPServer(address: socketAddress, timeout: 10, logger: .disabled)
        self.health = health
    }

    private let health: @Sendable () async -> String?
    private let beforeScrape: @Sendable () async -> Void

    /// Serves until cancelled or a graceful shutdown. Call ``waitUntilListening()`` for the port.
    func run() async throws {
        await server.appendRoute("GET /metrics") { [registry, beforeScrape] _ in
            await beforeScrape()
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                         body: Data(registry.emitToBuffer()))
        }
        await server.appendRoute("GET /health") { [health] _ in
            if let problem = await health() {
                return HTTPResponse(statusCode: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                                    body: Data("unhealthy: \(problem)\n".utf8))
            }
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: Data("ok\n".utf8))
        }
        try await cancelWhenGracefulShutdown {
            do { try await self.server.run() } catch where Task.isCancelled {
                // Stopped by the graceful shutdown: not a failure.
            } catch {
                throw CommandFailure(.unavailable, "--metrics \(self.address): cannot serve HTTP: \(error)")
            }
        }
    }

    /// Waits until the server listens (after ``run()`` started), then gives its URL with the real port.
    func waitUntilListening() async throws -> String {
        do { try await server.waitUntilListening(timeout: 10) } catch {
            throw CommandFailure(.unavailable, "the metrics endpoint did not start listening: \(error)")
        }
        guard case let .ip4(host, port)? = await server.listeningAddress else {
            throw CommandFailure(.unavailable, "the metrics endpoint listens on an unexpected address")
        }
        return "http://\(host):\(port)"
    }
}

/// `HOST:PORT` of `--metrics`.
struct MetricsAddress: CustomStringConvertible, Sendable {
    var host: String
    var port: UInt16

    /// Parses `HOST:PORT` (port 0…65535; 0 picks a free port).
    init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let port = UInt16(text[text.index(after: colon)...]) else {
            throw CommandFailure(.usage, "--metrics takes HOST:PORT (e.g. 127.0.0.1:9464, port 0 for a free one), got \"\(text)\"")
        }
        host = String(text[..<colon])
        self.port = port
    }

    var description: String { "\(host):\(port)" }
}
