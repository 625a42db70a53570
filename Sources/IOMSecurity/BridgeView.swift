/// What a stream of protection-case changes carries (Protocols/bridge.md §12.3).
public enum BridgeView: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Everything the journal holds.
    case full
    /// Identifying fields removed, quasi-identifying ones generalised (see ``Redactor``).
    case redacted
    /// No protection-case data: every protection-case change is withheld.
    case `public`

    /// The view a role may receive on an events endpoint (bridge.md §12.3): `service`,
    /// supervisor and auditor get `full`, the analyst `redacted`, the others `public`
    /// (caseworkers and service providers, limited to some cases, use the SDK or the sync
    /// endpoint instead).
    public static func `for`(_ role: Role) -> BridgeView {
        switch role {
        case .service, .supervisor, .auditor: .full
        case .analyst: .redacted
        case .caseworker, .serviceProvider: .public
        }
    }

    /// Whether a role may be admitted (by ZAP) on an endpoint of this view: exactly the roles
    /// whose view is this one.
    public func admits(_ role: Role) -> Bool { BridgeView.for(role) == self }

    /// The ZAP domain of an events endpoint of this view: `iom.events.<view>`.
    public var zapDomain: String { "iom.events.\(rawValue)" }

    /// A readable form, for logs and messages.
    public var description: String { rawValue }
}
