import ZeroMQ

/// A loopback tcp endpoint whose port was free a moment ago, for tests that must name a port
/// before anything binds it (a process restarted on the same port, a README example).
///
/// Another process may take the port in between; tests that can bind `tcp://127.0.0.1:*`
/// themselves and read the endpoint back should do that instead.
public func unusedLoopbackEndpoint() throws -> String {
    let context = try Context()
    let probe = try context.socket(.pub)
    try probe.bind("tcp://127.0.0.1:*")
    let endpoint = try probe.lastEndpoint
    try probe.unbind(endpoint)
    return endpoint
}
