import Foundation
import IOMDomain
import IOMSecurity
import IOMStore
import IOMWire

/// Protection cases as one principal, for one purpose, may reach them. Get it from
/// ``IOM/protectionCases(as:purpose:)``.
///
/// Every call is checked against the configured `AccessPolicy` (role, purpose,
/// record scope, field-level permissions) and audited in the store's hash-chained
/// trail — allowed, forbidden or failed, with the fields read or written. Reads return the
/// copy the role may see (redacted for an analyst). Identifying fields are sealed with the
/// case's own AES-256-GCM key before they reach the store and its journal.
///
/// ```swift
/// let cases = iom.protectionCases(as: .caseworker("cw-7"), purpose: .caseManagement)
/// try await cases.create(newCase)                                      // version 1
/// let moved = try await cases.transition(newCase.id, to: .registered)
/// ```
public struct ProtectionCaseRepository: Sendable {
    let kit: IOM
    /// Who acts.
    public let principal: Principal
    /// Why.
    public let purpose: Purpose

    private var policy: AccessPolicy { kit.configuration.security.policy }
    private var base: Repository<ProtectionCase> { Repository(kit: kit) }

    // MARK: Reading

    /// The case as the principal may see it, or `nil` when there is none.
    ///
    /// - Throws: ``IOMError/Code/forbidden`` for a role, purpose or case outside the principal's rights.
    public func get(_ id: Identifier<ProtectionCase>) async throws(IOMError) -> ProtectionCase? {
        try requirePrincipal()
        try check(.read, id.rawValue) { () throws(Forbidden) in try policy.authorize(principal, .read, purpose: purpose) }
        try requireKeysToRead()
        guard let c = try await base.get(id) else {
            try record(.read, id.rawValue, [], .failed, "no such case")
            return nil
        }
        try check(.read, id.rawValue) { () throws(Forbidden) in try policy.authorize(principal, .read, purpose: purpose, case: c) }
        return try readable(c)
    }

    /// A page of the cases in the principal's scope, as it may see them, ordered by id.
    /// Cases outside the scope are skipped (not audited as reads).
    public func list(after cursor: String? = nil, limit: Int = 100) async throws(IOMError) -> (records: [ProtectionCase], next: String?) {
        try requirePrincipal()
        try check(.read, nil) { () throws(Forbidden) in try policy.authorize(principal, .read, purpose: purpose) }
        try requireKeysToRead()
        let page = try await base.list(after: cursor, limit: limit)
        var out: [ProtectionCase] = []
        for c in page.records where principal.scope.contains(c) { out.append(try readable(c)) }
        return (out, page.next)
    }

    // MARK: Writing

    /// Creates (version 1) or updates (any other version: the version you read) a case, as
    /// ``Repository/save(_:)`` does; to update a case still at version 1, call ``update(_:)``.
    ///
    /// - Throws: the errors of ``create(_:)`` or ``update(_:)``.
    @discardableResult
    public func save(_ c: ProtectionCase) async throws(IOMError) -> Saved<ProtectionCase> {
        try await write(c, as: c.version == 1 ? .create : .update)
    }

    /// Creates a case that does not exist yet (version 1), if the principal may write every
    /// field it sets. Returns the stored case as the principal may see it. A case id that
    /// exists is ``IOMError/Code/alreadyExists``, never an update.
    ///
    /// - Throws: ``IOMError/Code/forbidden`` naming the first field the role may not write,
    ///   ``IOMError/Code/security`` when no key ring is configured, and the errors of ``Repository/create(_:)``.
    @discardableResult
    public func create(_ c: ProtectionCase) async throws(IOMError) -> Saved<ProtectionCase> {
        try await write(c, as: .create)
    }

    /// Updates a case that must still be at `c.version` (the version you read), if the
    /// principal may write every field that changes.
    ///
    /// - Throws: ``IOMError/Code/forbidden``, ``IOMError/Code/security``, and the errors of ``Repository/update(_:)``.
    @discardableResult
    public func update(_ c: ProtectionCase) async throws(IOMError) -> Saved<ProtectionCase> {
        try await write(c, as: .update)
    }

    private func write(_ c: ProtectionCase, as action: Action) async throws(IOMError) -> Saved<ProtectionCase> {
        try requirePrincipal()
        try check(action, c.id.rawValue) { () throws(Forbidden) in try policy.authorize(principal, action, purpose: purpose) }
        try requireKeys()
        let current = try await base.get(c.id)
        if action == .create, let current {
            let error = IOMError.alreadyExists(recordType: .protectionCase, id: c.id.rawValue, version: current.version)
            try record(action, c.id.rawValue, [], .failed, Self.auditDetail(error))
            throw error
        }
        if action == .update, current == nil {
            let error = IOMError.notFound(recordType: .protectionCase, id: c.id.rawValue)
            try record(action, c.id.rawValue, [], .failed, Self.auditDetail(error))
            throw error
        }
        let changed = try check(action, c.id.rawValue) { () throws(Forbidden) in
            try policy.authorizeWrite(principal, action, purpose: purpose, before: current, after: c)
        }
        let saved: Saved<ProtectionCase>
        do { saved = action == .create ? try await base.create(c) : try await base.update(c) } catch {
            try record(action, c.id.rawValue, changed, .failed, Self.auditDetail(error))
            throw error
        }
        try record(action, c.id.rawValue, changed, .allowed, "version \(saved.record.version)")
        return Saved(record: policy.readableCopy(of: saved.record, for: principal) ?? saved.record, sequence: saved.sequence)
    }

    /// Moves a case along the workflow (see `ProtectionCase.transition(to:at:by:transferTo:override:)`),
    /// acting as the principal. A referral or transfer without recorded consent needs `override`,
    /// which only a role allowed to write consent overrides (a supervisor) may give; it is audited.
    ///
    /// - Throws: ``IOMError/Code/invalid`` for an illegal transition or missing consent,
    ///   ``IOMError/Code/forbidden``, ``IOMError/Code/notFound``, ``IOMError/Code/conflict``.
    @discardableResult
    public func transition(_ id: Identifier<ProtectionCase>, to next: CaseStatus, transferTo: NonEmptyString? = nil,
                           override: ConsentOverride? = nil, at time: Date = Date()) async throws(IOMError) -> Saved<ProtectionCase> {
        try requirePrincipal()
        // The role first: a caller learns nothing of the node's configuration it may not act on.
        try check(.transition, id.rawValue) { () throws(Forbidden) in try policy.authorize(principal, .transition, purpose: purpose) }
        try requireKeys()
        guard let current = try await base.get(id) else {
            try record(.transition, id.rawValue, [], .failed, "no such case")
            throw .notFound(recordType: .protectionCase, id: id.rawValue)
        }
        let at = Instant(millisecondsSince1970: max(Int64(time.timeIntervalSince1970 * 1000), current.updatedAt.millisecondsSince1970))
        let actor = (try? NonEmptyString(principal.id)) ?? (try! NonEmptyString("unknown"))
        let moved: ProtectionCase
        do { moved = try current.transition(to: next, at: at, by: actor, transferTo: transferTo, override: override) } catch {
            let detail = if let v = error.validation { Self.auditDetail(.invalid(v)) } else { error.description }
            try record(.transition, id.rawValue, [], .failed, detail)
            throw .invalid(ValidationError([ValidationIssue(path: "protectionCase.status", value: next.rawValue, reason: error.description)]))
        }
        let changed = try check(.transition, id.rawValue) { () throws(Forbidden) in
            try policy.authorizeWrite(principal, .transition, purpose: purpose, before: current, after: moved)
        }
        let change = try Repository<ProtectionCase>.change(.updated, before: current.anyRecord, after: moved.anyRecord)
        let entry: JournalEntry
        do {
            entry = try await base.apply(.update(type: RecordType.protectionCase.rawValue, id: id.rawValue,
                                                 expectedVersion: current.version, payload: kit.storePayload(change)), change: change)
        } catch {
            try record(.transition, id.rawValue, changed, .failed, Self.auditDetail(error))
            throw error
        }
        var detail = "status \(current.status.rawValue) -> \(next.rawValue)"
        if let o = override { detail += "; consent override (\(o.scope.rawValue)) by \(o.by.value)" }
        try record(.transition, id.rawValue, changed, .allowed, detail)
        return Saved(record: policy.readableCopy(of: moved, for: principal) ?? moved, sequence: entry.sequence)
    }

    /// Deletes a case whose retention date has passed: its data key is destroyed first
    /// (crypto-shredding: every sealed copy of its identifying data, in the state and in every
    /// journal entry, becomes unreadable), then a deletion change is journaled whose `before` is
    /// a redacted tombstone. Audited. Needs purpose `Purpose.retention` (a
    /// supervisor) or `Purpose.replication`.
    ///
    /// - Parameters:
    ///   - id: the case to delete.
    ///   - now: the day checked against `retentionUntil` (default: today, UTC).
    /// - Returns: the journal sequence of the tombstone.
    /// - Throws: ``IOMError/Code/forbidden`` before the retention date or for another role or purpose.
    @discardableResult
    public func delete(_ id: Identifier<ProtectionCase>, now: Date = Date()) async throws(IOMError) -> UInt64 {
        try requirePrincipal()
        try check(.delete, id.rawValue) { () throws(Forbidden) in try policy.authorize(principal, .delete, purpose: purpose) }
        guard let current = try await base.get(id) else {
            try record(.delete, id.rawValue, [], .failed, "no such case")
            throw .notFound(recordType: .protectionCase, id: id.rawValue)
        }
        try check(.delete, id.rawValue) { () throws(Forbidden) in
            try policy.authorize(principal, .delete, purpose: purpose, case: current)
            let today = Instant(millisecondsSince1970: Int64(now.timeIntervalSince1970 * 1000)).utcDate
            if purpose == .retention, !(current.retentionUntil < today) {
                throw Forbidden(principal: principal, action: .delete, purpose: purpose, recordID: id.rawValue,
                                field: "protectionCase.retentionUntil",
                                reason: "the retention date \(current.retentionUntil) has not passed (today is \(today))")
            }
        }
        do { try kit.security.caseKeys.shred(id.rawValue) } catch {
            try record(.delete, id.rawValue, [], .failed, error.description)
            throw .security(error)
        }
        try record("shred", id.rawValue, identifyingFields, .allowed, "data key destroyed")
        guard let tombstone = Redactor.redact(current, for: .redacted) else {
            throw .corrupted("protectionCase \"\(id.rawValue)\" could not be reduced to a tombstone")
        }
        let change = try Repository<ProtectionCase>.change(.deleted, before: tombstone.anyRecord, after: nil)
        let entry: JournalEntry
        do {
            entry = try await base.apply(.delete(type: RecordType.protectionCase.rawValue, id: id.rawValue,
                                                 expectedVersion: current.version, payload: kit.storePayload(change)), change: change)
        } catch {
            try record(.delete, id.rawValue, [], .failed, Self.auditDetail(error))
            throw error
        }
        try record(.delete, id.rawValue, [], .allowed, "tombstone at sequence \(entry.sequence)")
        return entry.sequence
    }

    // MARK: Helpers

    /// What an audit entry may say about a failure: validation problems by path and reason
    /// only — their values could be identifying data, and the audit trail is not encrypted.
    static func auditDetail(_ error: IOMError) -> String {
        if let v = error.validation {
            return "invalid: " + v.issues.map { "\($0.path) \($0.reason)" }.joined(separator: "; ")
        }
        return error.description
    }

    private var identifyingFields: [FieldPath] {
        ProtectionCase.fieldClassification.filter { $0.value == .identifying }.map(\.key).sorted()
    }

    /// A principal whose id breaks the identifier grammar (`Protocols/README.md`) acts on nothing.
    private func requirePrincipal() throws(IOMError) {
        if let reason = IdentifierGrammar.problem(in: principal.id, allowingSpaces: true) {
            throw .invalid(ValidationError([ValidationIssue(path: "principal.id", value: IdentifierGrammar.printable(principal.id), reason: reason)]))
        }
    }

    private func requireKeys() throws(IOMError) {
        guard kit.sealer != nil else {
            throw .security(.invalidKey("no key ring configured: set IOMConfiguration.security.keyRing to store protection cases"))
        }
    }

    /// Without keys, sealed identifying fields would silently be missing: refuse, unless the
    /// role never sees them anyway (an analyst).
    private func requireKeysToRead() throws(IOMError) {
        if principal.role != .analyst { try requireKeys() }
    }

    private func readable(_ c: ProtectionCase) throws(IOMError) -> ProtectionCase {
        guard let copy = policy.readableCopy(of: c, for: principal) else {
            throw .corrupted("protectionCase \"\(c.id.rawValue)\" could not be prepared for \(principal)")
        }
        try record(.read, c.id.rawValue, copy.fieldValues.keys.sorted(), .allowed, "")
        return copy
    }

    /// Runs a policy check; a refusal is audited and becomes ``IOMError/Code/forbidden``.
    @discardableResult
    private func check<T>(_ action: Action, _ id: String?, _ body: () throws(Forbidden) -> T) throws(IOMError) -> T {
        do { return try body() } catch {
            try record(action.rawValue, id, error.field.map { [$0] } ?? [], .forbidden, error.reason)
            throw .forbidden(error)
        }
    }

    private func record(_ action: Action, _ id: String?, _ fields: some Collection<FieldPath>, _ outcome: AuditOutcome, _ detail: String) throws(IOMError) {
        try record(action.rawValue, id, fields, outcome, detail)
    }

    private func record(_ action: String, _ id: String?, _ fields: some Collection<FieldPath>, _ outcome: AuditOutcome, _ detail: String) throws(IOMError) {
        do {
            try kit.security.auditTrail.append(principal: principal, action: action, purpose: purpose, recordID: id,
                                               fields: Array(fields), outcome: outcome, detail: detail)
        } catch { throw .security(error) }
    }
}
