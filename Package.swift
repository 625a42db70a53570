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
        // --- IOMStore (issue 5, storage half) ---
        .library(name: "IOMStore", targets: ["IOMStore"]),
        // --- end IOMStore ---
    ],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // --- IOMStore: GRDB is the embedded SQLite store (WAL, migrator, typed access) ---
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // --- end IOMStore ---
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
        // --- IOMStore (issue 5, storage half) ---
        // Journal + current state on SQLite through GRDB; record-agnostic (opaque payload bytes).
        .target(
            name: "IOMStore",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Child process for the SIGKILL crash test: saves in a loop, prints each sequence.
        .executableTarget(
            name: "iom-store-crash-helper",
            dependencies: ["IOMStore"],
            path: "Sources/IOMStoreCrashHelper"
        ),
        .testTarget(
            name: "IOMStoreTests",
            dependencies: [
                "IOMStore",
                "iom-store-crash-helper",
                .product(name: "GRDB", package: "GRDB.swift"),  // to write the v1-schema fixture file
            ]
        ),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                "IOMStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Store",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // --- end IOMStore ---
    ],
    swiftLanguageModes: [.v6]
)
