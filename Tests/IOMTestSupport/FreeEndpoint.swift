import Foundation
import Synchronization
import ZeroMQ

/// A loopback tcp endpoint whose port was free a moment ago, for tests that must name a port
/// before anything binds it (a process restarted on the same port, a README example).
///
/// The port is taken below the kernel's ephemeral range (`ip_local_port_range`), where no
/// `tcp://127.0.0.1:*` bind and no outgoing connection is given a port. A port from inside
/// that range, free when probed, was now and then handed to another test's connection or
/// wildcard bind before the process that was to use it started (`Address already in use`).
/// Ports are not handed out twice in one test process. Tests that can bind
/// `tcp://127.0.0.1:*` themselves and read the endpoint back should do that instead.
public func unusedLoopbackEndpoint() throws -> String {
    let context = try Context()
    let probe = try context.socket(.pub)
    for _ in 0..<200 {
        guard let (low, high) = reservedPortRange else { break }
        let port = Int.random(in: low..<high)
        guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
        let endpoint = "tcp://127.0.0.1:\(port)"
        guard (try? probe.bind(endpoint)) != nil else { continue }  // in use: another one
        try probe.unbind(endpoint)
        return endpoint
    }
    // No room below the ephemeral range, or nothing free there: any free port, as the kernel picks it.
    try probe.bind("tcp://127.0.0.1:*")
    let endpoint = try probe.lastEndpoint
    try probe.unbind(endpoint)
    return endpoint
}

/// Ports handed out by ``unusedLoopbackEndpoint()`` in this process.
private let handedOut = Mutex<Set<Int>>([])

/// Where ``unusedLoopbackEndpoint()`` picks: from 20,000 up to the first ephemeral port (read
/// from `/proc`; Linux's default, 32768, where it cannot be read). `nil` when the ephemeral
/// range starts at 21,000 or lower: no room below it.
private let reservedPortRange: (Int, Int)? = {
    guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8),
          let first = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first.flatMap({ Int($0) })
    else { return (20_000, 32_768) }
    return first > 21_000 ? (20_000, first) : nil
}()
