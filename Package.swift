// swift-tools-version: 6.1
//
// IOMKit — typed change events for an intergovernmental migration organisation's data,
// in-process and across processes over ZeroMQ.
//
// Dependencies and why:
// - ordo-one/benchmark: the `Benchmarks/` suites (`swift package benchmark`), with the
//   MallocInterposer trait so allocation counts are measured.
// - apple/swift-argument-parser: the `iom` command line.
import PackageDescription

let package = Package(
    name: "IOMKit",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .executable(name: "iom", targets: ["iom"]),
        // --- ChangeBus (issue 4) ---
        .library(name: "ChangeBus", targets: ["ChangeBus"]),
        // --- end ChangeBus ---
    ],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // --- ChangeBus (issue 4): Deque for the per-subscription bounded buffers ---
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        // --- end ChangeBus ---
    ],
    targets: [
        // libzmq, found through pkg-config. `make` installs it when missing.
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]
        ),
        // The only module with unsafe libzmq calls.
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        .executableTarget(
            name: "iom",
            dependencies: [
                "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .executableTarget(
            name: "WireBenchmarks",
            dependencies: [
                "ZeroMQ",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Wire",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // --- ChangeBus (issue 4) ---
        .target(
            name: "ChangeBus",
            dependencies: [.product(name: "DequeModule", package: "swift-collections")],
            exclude: ["README.md"]
        ),
        .testTarget(name: "ChangeBusTests", dependencies: ["ChangeBus"]),
        .executableTarget(
            name: "BusBenchmarks",
            dependencies: [
                "ChangeBus",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Bus",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // --- end ChangeBus ---
    ],
    swiftLanguageModes: [.v6]
)
