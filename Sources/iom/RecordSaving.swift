import IOMKit

/// Saving one record of any type the way the command line does, shared by `iom save` (local
/// store) and the node-save endpoint of `iom serve`.
enum RecordSaving {
    /// The principal the command line and the node act as for protection cases (a supervisor
    /// registering a case; every call audited under it).
    static let principal = Principal.supervisor("iom-cli")

    /// Saves `record` (a protection case as `principal`, checked and audited); returns the
    /// stored version and the change's journal sequence.
    static func save(_ record: AnyRecord, into iom: IOMKit, as principal: Principal = principal) async throws(IOMError) -> (version: UInt64, sequence: UInt64) {
        switch record {
        case .organisation(let r): let s = try await iom.organisations.save(r); return (s.record.version, s.sequence)
        case .mission(let r): let s = try await iom.missions.save(r); return (s.record.version, s.sequence)
        case .memberState(let r): let s = try await iom.memberStates.save(r); return (s.record.version, s.sequence)
        case .event(let r): let s = try await iom.events.save(r); return (s.record.version, s.sequence)
        case .protectionCase(let r):
            let s = try await iom.protectionCases(as: principal, purpose: .caseManagement).save(r)
            return (s.record.version, s.sequence)
        }
    }

    /// The node-save error code (`Protocols/node-save.md`) of a failed save.
    static func code(for error: IOMError) -> NodeSave.Code {
        switch error {
        case .invalid: .invalid
        case .conflict: .conflict
        case .badVersion: .badVersion
        case .forbidden, .security: .forbidden
        case .store, .corrupted, .closed, .bus, .notFound, .cancelled, .bridge: .internalError
        }
    }

    /// The message a person reads for a failed save: every invalid field on its own line.
    static func message(for error: IOMError, type: RecordType, input: String) -> String {
        switch error {
        case .invalid(let validation):
            """
            the \(type.rawValue) in \(input) is not valid, nothing was saved:
            \(validation.issues.map { "  \($0)" }.joined(separator: "\n"))
            Fix these fields and run the command again.
            """
        default:
            "nothing was saved: \(error)"
        }
    }
}
