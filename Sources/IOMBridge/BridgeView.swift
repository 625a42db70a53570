/// What a publisher's endpoint, or a sync reply, reveals of protection cases (`Protocols/bridge.md` §12.3).
public enum BridgeView: String, Sendable, Hashable, CaseIterable {
    /// Everything the journal holds (replicating services, supervisors, auditors).
    case full
    /// Identifying fields removed, quasi-identifying ones generalised (analysts).
    case redacted
    /// No protection-case data at all: each such change becomes a withheld marker.
    case `public`
}
