// swift-tools-version: 6.1
//
// MissionTracker: a service that saves the organisation's seed records and follows its own
// changes. It depends on IOMKit by path, two folders up (Examples/MissionTracker).
import PackageDescription

let package = Package(
    name: "MissionTracker",
    platforms: [.macOS(.v15)],
    // Package.swift of your service: name the IOMKit package (a path dependency's identity is its folder name)
    dependencies: [.package(name: "IOMKit", path: "../..")],
    targets: [.executableTarget(name: "MissionTracker", dependencies: [
        .product(name: "IOMKit", package: "IOMKit"),        // the facade: store, bus, repositories, bridges, security
        .product(name: "IOMFixtures", package: "IOMKit"),   // optional: the seed records used below
    ])]
)
