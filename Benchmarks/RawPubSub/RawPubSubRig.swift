// The raw libzmq peer of the suites: an XPUB (ZMQ_XPUB_NODROP) sending single-frame messages of
// one size to a SUB on its own thread, through the project's own `ZeroMQ` module, with no extra
// work per message. `Benchmarks/Wire` measures it on its own; `Benchmarks/BridgeBenchmarks`
// measures it beside the bridge in the same run.
import Benchmark
import Foundation
import Synchronization
import ZeroMQ

extension Benchmark.Configuration {
    /// The settings every throughput benchmark of the suites uses, so that a subject and its peer
    /// are measured alike: scaling factor `.kilo` (a sample is `scaledIterations` = 1,000 messages
    /// and ends when the receiving side has them all), 5 warm-up samples, at most 5 s or 1,000
    /// samples, throughput, wall clock and allocations.
    public static func throughput(setup: Benchmark.BenchmarkSetupHook? = nil,
                                  teardown: Benchmark.BenchmarkTeardownHook? = nil) -> Self {
        .init(metrics: [.throughput, .wallClock, .mallocCountTotal], warmupIterations: 5, scalingFactor: .kilo,
              maxDuration: .seconds(5), maxIterations: 1_000, setup: setup, teardown: teardown)
    }
}

/// Registers `name`: raw libzmq PUB→SUB throughput of `messageSize`-byte messages, publisher
/// bound to `endpoint` (with `*` for a free port), both sockets in one ZeroMQ context or each in
/// its own (as the bridge's two ends are).
public func rawLibzmqBenchmark(_ name: String, endpoint: @escaping @Sendable () -> String, messageSize: Int, separateContexts: Bool) {
    Benchmark(name, configuration: .throughput(teardown: { RawPubSubRig.stop(name) })) { benchmark in
        do {
            let rig = try RawPubSubRig.rig(name, endpoint: endpoint(), messageSize: messageSize, separateContexts: separateContexts)
            try rig.publish(benchmark)
        } catch {
            benchmark.error("\(name): \(error)")
        }
    }
}

/// An XPUB publisher and a SUB subscriber on its own thread, kept for all samples of one
/// benchmark: connected on the first sample, closed in teardown, so samples measure
/// steady-state traffic. XPUB_NODROP makes a slow subscriber apply back-pressure instead of
/// losing messages, which would inflate the figure.
///
/// `@unchecked Sendable`: the publisher socket is used by one thread at a time — the benchmark's
/// thread during samples, then the teardown after the last sample; the subscriber socket never
/// leaves its thread.
final class RawPubSubRig: @unchecked Sendable {
    private static let rigs = Mutex<[String: RawPubSubRig]>([:])

    private let publisher: Socket
    private let payload: [UInt8]
    /// Messages the publisher has promised so far; the subscriber signals when it has them all.
    private let target = Atomic<Int>(0)
    private let batchDone = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let failure = Mutex<String?>(nil)

    static func rig(_ name: String, endpoint: String, messageSize: Int, separateContexts: Bool) throws -> RawPubSubRig {
        if let rig = rigs.withLock({ $0[name] }) { return rig }
        let rig = try RawPubSubRig(endpoint: endpoint, messageSize: messageSize, separateContexts: separateContexts)
        rigs.withLock { $0[name] = rig }
        return rig
    }

    static func stop(_ name: String) {
        guard let rig = rigs.withLock({ $0.removeValue(forKey: name) }) else { return }
        // An empty frame tells the subscriber thread to finish.
        _ = try? rig.publisher.send(frame: [])
        _ = rig.stopped.wait(timeout: .now() + 5)
    }

    private init(endpoint requested: String, messageSize: Int, separateContexts: Bool) throws {
        let publisherContext = try Context()
        publisher = try publisherContext.socket(.xpub)
        try publisher.set(.xpubNoDrop, true)
        try publisher.bind(requested)
        let endpoint = try publisher.lastEndpoint
        payload = [UInt8](repeating: 0x5A, count: messageSize)
        let subscriberContext = separateContexts ? try Context() : publisherContext
        Thread.detachNewThread { [self] in
            do {
                let subscriber = try subscriberContext.socket(.sub)
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
            for _ in benchmark.scaledIterations { _ = try publisher.send(bytes: bytes) }
        }
        batchDone.wait()
        if let failure = failure.withLock({ $0 }) {
            throw ZMQError(operation: "benchmark", code: 0, message: failure)
        }
    }
}
