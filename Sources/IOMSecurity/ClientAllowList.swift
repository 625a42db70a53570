import IOMDomain
/// The bridge's allow-list (Protocols/bridge.md §12.2): CURVE client public keys (40-character
/// Z85 text) mapped to principals, and the admission rule per ZAP domain. Independent of
/// ZeroMQ, so a ZAP handler's closure stays one line:
///
/// ```swift
/// let allowList = try ClientAllowList([analystKey.z85: .analyst("analyst-1"), replicaKey.z85: .service("replica-1")])
/// let zap = try ZAPHandler(context: context) { request in
///     switch allowList.admission(clientKey: request.clientKey?.z85, domain: request.domain) {
///     case .admit(let principal, let metadata): .allow(userID: principal.id, metadata: metadata)
///     case .refuse(let reason): .deny(reason: reason)     // and log it, with the key and address
///     }
/// }
/// ```
///
/// Rules: an unknown key, or no key (NULL/PLAIN), is refused; on `iom.events.<view>` a key is
/// admitted only if its role's view (``BridgeView/for(_:)``) is that view; on `iom.sync` every
/// known key is admitted (the sync server authorises each request from the principal); any
/// other domain is refused.
public struct ClientAllowList: Sendable {
    /// The outcome of ``admission(clientKey:domain:)``.
    package enum Admission: Sendable, Hashable {
        /// Admit as `principal`; send `metadata` (`X-IOM-Role`, `X-IOM-View`) as ZAP metadata.
        case admit(Principal, metadata: [String: String])
        /// Refuse, with a reason to log (never sent to the client by libzmq beyond the status).
        case refuse(String)
    }

    /// The ZAP domain of the sync endpoint.
    public static let syncDomain = "iom.sync"
    /// The ZAP metadata property carrying the role.
    public static let roleProperty = "X-IOM-Role"
    /// The ZAP metadata property carrying the view.
    public static let viewProperty = "X-IOM-View"

    private let byKey: [String: Principal]
    private let byID: [String: Principal]

    /// An allow-list; keys are 40-character Z85 public keys, principal ids must be unique.
    ///
    /// - Throws: ``SecurityError/Code/invalidKey`` for a malformed key, a principal id that breaks
    ///   the identifier grammar (``IOMDomain/IdentifierGrammar``) or a repeated principal id.
    public init(_ entries: [String: Principal]) throws(SecurityError) {
        var byID: [String: Principal] = [:]
        for (key, principal) in entries {
            guard key.utf8.count == 40 else { throw .invalidKey("allow-list key for \(principal) is not 40 characters of Z85") }
            if let reason = IdentifierGrammar.problem(in: principal.id, allowingSpaces: true) {
                throw .invalidKey("principal id \"\(IdentifierGrammar.printable(principal.id))\" \(reason) (identifiers: Protocols/README.md)")
            }
            guard byID.updateValue(principal, forKey: principal.id) == nil else {
                throw .invalidKey("principal id \"\(principal.id)\" has two keys in the allow-list")
            }
        }
        self.byKey = entries
        self.byID = byID
    }

    /// The principal of a client key.
    public func principal(forKey z85: String) -> Principal? { byKey[z85] }

    /// The principal behind a `User-Id` that this allow-list admitted (for the sync server).
    public func principal(userID: String) -> Principal? { byID[userID] }

    /// Decides a ZAP request.
    package func admission(clientKey z85: String?, domain: String) -> Admission {
        guard let z85 else { return .refuse("no CURVE client key (mechanism is not CURVE)") }
        guard let principal = byKey[z85] else { return .refuse("client key \(z85) is not in the allow-list") }
        let view = BridgeView.for(principal.role)
        let metadata = [Self.roleProperty: principal.role.rawValue, Self.viewProperty: view.rawValue]
        if domain == Self.syncDomain { return .admit(principal, metadata: metadata) }
        guard let endpointView = BridgeView.allCases.first(where: { $0.zapDomain == domain }) else {
            return .refuse("unknown ZAP domain \"\(domain)\"")
        }
        guard endpointView == view else {
            return .refuse("\(principal) gets the \(view) view, not \(endpointView)")
        }
        return .admit(principal, metadata: metadata)
    }
}
