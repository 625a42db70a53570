// Raw libzmq PUB→SUB throughput through the project's own `ZeroMQ` module, with no extra
// work per message: the physical limit that IOMKit's bridge numbers are held against.
//
// Names: Wire/<transport>-<size>B/raw-libzmq. Each iteration pushes `scaledIterations`
// messages (scaling factor .mega) from a publisher to a subscriber on its own thread and
// ends when the subscriber has received every one of them, so the throughput metric counts
// delivered messages per second. The publishing side is an XPUB with ZMQ_XPUB_NODROP so
// that a slow subscriber applies back-pressure instead of losing messages, which would
// otherwise inflate the figure.
import Benchmark
import Foundation
import ZeroMQ

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(10),
        maxIterations: 5
    )
    for transport in WireTransport.allCases {
        for size in [64, 256, 1024] {
            Benchmark("Wire/\(transport.rawValue)-\(size)B/raw-libzmq") { benchmark in
                do {
                    try runPubSub(benchmark, transport: transport, messageSize: size)
                } catch {
                    benchmark.error("Wire/\(transport.rawValue)-\(size)B: \(error)")
                }
            }
        }
    }
}

enum WireTransport: String, CaseIterable {
    case tcp, ipc

    func endpoint() -> String {
        switch self {
        case .tcp: "tcp://127.0.0.1:*"
        case .ipc: "ipc://\(NSTemporaryDirectory())iomkit-bench-\(getpid())-\(UUID().uuidString.prefix(8)).sock"
        }
    }
}

/// Publishes `benchmark.scaledIterations.count` messages of `messageSize` bytes and waits
/// until a subscriber on another thread has received them all.
func runPubSub(_ benchmark: Benchmark, transport: WireTransport, messageSize: Int) throws {
    let count = benchmark.scaledIterations.count
    let context = try Context()
    let publisher = try context.socket(.xpub)
    try publisher.set(.xpubNoDrop, true)
    try publisher.bind(transport.endpoint())
    let endpoint = try publisher.lastEndpoint

    let done = DispatchSemaphore(value: 0)
    let received = Received()
    Thread.detachNewThread {
        do {
            let subscriber = try context.socket(.sub)
            try subscriber.set(.subscribe, [])
            try subscriber.connect(endpoint)
            var total = 0
            var bytes = 0
            while total < count {
                _ = try subscriber.receiveFrame { frame, _ in bytes &+= frame.count }
                total += 1
            }
            received.record(messages: total, bytes: bytes)
        } catch {
            received.record(error: error)
        }
        done.signal()
    }
    // The subscription message tells us the subscriber is connected: nothing is sent too early.
    _ = try publisher.receive()

    let payload = [UInt8](repeating: 0x5A, count: messageSize)
    benchmark.startMeasurement()
    try payload.withUnsafeBytes { bytes in
        for _ in benchmark.scaledIterations {
            try publisher.send(bytes: bytes)
        }
    }
    done.wait()
    benchmark.stopMeasurement()
    try received.check(messages: count, bytes: count * messageSize)
}

/// What the subscriber thread saw, handed back to the publishing thread.
final class Received: @unchecked Sendable {
    // Written by the subscriber thread before it signals; read after the wait.
    private var messages = 0
    private var bytes = 0
    private var error: (any Error)?

    func record(messages: Int, bytes: Int) { self.messages = messages; self.bytes = bytes }
    func record(error: any Error) { self.error = error }

    func check(messages expected: Int, bytes expectedBytes: Int) throws {
        if let error { throw error }
        guard messages == expected, bytes == expectedBytes else {
            throw ZMQError(operation: "benchmark", code: 0,
                           message: "subscriber got \(messages) messages / \(bytes) bytes, expected \(expected) / \(expectedBytes)")
        }
    }
}
