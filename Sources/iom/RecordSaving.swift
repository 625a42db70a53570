import IOMKit

/// Saving one record of any type the way the command line does, shared by `iom save` (local
/// store) and the node-save endpoint of `iom serve`.
enum RecordSaving {
    /// The principal the command line and the node act as for protection cases (a supervisor
    /// registering a case; every call audited under it).
    static let principal = Principal.supervisor("iom-cli")

    /// Creating or updating (`Protocols/node-save.md`, `operation`).
    enum Operation: String, Sendable {
        /// The record must not exist yet (version 1); an existing id is a conflict, never an update.
        case create
        /// The stored record must be at the version sent.
        case update

        /// The operation of a record sent without one: version 1 creates, any other updates.
        static func implied(by record: AnyRecord) -> Operation { record.version == 1 ? .create : .update }
    }

    /// Creates or updates `record` (a protection case as `principal`, checked and audited);
    /// returns the stored version and the change's journal sequence.
    static func save(_ record: AnyRecord, into iom: IOM, as principal: Principal = principal,
                     operation: Operation? = nil) async throws(IOMError) -> (version: UInt64, sequence: UInt64) {
        let create = (operation ?? .implied(by: record)) == .create
        switch record {
        case .organisation(let r):
            let s = create ? try await iom.organisations.create(r) : try await iom.organisations.update(r)
            return (s.record.version, s.sequence)
        case .mission(let r):
            let s = create ? try await iom.missions.create(r) : try await iom.missions.update(r)
            return (s.record.version, s.sequence)
        case .memberState(let r):
            let s = create ? try await iom.memberStates.create(r) : try await iom.memberStates.update(r)
            return (s.record.version, s.sequence)
        case .event(let r):
            let s = create ? try await iom.events.create(r) : try await iom.events.update(r)
            return (s.record.version, s.sequence)
        case .protectionCase(let r):
            let cases = iom.protectionCases(as: principal, purpose: .caseManagement)
            let s = create ? try await cases.create(r) : try await cases.update(r)
            return (s.record.version, s.sequence)
        }
    }

    /// The node-save error code (`Protocols/node-save.md`) of a failed save.
    static func code(for error: IOMError) -> NodeSave.Code {
        switch error.code {
        case .invalid: .invalid
        case .conflict, .alreadyExists: .conflict
        case .badVersion: .badVersion
        case .forbidden, .security: .forbidden
        case .notFound: .badVersion  // an update of a record that does not exist
        default: .internalError
        }
    }

    /// The message a person reads for a failed save: every invalid field on its own line.
    static func message(for error: IOMError, type: RecordType, input: String) -> String {
        switch error.validation {
        case let validation?:
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
