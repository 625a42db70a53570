/// Who acts: an identifier (a person, an organisation or a service), a ``Role`` and, for the
/// roles limited to some cases, the ``CaseScope``.
///
/// ```swift
/// let me = Principal.caseworker("FICTIONAL caseworker B")
/// let lead = Principal.supervisor("sup-1", team: ["FICTIONAL caseworker B"])
/// let shelter = Principal.serviceProvider("FICTIONAL shelter")
/// ```
public struct Principal: Sendable, Hashable, CustomStringConvertible {
    /// The principal's identifier (the `User-Id` a ZAP handler assigns on the wire).
    public let id: String
    /// The principal's role.
    public let role: Role
    /// Which protection cases the principal may touch at all.
    public let scope: CaseScope

    /// Creates a principal.
    public init(id: String, role: Role, scope: CaseScope) {
        self.id = id
        self.role = role
        self.scope = scope
    }

    /// A caseworker: their own cases (those whose `ownership.caseworker` is `id`).
    public static func caseworker(_ id: String) -> Principal { Principal(id: id, role: .caseworker, scope: .caseworker(id)) }
    /// A supervisor of the caseworkers in `team` (empty team: every case).
    public static func supervisor(_ id: String, team: Set<String> = []) -> Principal {
        Principal(id: id, role: .supervisor, scope: team.isEmpty ? .all : .team(team))
    }
    /// An analyst: every case, redacted.
    public static func analyst(_ id: String) -> Principal { Principal(id: id, role: .analyst, scope: .all) }
    /// A service provider: the cases referred to `organisation` (default: its own id), or for
    /// which it provides a service.
    public static func serviceProvider(_ id: String, organisation: String? = nil) -> Principal {
        Principal(id: id, role: .serviceProvider, scope: .referredTo(organisation ?? id))
    }
    /// An auditor.
    public static func auditor(_ id: String) -> Principal { Principal(id: id, role: .auditor, scope: .all) }
    /// A replicating IOMKit service.
    public static func service(_ id: String) -> Principal { Principal(id: id, role: .service, scope: .all) }

    /// A readable form, for logs and messages.
    public var description: String { "\(role.rawValue) \"\(id)\"" }
}

/// The protection cases a principal may touch.
public enum CaseScope: Sendable, Hashable {
    /// Every case.
    case all
    /// Cases owned by this caseworker (`ownership.caseworker`).
    case caseworker(String)
    /// Cases owned by any of these caseworkers.
    case team(Set<String>)
    /// Cases referred to this organisation (a referral not rejected or revoked) or with a
    /// service it provides.
    case referredTo(String)

    /// Whether `c` is inside the scope.
    public func contains(_ c: ProtectionCase) -> Bool {
        switch self {
        case .all: return true
        case .caseworker(let id): return c.ownership.caseworker.value == id
        case .team(let ids): return ids.contains(c.ownership.caseworker.value)
        case .referredTo(let org):
            let referred = c.protection?.referrals.contains {
                $0.organisation.value == org && $0.status != .rejected && $0.status != .revoked
            } ?? false
            let serving = c.protection?.services.contains { $0.provider.value == org } ?? false
            return referred || serving
        }
    }
}

import IOMDomain
