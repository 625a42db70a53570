import IOMSecurity
import IOMDomain
import IOMWire

/// Prepares changes and records for one view (§12.3): full passes the journal's bytes,
/// other views redact or withhold protection cases.
struct ViewFilter: Sendable {
    let view: BridgeView
    let redactor: (@Sendable (Change, BridgeView) -> Change?)?

    enum Prepared {
        case data([UInt8])
        case withheld(WithheldReason)
    }

    /// The data frame for `change`, whose journal encoding is `encoded` (may be empty), or why
    /// it is withheld.
    func prepare(_ change: Change, encoded: [UInt8]) -> Prepared {
        prepare(type: change.recordType, encoded: encoded) { change }
    }

    /// The same, for a change known by its record type and encoding; `change` decodes it
    /// when the view needs to look inside (redaction) or no encoding is at hand.
    func prepare(type: RecordType, encoded: [UInt8], change: () -> Change?) -> Prepared {
        var bytes = encoded
        if type == .protectionCase && view != .full {
            guard view == .redacted, let redactor, let change = change(), let redacted = redactor(change, view) else { return .withheld(.view) }
            bytes = WireCodec.encode(redacted)
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

    /// A snapshot record for this view, or `nil` when the view may not see it.
    func prepare(_ record: AnyRecord) -> AnyRecord? {
        guard record.recordType == .protectionCase, view != .full else { return record }
        guard view == .redacted, let redactor,
              let change = try? Change(kind: .created, before: nil, after: record),
              let redacted = redactor(change, view) else { return nil }
        return redacted.after
    }
}
