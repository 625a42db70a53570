import ArgumentParser

/// A `--frontend`/`--backend` value: an endpoint and whether the proxy binds or connects it.
///
/// A plain endpoint uses the side's default; `@` in front binds and `>` connects (czmq's
/// convention): `--frontend @tcp://0.0.0.0:5560` lets publishers connect to the proxy.
struct ProxyEndpoint: Sendable, Hashable, CustomStringConvertible {
    enum Mode: String, Sendable { case bind, connect }

    let mode: Mode
    let address: String

    /// Transports libzmq understands here.
    static let transports = ["tcp", "ipc", "inproc", "ws", "wss"]

    init(parsing text: String, defaultMode: Mode, option: String) throws(ValidationError) {
        var address = Substring(text)
        var mode = defaultMode
        if address.first == "@" { mode = .bind; address = address.dropFirst() }
        else if address.first == ">" { mode = .connect; address = address.dropFirst() }
        let hint = "use tcp://HOST:PORT, ipc:///path/to/socket or inproc://name (prefix @ to bind, > to connect)"
        guard let separator = address.range(of: "://"), !address[separator.upperBound...].isEmpty else {
            throw ValidationError("\(option) \"\(text)\" is not an endpoint: \(hint)")
        }
        let transport = String(address[..<separator.lowerBound])
        guard Self.transports.contains(transport) else {
            throw ValidationError("\(option) \"\(text)\": unknown transport \"\(transport)\": \(hint)")
        }
        if transport == "tcp" {
            let port = address.split(separator: ":").last.map(String.init) ?? ""
            guard address.dropFirst(6).contains(":"), port == "*" || (UInt16(port).map { $0 > 0 } ?? false) else {
                throw ValidationError("\(option) \"\(text)\": a tcp endpoint ends with :PORT (1-65535, or * to bind any free port): \(hint)")
            }
            if mode == .connect, port == "*" {
                throw ValidationError("\(option) \"\(text)\": a port of * only makes sense when binding; give the port to connect to")
            }
        }
        self.mode = mode
        self.address = String(address)
    }

    /// Whether traffic leaves the process, so that plain text must be asked for explicitly.
    var crossesProcesses: Bool { !address.hasPrefix("inproc://") }

    var description: String { "\(mode.rawValue) \(address)" }
}
