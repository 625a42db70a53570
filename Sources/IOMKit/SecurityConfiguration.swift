import IOMSecurity
import IOMStore

/// How IOMKit protects victims' data: the host's keys, where the security database lives and
/// the access policy.
///
/// ```swift
/// var configuration = IOMConfiguration(store: StoreConfiguration(location: .file(path: "/var/lib/iom/iom.sqlite")))
/// configuration.security.keyRing = try KeyRing([HostKey(id: "2026-11", key: keyFromSecretsManager)])
/// let iom = try await IOMKit.open(configuration)
/// ```
///
/// The key ring is never written anywhere by IOMKit: supply it at every start. Losing it makes
/// every protection case's identifying data unreadable.
public struct SecurityConfiguration: Sendable {
    /// The host's AES-256 keys (newest last). `nil`: protection cases cannot be saved.
    public var keyRing: KeyRing?
    /// Where wrapped per-case data keys and the audit trail live. `nil` (the default): next to
    /// a file store as `<store path>.security.sqlite`, in memory for an in-memory store.
    public var location: SecurityStore.Location?
    /// Who may do what.
    public var policy: AccessPolicy

    /// Creates a configuration.
    public init(keyRing: KeyRing? = nil, location: SecurityStore.Location? = nil, policy: AccessPolicy = .standard) {
        self.keyRing = keyRing
        self.location = location
        self.policy = policy
    }

    func resolvedLocation(for store: StoreConfiguration.Location) -> SecurityStore.Location {
        if let location { return location }
        switch store {
        case .file(let path): return .file(path: path + ".security.sqlite")
        case .inMemory: return .inMemory
        }
    }
}

@_exported import IOMSecurity
