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
        // --- domain (issue 3) ---
        .library(name: "IOMDomain", targets: ["IOMDomain"]),
        .library(name: "IOMWire", targets: ["IOMWire"]),
        .library(name: "IOMFixtures", targets: ["IOMFixtures"]),
        // --- end domain ---
        .executable(name: "iom", targets: ["iom"]),
    ],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // --- domain (issue 3) --- swift-protobuf: the Protocols/ wire types (IOMWire) and protoc-gen-swift.
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        // --- end domain ---
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
        // --- domain (issue 3) ---
        // Value types, identifiers, validation, the protection-case state machine. No I/O.
        .target(name: "IOMDomain"),
        // Domain <-> Protocols/ mapping; generated protobuf types stay internal.
        .target(
            name: "IOMWire",
            dependencies: ["IOMDomain", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Generated/README.md"]
        ),
        // The seed (organisation, Morocco mission, 24 July 2017 Rabat breakfast) and fictional test cases.
        .target(name: "IOMFixtures", dependencies: ["IOMDomain"]),
        .testTarget(name: "IOMDomainTests", dependencies: ["IOMDomain", "IOMFixtures"]),
        .testTarget(name: "IOMWireTests", dependencies: ["IOMWire", "IOMDomain", "IOMFixtures"]),
        // Regenerates Protocols/vectors from the fixtures (Scripts/generate-vectors.sh).
        .executableTarget(name: "iom-vectors", dependencies: ["IOMWire", "IOMFixtures"], path: "Sources/iom-vectors"),
        // --- end domain ---
    ],
    swiftLanguageModes: [.v6]
)
