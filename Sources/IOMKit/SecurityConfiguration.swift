import IOMSecurity
import IOMStore

/// How IOMKit protects victims' data: the host's keys, where the security database lives and
/// the access policy.
///
/// ```swift
/// var configuration = IOMConfiguration(store: StoreConfiguration(location: .file(path: "/var/lib/iom/iom.sqlite")))
/// configuration.security.keyRing = try KeyRing([HostKey(id: "2026-11", key: keyFromSecretsManager)])
/// let iom = try await IOM.open(configuration)
/// ```
///
/// The key ring is never written anywhere by IOMKit: supply it at every start. Losing it makes
/// every protection case's identifying data unreadable.
public struct SecurityConfiguration: Sendable {
    /// The host's AES-256 keys (newest last). `nil`: protection cases cannot be saved.
    public var keyRing: KeyRing?
    /// Where wrapped per-case data keys and the audit trail live. `nil` (the default): next to
    /// a file store as `<store path>.security.sqlite`, in memory for an in-memory store.
    public var location: StoreConfiguration.Location?
    /// Who may do what: the standard policy of the security model (`Sources/IOMSecurity/README.md`).
    package var policy: AccessPolicy = .standard

    /// Creates a configuration.
    public init(keyRing: KeyRing? = nil, location: StoreConfiguration.Location? = nil) {
        self.keyRing = keyRing
        self.location = location
    }

    func resolvedLocation(for store: StoreConfiguration.Location) -> SecurityStore.Location {
        switch location {
        case .file(let path)?: return .file(path: path)
        case .inMemory?: return .inMemory
        case nil: break
        }
        switch store {
        case .file(let path): return .file(path: path + ".security.sqlite")
        case .inMemory: return .inMemory
        }
    }
}

