import Benchmark
import ChangeBus

/// The event both sides carry: a topic, a kind and a 256-byte inline payload, created once.
struct BenchEvent: BusEvent {
    enum Topic: Hashable, Sendable { case mission, event, protectionCase }
    enum Kind: Hashable, Sendable { case created, updated, deleted }
    var topic: Topic
    var kind: Kind
    var payload: InlineArray<32, UInt64>
}

let sample = BenchEvent(topic: .mission, kind: .updated, payload: InlineArray(repeating: 0x5A5A_5A5A_5A5A_5A5A))

func runChangeBus(subscribers: Int, benchmark: Benchmark) async throws {
    let total = benchmark.scaledIterations.count
    let bus = try ChangeBus<BenchEvent>()
    var consumers: [Task<Int, any Error>] = []
    for _ in 0..<subscribers {
        let sub = try bus.subscribe(.all, capacity: 16_384, whenFull: .wait(timeout: .seconds(30)))
        consumers.append(Task {
            var n = 0
            for try await element in sub {
                if case .change = element { n += 1 }
                if n == total { break }
            }
            return n
        })
    }
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
        try await bus.publishWaiting(sample)
    }
    for c in consumers { blackHole(try await c.value) }
    benchmark.stopMeasurement()
    bus.shutdown()
}

func runAsyncStream(subscribers: Int, benchmark: Benchmark) async throws {
    let total = benchmark.scaledIterations.count
    var continuations: [AsyncStream<(UInt64, BenchEvent)>.Continuation] = []
    var consumers: [Task<Int, Never>] = []
    for _ in 0..<subscribers {
        let (stream, continuation) = AsyncStream<(UInt64, BenchEvent)>.makeStream(bufferingPolicy: .unbounded)
        continuations.append(continuation)
        consumers.append(Task {
            var n = 0
            for await _ in stream { n += 1 }
            return n
        })
    }
    benchmark.startMeasurement()
    var seq: UInt64 = 0
    for _ in benchmark.scaledIterations {
        seq += 1
        for c in continuations { c.yield((seq, sample)) }
    }
    for c in continuations { c.finish() }
    for c in consumers { let n = await c.value; precondition(n == total) }
    benchmark.stopMeasurement()
}

let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident],
        scalingFactor: .mega,
        maxDuration: .seconds(4),
        maxIterations: 5
    )
    Benchmark("Bus/fanout-1/ChangeBus", configuration: config) { benchmark in
        try await runChangeBus(subscribers: 1, benchmark: benchmark)
    }
    Benchmark("Bus/fanout-1/AsyncStream", configuration: config) { benchmark in
        try await runAsyncStream(subscribers: 1, benchmark: benchmark)
    }
    Benchmark("Bus/fanout-4/ChangeBus", configuration: config) { benchmark in
        try await runChangeBus(subscribers: 4, benchmark: benchmark)
    }
    Benchmark("Bus/fanout-4/AsyncStream", configuration: config) { benchmark in
        try await runAsyncStream(subscribers: 4, benchmark: benchmark)
    }
    // A subscriber that never consumes: memory must stay at its capacity, whatever is published.
    Benchmark("Bus/stalled-subscriber/ChangeBus", configuration: config) { benchmark in
        let bus = try ChangeBus<BenchEvent>()
        let stalled = try bus.subscribe(.all, capacity: 1024, whenFull: .dropOldest)
        for _ in benchmark.scaledIterations {
            try bus.publish(sample)
        }
        blackHole(stalled)
        bus.shutdown()
    }
}
