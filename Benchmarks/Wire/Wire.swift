// Raw libzmq PUB→SUB throughput through the project's own `ZeroMQ` module, with no extra
// work per message: the physical limit that IOMKit's bridge numbers are held against.
//
// Names: Wire/<transport>-<size>B/raw-libzmq. Scaling factor .kilo: one sample publishes
// `scaledIterations` messages to a subscriber on its own thread and ends when the subscriber
// has received every one of them, so the throughput metric counts delivered messages per
// second. The measurement is `RawPubSubRig` (Benchmarks/RawPubSub), publisher and subscriber
// in one ZeroMQ context.
import Benchmark
import Foundation
import RawPubSub

let benchmarks: @Sendable () -> Void = {
    for transport in WireTransport.allCases {
        for size in [64, 256, 1024] {
            rawLibzmqBenchmark("Wire/\(transport.rawValue)-\(size)B/raw-libzmq", endpoint: { transport.endpoint() },
                               messageSize: size, separateContexts: false)
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
