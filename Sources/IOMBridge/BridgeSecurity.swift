import IOMSecurity
import ZeroMQ

/// How a publisher's endpoints are secured (`Protocols/bridge.md` §12).
public enum PublisherSecurity: Sendable {
    /// Plain text (ZMTP NULL mechanism), any client admitted. Only for tests and loopback
    /// experiments: the publisher logs a warning when it starts.
    case insecure
    /// CURVE server with these keys, admitting only the client keys of `allow` (§12.2): the
    /// publisher runs a ZAP handler on its context, so no other key ever connects. Each key
    /// is admitted on the events endpoint whose view its role gets, and on the sync endpoint,
    /// where every request is authorised and prepared for its principal.
    case curve(CurveKeyPair, allow: ClientAllowList)

    var allowList: ClientAllowList? {
        if case .curve(_, let allow) = self { allow } else { nil }
    }
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
        guard case .curve(let keys, _) = self else { return }
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
