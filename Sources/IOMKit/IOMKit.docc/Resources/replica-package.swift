// swift-tools-version: 6.1
//
// CaseReplica: follows an IOMKit node (`iom serve`) over CURVE and answers questions from its
// read model. It depends on IOMKit by path, two folders up (Examples/CaseReplica).
import PackageDescription

let package = Package(
    name: "CaseReplica",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "IOMKit", path: "../..")],
    targets: [.executableTarget(name: "CaseReplica", dependencies: [
        .product(name: "IOMKit", package: "IOMKit"),    // Replica, SubscriberConfiguration, Mission, …
        .product(name: "ZeroMQ", package: "IOMKit"),    // CurveKeyFile: the node's public key, this service's key pair
    ])]
)
