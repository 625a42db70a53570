import Foundation
import ZeroMQ

/// The three transports every socket test runs over.
enum Transport: String, CaseIterable, CustomStringConvertible {
    case inproc, ipc, tcp

    /// A fresh bind endpoint: a unique inproc name, a unique ipc path, or any free tcp port.
    func bindEndpoint() -> String {
        switch self {
        case .inproc: "inproc://test-\(UUID().uuidString)"
        case .ipc: "ipc://\(NSTemporaryDirectory())iomkit-\(UUID().uuidString.prefix(8)).sock"
        case .tcp: "tcp://127.0.0.1:*"
        }
    }

    var description: String { rawValue }
}

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}

/// Binds `server`, connects `client`, returns the resolved endpoint.
@discardableResult
func link(_ server: Socket, _ client: Socket, over transport: Transport) throws -> String {
    try server.bind(transport.bindEndpoint())
    let endpoint = try server.lastEndpoint
    try client.connect(endpoint)
    return endpoint
}

/// PUB/SUB drops messages until the subscription reaches the publisher ("slow joiner"):
/// publish `probe` until the subscriber sees it, bounded to a few seconds.
func waitUntilSubscribed(publisher: Socket, subscriber: Socket, probe: [[UInt8]]) throws -> Bool {
    for _ in 0..<300 {
        try publisher.send(probe)
        if let got = try subscriber.receive(timeout: .milliseconds(10)), got == probe {
            // Drain extra probes already in flight.
            while try subscriber.receive(timeout: .milliseconds(20)) != nil {}
            return true
        }
    }
    return false
}
