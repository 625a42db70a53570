import ZeroMQ

/// How a publisher's endpoints are secured (`Protocols/bridge.md` §12).
public enum PublisherSecurity: Sendable {
    /// Plain text (ZMTP NULL mechanism), any client admitted. Only for tests and loopback
    /// experiments: the publisher logs a warning when it starts.
    case insecure
    /// CURVE server with these keys. Clients must know the public key.
    case curve(CurveKeyPair)
}

/// How a subscriber connects to its publishers.
public enum SubscriberSecurity: Sendable {
    /// Plain text; only reaches a publisher configured `.insecure`.
    case insecure
    /// CURVE client with its own key pair, authenticating the publisher by its public key.
    case curve(client: CurveKeyPair, server: CurveKey)
}

extension PublisherSecurity {
    func apply(to socket: Socket, domain: String) throws {
        guard case .curve(let keys) = self else { return }
        try socket.set(.curveServer, true)
        try socket.set(.curveSecretKey, keys.secretKey)
        try socket.set(.zapDomain, domain)
    }
}

extension SubscriberSecurity {
    func apply(to socket: Socket) throws {
        guard case .curve(let client, let server) = self else { return }
        try socket.set(.curveServerKey, server)
        try socket.set(.curvePublicKey, client.publicKey)
        try socket.set(.curveSecretKey, client.secretKey)
    }
}
