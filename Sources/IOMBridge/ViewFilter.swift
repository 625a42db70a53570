import IOMDomain
import IOMSecurity
import IOMWire

/// Prepares changes and records for what one reader may see (§12.3).
///
/// Two kinds of reader:
/// - an **endpoint view** (events endpoints, and sync requests on an endpoint without an
///   allow-list): `full` passes every change, `redacted` runs the redactor over protection
///   cases, `public` withholds them;
/// - a **principal** (sync requests admitted by the allow-list): protection cases outside the
///   principal's record scope are withheld, the others are cut to what its role may read
///   (``IOMSecurity/AccessPolicy/readableCopy(of:for:)``), never more than the endpoint's view.
///
/// Journal bytes of protection cases hold their identifying fields sealed with the store's
/// keys; they are opened with `sealer` and re-encoded in clear. Sealed bytes never reach the wire.
struct ViewFilter: Sendable {
    /// What this filter's data is labelled on the wire (`iomview`).
    let view: BridgeView
    let redactor: (@Sendable (Change, BridgeView) -> Change?)?
    let sealer: (any FieldSealer)?
    let principal: Principal?
    let policy: AccessPolicy

    enum Prepared {
        case data([UInt8])
        case withheld(WithheldReason)
    }

    /// A filter for an endpoint of `view`.
    init(view: BridgeView, redactor: (@Sendable (Change, BridgeView) -> Change?)?, sealer: (any FieldSealer)?) {
        self.view = view
        self.redactor = redactor
        self.sealer = sealer
        self.principal = nil
        self.policy = AccessPolicy()
    }

    /// A filter for one principal's sync requests on an endpoint whose view is `endpoint`'s.
    init(principal: Principal, endpoint: ViewFilter, policy: AccessPolicy = AccessPolicy()) {
        let roleView = BridgeView.for(principal.role)
        let scoped: BridgeView = switch principal.role {
        case .caseworker, .supervisor, .auditor, .service: .full
        case .analyst, .serviceProvider: .redacted
        }
        // The stricter of the endpoint's view and what the role reads in its scope.
        let strictest = [endpoint.view, principal.scope == .all ? roleView : scoped].max { $0.rank < $1.rank }!
        self.view = strictest
        self.redactor = endpoint.redactor
        self.sealer = endpoint.sealer
        self.principal = strictest == .public ? nil : principal
        self.policy = policy
    }

    /// The data frame for `change` (from the bus, in clear), whose clear encoding is
    /// `encoded` (may be empty), or why it is withheld.
    func prepare(_ change: Change, encoded: [UInt8]) -> Prepared {
        prepare(type: change.recordType, encoded: encoded) { change }
    }

    /// The data frame for a journal entry's payload (protection cases possibly sealed).
    func prepare(type: RecordType, journal payload: [UInt8]) -> Prepared {
        if WireCodec.isSealed(payload) {
            // Without the store's keys a sealed case would go out stripped yet unlabelled: withhold it.
            guard sealer != nil else { return .withheld(.view) }
            // Open, then treat as a change with no clear encoding at hand.
            return prepare(type: type, encoded: []) { try? WireCodec.decodeChange(payload, openingWith: sealer) }
        }
        return prepare(type: type, encoded: payload) { try? WireCodec.decodeChange(payload) }
    }

    /// The same, for a change known by its record type and clear encoding; `change` decodes
    /// it when the reader needs to look inside or no encoding is at hand.
    private func prepare(type: RecordType, encoded: [UInt8], change: () -> Change?) -> Prepared {
        var bytes = encoded
        if type == .protectionCase && (view != .full || principal != nil) {
            guard let change = change(), let visible = visible(change) else { return .withheld(.view) }
            bytes = WireCodec.encode(visible)
        } else if bytes.isEmpty {
            guard let change = change() else { return .withheld(.view) }
            bytes = WireCodec.encode(change)
        }
        // Topic, attributes and data must fit the receivers' limit (§11.2).
        if bytes.count > BridgeProtocol.maximumMessageSize - BridgeProtocol.maximumAttributesSize - BridgeProtocol.maximumTopicSize {
            return .withheld(.tooLarge)
        }
        return .data(bytes)
    }

    /// A protection-case change as this reader may see it, or `nil` to withhold it.
    private func visible(_ change: Change) -> Change? {
        if let principal {
            func readable(_ record: AnyRecord?) -> (ok: Bool, record: AnyRecord?) {
                guard let record else { return (true, nil) }
                guard case .protectionCase(let c) = record, principal.scope.contains(c),
                      let copy = policy.readableCopy(of: c, for: principal) else { return (false, nil) }
                // Never more than the endpoint's view allows.
                if view == .redacted, !Redactor.isRedacted(copy) {
                    guard let redacted = Redactor.redact(copy, for: .redacted) else { return (false, nil) }
                    return (true, .protectionCase(redacted))
                }
                return (true, .protectionCase(copy))
            }
            let before = readable(change.before), after = readable(change.after)
            guard before.ok, after.ok else { return nil }
            return try? Change(kind: change.kind, before: before.record, after: after.record)
        }
        switch view {
        case .full: return change
        case .redacted: return redactor?(change, view)
        case .public: return nil
        }
    }

    /// A snapshot record (from a state row's payload, possibly sealed) for this reader, or
    /// `nil` when it may not see it.
    func prepare(stateRow payload: [UInt8]) throws -> AnyRecord? {
        guard let record = try WireCodec.decodeChange(payload, openingWith: sealer).after else { return nil }
        guard record.recordType == .protectionCase, view != .full || principal != nil else { return record }
        guard let change = try? Change(kind: .created, before: nil, after: record) else { return nil }
        return visible(change)?.after
    }
}

extension BridgeView {
    /// How much a view hides: full 0, redacted 1, package 2.
    var rank: Int {
        switch self {
        case .full: 0
        case .redacted: 1
        case .public: 2
        }
    }
}
