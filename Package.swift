// swift-tools-version: 6.1
//
// IOMKit — typed change events for an intergovernmental migration organisation's data,
// in-process and across processes over ZeroMQ.
//
// Dependencies and why:
// - apple/swift-protobuf: the Protocols/ wire types (IOMWire) and protoc-gen-swift.
// - groue/GRDB.swift: the embedded SQLite store (WAL, migrator, typed access).
// - apple/swift-argument-parser: the `iom` command line.
// - apple/swift-log: the bridge and the facade log through a `Logger` the host application passes.
// - ordo-one/benchmark: the `Benchmarks/` suites (`swift package benchmark`), with the
//   MallocInterposer trait so allocation counts are measured.
// - swiftlang/swift-docc-plugin: `make docs` (`swift package generate-documentation`), the
//   DocC catalog in Sources/IOMKit/IOMKit.docc. A command plugin: a normal build neither
//   builds nor links it (its snippet-extract tool is built only when the plugin runs).
import PackageDescription

let package = Package(
    name: "IOMKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
        .library(name: "IOMDomain", targets: ["IOMDomain"]),
        .library(name: "IOMFixtures", targets: ["IOMFixtures"]),
        .executable(name: "iom", targets: ["iom"]),
        .library(name: "IOMChanges", targets: ["IOMChanges"]),
        .library(name: "IOMBridge", targets: ["IOMBridge"]),
        .library(name: "IOMKit", targets: ["IOMKit"]),
        // MARK: Security (products)
        .library(name: "IOMSecurity", targets: ["IOMSecurity"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        // MARK: Security (dependencies)
        // apple/swift-crypto: AES-GCM field encryption at rest and SHA-256 for the hash-chained audit trail.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        // MARK: Documentation (dependencies)
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
    ],
    targets: [
        // MARK: ZeroMQ
        // libzmq, found through pkg-config. `make` installs it when missing.
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]
        ),
        // The only module with unsafe libzmq calls.
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),

        // MARK: Domain and wire contract
        // Value types, identifiers, validation, the protection-case state machine. No I/O.
        .target(name: "IOMDomain", exclude: ["Data"]),
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

        // MARK: Store
        // Journal + current state on SQLite through GRDB; record-agnostic (opaque payload bytes).
        .target(name: "IOMStore", dependencies: ["IOMDomain", "IOMChanges", .product(name: "GRDB", package: "GRDB.swift"),
                                                 .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // Child process for the SIGKILL crash test: saves in a loop, prints each sequence.
        .executableTarget(name: "iom-store-crash-helper", dependencies: ["IOMStore"], path: "Sources/IOMStoreCrashHelper"),
        .testTarget(
            name: "IOMStoreTests",
            dependencies: [
                "IOMStore",
                "iom-store-crash-helper",
                .product(name: "GRDB", package: "GRDB.swift"),  // to write the v1-schema fixture file
            ]
        ),

        // MARK: Change bus
        // Typed, ordered, bounded in-process publish/subscribe. Knows nothing of ZeroMQ or SQLite.
        .target(name: "ChangeBus", exclude: ["README.md"]),
        .testTarget(name: "ChangeBusTests", dependencies: ["ChangeBus"]),

        // MARK: Committed changes
        // The event every bus carries: a committed change with its source, sequence and bytes.
        .target(name: "IOMChanges", dependencies: ["IOMDomain", "ChangeBus"]),

        // MARK: Bridge
        // Bus <-> ZeroMQ under Protocols/bridge.md: publisher, sync server, subscriber, replica.
        .target(
            name: "IOMBridge",
            dependencies: [
                "ZeroMQ", "IOMDomain", "IOMWire", "ChangeBus", "IOMChanges", "IOMSecurity",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Logging: the hardening tests count the log lines a refusal flood produces.
        .testTarget(name: "IOMBridgeTests", dependencies: ["IOMBridge", "IOMKit", "IOMFixtures", "ZeroMQ", "IOMWire", "IOMSecurity", "IOMTestSupport",
                                                           .product(name: "Logging", package: "swift-log")]),
        // Helpers more than one test target needs.
        .target(name: "IOMTestSupport", dependencies: ["ZeroMQ"], path: "Tests/IOMTestSupport"),

        // MARK: Facade
        // Opens store, bus and bridge from one configuration; typed repositories and subscriptions.
        .target(name: "IOMKit", dependencies: ["IOMDomain", "IOMWire", "IOMStore", "ChangeBus", "IOMChanges", "IOMBridge", "IOMSecurity", "ZeroMQ",
                                       .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                exclude: ["README.md"]),  // README.md: the life of a change, from save to a remote delivery
        .testTarget(name: "IOMKitTests", dependencies: ["IOMKit", "IOMDomain", "IOMFixtures", "IOMStore",
                                                        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),

        // MARK: Security
        // Roles, access policy, redaction per bridge view, field encryption (AES-GCM, per-case data
        // keys for crypto-shredding), hash-chained audit trail (SQLite via GRDB), k-anonymous statistics.
        .target(
            name: "IOMSecurity",
            dependencies: [
                "IOMDomain", "IOMWire",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["README.md"]
        ),
        .testTarget(
            name: "IOMSecurityTests",
            dependencies: ["IOMSecurity", "IOMDomain", "IOMFixtures", "IOMWire", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Cost of sealing at rest, redaction per view and audit appends (Benchmarks/Security).
        .executableTarget(
            name: "SecurityBenchmarks",
            dependencies: ["IOMSecurity", "IOMWire", "IOMDomain", "IOMFixtures", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/Security",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // What an attacker gets from the facade: store bytes, forbidden paths, consent, shredding.
        .testTarget(
            name: "IOMKitSecurityTests",
            dependencies: ["IOMKit", "IOMSecurity", "IOMDomain", "IOMFixtures", "IOMStore", "IOMWire", "ZeroMQ", .product(name: "GRDB", package: "GRDB.swift")]
        ),

        // MARK: Command line
        .executableTarget(
            name: "iom",
            dependencies: ["ZeroMQ", "CSQLiteProcess", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The process-wide SQLite settings `iom` makes before its first connection (C: the call
        // is variadic). Executables only: a library must not change its host's SQLite.
        .target(name: "CSQLiteProcess", linkerSettings: [.linkedLibrary("sqlite3")]),

        // MARK: Benchmarks
        // The raw libzmq peer and the shared throughput settings of the suites.
        .target(
            name: "RawPubSub",
            dependencies: ["ZeroMQ", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/RawPubSub"
        ),
        .executableTarget(
            name: "WireBenchmarks",
            dependencies: ["RawPubSub", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/Wire",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "StoreBenchmarks",
            dependencies: [
                "IOMStore",
                // Store/save-batched/IOMKit: the same savers through the facade's repositories.
                "IOMKit", "IOMDomain", "IOMFixtures",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Store",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "BusBenchmarks",
            dependencies: [
                "ChangeBus",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/Bus",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// MARK: Operations
// Logs, metrics and graceful shutdown for the `iom` command and the facade; the `iom` tests.
// - apple/swift-log: the host passes a `Logger` down (libraries never create their own).
// - apple/swift-metrics: counters and timers with the stable names of `IOMMetrics`, recorded
//   through whatever backend the host bootstraps (none by default: no cost).
// - swift-server/swift-service-lifecycle: long-running commands (`iom proxy`, later `iom serve`) and the
//   library's node (`IOM`), bridge publishers, subscribers and replicas,
//   as `Service`s in a `ServiceGroup` that turns SIGINT/SIGTERM into a graceful shutdown.
// - swift-server/swift-prometheus: the swift-metrics backend `iom serve --metrics` prints on /metrics.
// - swhitty/FlyingFox: the small HTTP server of `iom serve --metrics` (/metrics, /health); no
//   other dependency, non-blocking sockets.
package.dependencies += [
    .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    .package(url: "https://github.com/swhitty/FlyingFox.git", from: "0.27.1"),
]
for target in package.targets {
    switch target.name {
    case "IOMKit":
        target.dependencies += [
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ]
    case "iom":
        target.dependencies += [
            "IOMKit", "IOMWire", "IOMStore",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "FlyingFox", package: "FlyingFox"),
            .product(name: "FlyingSocks", package: "FlyingFox"),
        ]
    case "IOMKitTests":
        target.dependencies += [
            .product(name: "Logging", package: "swift-log"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]
    default:
        break
    }
}
package.targets += [
    // Runs the built `iom` binary as a subprocess: exit codes, output, --help, error paths.
    .testTarget(name: "iomCommandTests", dependencies: ["iom", "ZeroMQ", "IOMStore", "IOMTestSupport",
                                                      .product(name: "GRDBSQLite", package: "GRDB.swift")]),  // "iom" so the binary is built; SQLite to lock a store
]

// MARK: Bridge benchmarks
// The ZeroMQ bridge (bus → BridgePublisher → tcp → BridgeSubscriber → bus) beside raw libzmq
// PUB/SUB at the same message sizes, in one run: throughput plain and CURVE, latency at 10k/s.
package.targets += [
    .executableTarget(
        name: "BridgeBenchmarks",
        dependencies: [
            "ZeroMQ", "ChangeBus", "IOMChanges", "IOMBridge", "IOMDomain", "IOMWire", "IOMFixtures", "IOMStore", "IOMSecurity",
            "RawPubSub", .product(name: "Benchmark", package: "benchmark"),
        ],
        path: "Benchmarks/BridgeBenchmarks",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
]

// MARK: Hub benchmarks (issue 17)
// A hub following 10 origins (committing every change) beside a plain subscriber following the
// same 10, in one run.
package.targets += [
    .executableTarget(
        name: "HubBenchmarks",
        dependencies: ["IOMKit", "IOMStore", "IOMWire", "IOMDomain", "IOMFixtures", "IOMChanges", "ChangeBus",
                       .product(name: "Benchmark", package: "benchmark")],
        path: "Benchmarks/Hub",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
]

// MARK: Operating IOMKit (issue 8: iom serve, tail, stats; save --node)
// `iom serve` configures the bridge (PublisherConfiguration, PublisherSecurity, ClientAllowList)
// and loads the seed records into an empty store; `iom tail` delivers through a BridgeSubscriber
// onto its own ChangeBus.
for target in package.targets where target.name == "iom" {
    target.dependencies += ["IOMBridge", "IOMFixtures", "IOMSecurity", "ChangeBus"]
}

// MARK: Fuzzing
// libFuzzer target over the bridge's receive-side decoders and the wire → domain mapping
// (`Scripts/fuzz.sh` builds it with `--sanitize=fuzzer` and `-D IOM_LIBFUZZER`). In a normal
// build it is a replay tool: `swift run IOMFuzz Tests/Fuzz/corpus`.
package.targets += [
    .executableTarget(name: "IOMFuzz", dependencies: ["IOMBridge", "IOMWire"], path: "Fuzz/IOMFuzz"),
]

// MARK: Node-save benchmarks (issue 18)
// Saves through a running `iom serve` (the built binary as a child process) over tcp loopback,
// pipelined, one at a time and with CURVE, beside the same records saved locally by 64 savers.
package.targets += [
    .executableTarget(
        name: "NodeSaveBenchmarks",
        dependencies: [
            "ZeroMQ", "IOMKit", "IOMStore", "IOMWire", "IOMDomain",
            .product(name: "Benchmark", package: "benchmark"),
        ],
        path: "Benchmarks/NodeSave",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    ),
]
