// Raw libzmq PUB→SUB throughput through the project's own `ZeroMQ` module, with no extra
// work per message: the physical limit that IOMKit's bridge numbers are held against.
//
// Names: Wire/<transport>-<size>B/raw-libzmq. Scaling factor .kilo: one sample publishes
// `scaledIterations` messages to a subscriber on its own thread and ends when the subscriber
// has received every one of them, so the throughput metric counts delivered messages per
// second. The publishing side is an XPUB with ZMQ_XPUB_NODROP so a slow subscriber applies
// back-pressure instead of losing messages, which would inflate the figure. Publisher and
// subscriber are connected once per benchmark (set up on the first sample, closed in
// teardown), so samples measure steady-state traffic, not connection set-up.
import Benchmark
import Foundation
import Synchronization
import ZeroMQ

let benchmarks: @Sendable () -> Void = {
    for transport in WireTransport.allCases {
        for size in [64, 256, 1024] {
            let name = "Wire/\(transport.rawValue)-\(size)B/raw-libzmq"
            Benchmark(
                name,
                configuration: .init(
                    metrics: [.throughput, .wallClock, .mallocCountTotal],
                    warmupIterations: 5,
                    scalingFactor: .kilo,
                    maxDuration: .seconds(5),
                    maxIterations: 1_000,
                    teardown: { PubSubRig.stop(name) }
                )
            ) { benchmark in
                do {
                    let rig = try PubSubRig.rig(name, transport: transport, messageSize: size)
                    try rig.publish(benchmark)
                } catch {
                    benchmark.error("\(name): \(error)")
                }
            }
        }
    }
}

enum WireTransport: String, CaseIterable, Sendable {
    case tcp, ipc

    func endpoint() -> String {
        switch self {
        case .tcp: "tcp://127.0.0.1:*"
        case .ipc: "ipc://\(NSTemporaryDirectory())iomkit-bench-\(getpid())-\(UUID().uuidString.prefix(8)).sock"
        }
    }
}

/// An XPUB publisher and a SUB subscriber on its own thread, kept for all samples of one benchmark.
///
/// `@unchecked Sendable`: the publisher socket is used by one thread at a time — the benchmark's
/// thread during samples, then the teardown after the last sample; the subscriber socket never
/// leaves its thread.
final class PubSubRig: @unchecked Sendable {
    private static let rigs = Mutex<[String: PubSubRig]>([:])

    private let publisher: Socket
    private let payload: [UInt8]
    /// Messages the publisher has promised so far; the subscriber signals when it has them all.
    private let target = Atomic<Int>(0)
    private let batchDone = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let failure = Mutex<String?>(nil)

    static func rig(_ name: String, transport: WireTransport, messageSize: Int) throws -> PubSubRig {
        if let rig = rigs.withLock({ $0[name] }) { return rig }
        let rig = try PubSubRig(transport: transport, messageSize: messageSize)
        rigs.withLock { $0[name] = rig }
        return rig
    }

    static func stop(_ name: String) {
        guard let rig = rigs.withLock({ $0.removeValue(forKey: name) }) else { return }
        // An empty frame tells the subscriber thread to finish.
        _ = try? rig.publisher.send(frame: [])
        _ = rig.stopped.wait(timeout: .now() + 5)
    }

    private init(transport: WireTransport, messageSize: Int) throws {
        let context = try Context()
        publisher = try context.socket(.xpub)
        try publisher.set(.xpubNoDrop, true)
        try publisher.bind(transport.endpoint())
        let endpoint = try publisher.lastEndpoint
        payload = [UInt8](repeating: 0x5A, count: messageSize)
        Thread.detachNewThread { [self] in
            do {
                let subscriber = try context.socket(.sub)
                try subscriber.set(.subscribe, [])
                try subscriber.connect(endpoint)
                var received = 0
                while true {
                    let size = try subscriber.receiveFrame { frame, _ in frame.count }!
                    if size == 0 { break }
                    if size != messageSize { throw ZMQError(operation: "benchmark", code: 0, message: "frame of \(size) bytes") }
                    received += 1
                    if received == target.load(ordering: .acquiring) { batchDone.signal() }
                }
            } catch {
                failure.withLock { $0 = "subscriber: \(error)" }
                batchDone.signal()
            }
            stopped.signal()
        }
        // The subscription message tells us the subscriber is connected: nothing is sent too early.
        _ = try publisher.receive()
    }

    /// Sends one sample's messages and returns when the subscriber has received them all.
    func publish(_ benchmark: Benchmark) throws {
        let count = benchmark.scaledIterations.count
        target.add(count, ordering: .releasing)
        try payload.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations { try publisher.send(bytes: bytes) }
        }
        batchDone.wait()
        if let failure = failure.withLock({ $0 }) {
            throw ZMQError(operation: "benchmark", code: 0, message: failure)
        }
    }
}
