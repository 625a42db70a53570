import IOMDomain
import IOMSecurity
import IOMWire

extension IOM {
    /// Protection cases as `principal` may reach them for `purpose`: every call checked against
    /// the access policy and audited.
    ///
    /// ```swift
    /// let mine = iom.protectionCases(as: .caseworker("cw-7"), purpose: .caseManagement)
    /// let c = try await mine.get(id)        // nil, or the case; forbidden if not theirs
    /// ```
    public func protectionCases(as principal: Principal, purpose: Purpose) -> ProtectionCaseRepository {
        ProtectionCaseRepository(kit: self, principal: principal, purpose: purpose)
    }

    /// CTDC-style statistics over every protection case: counts by banded fields, groups
    /// smaller than `k` suppressed. Only for a role allowed to export statistics (analyst,
    /// service) with purpose `Purpose.statistics`; audited.
    public func statistics(as principal: Principal, by dimensions: [StatisticsDimension],
                           k: Int = 11) async throws(IOMError) -> StatisticsTable {
        let audit = security.auditTrail
        func note(_ outcome: AuditOutcome, _ detail: String) throws(IOMError) {
            do {
                try audit.append(principal: principal, action: .exportStatistics, purpose: .statistics, recordID: nil,
                                 fields: dimensions.map { FieldPath("statistics.\($0.rawValue)") }, outcome: outcome, detail: detail)
            } catch { throw .security(error) }
        }
        do { try configuration.security.policy.authorize(principal, .exportStatistics, purpose: .statistics) } catch {
            try note(.forbidden, error.reason)
            throw .forbidden(error)
        }
        var all: [ProtectionCase] = []
        var cursor: String?
        let base = Repository<ProtectionCase>(kit: self)
        repeat {
            let page = try await base.list(after: cursor, limit: 500)
            all += page.records
            cursor = page.next
        } while cursor != nil
        let table: StatisticsTable
        do { table = try StatisticsExport.counts(of: all, by: dimensions, k: k) } catch {
            try note(.failed, error.description)
            throw .invalid(ValidationError([ValidationIssue(path: "statistics", value: "k=\(k)", reason: error.description)]))
        }
        try note(.allowed, "\(table.rows.count) groups published, \(table.suppressedGroups) suppressed (k=\(k))")
        return table
    }

    /// The audit trail's entries, for an auditor (purpose `Purpose.audit`).
    /// Reading the trail is itself audited.
    public func auditEntries(as principal: Principal, from sequence: UInt64 = 1, recordID: String? = nil,
                             limit: Int = 10_000) throws(IOMError) -> [AuditEvent] {
        let audit = security.auditTrail
        do {
            do { try configuration.security.policy.authorize(principal, .readAudit, purpose: .audit) } catch {
                try audit.append(principal: principal, action: .readAudit, purpose: .audit, recordID: recordID, outcome: .forbidden, detail: error.reason)
                throw IOMError.forbidden(error)
            }
            let entries = try audit.entries(from: sequence, recordID: recordID, limit: limit)
            try audit.append(principal: principal, action: .readAudit, purpose: .audit, recordID: recordID, outcome: .allowed,
                             detail: "\(entries.count) entries from \(sequence)")
            return entries
        } catch let error as IOMError {
            throw error
        } catch {
            throw IOMError(error)
        }
    }

    /// Decodes a journal entry's payload (e.g. for replay) into the whole change: sealed
    /// identifying fields are opened with this instance's keys (absent for a crypto-shredded
    /// case). Prepare it for a view with ``IOMSecurity/Redactor/redact(_:for:)-(Change,_)``
    /// before it leaves the process.
    ///
    /// ```swift
    /// for entry in try await iom.store.journal(from: 1) {
    ///     guard let safe = Redactor.redact(try iom.change(fromJournal: entry.payload), for: .redacted) else { continue } // withheld
    ///     send(WireCodec.encode(safe))
    /// }
    /// ```
    package func change(fromJournal payload: [UInt8]) throws(IOMError) -> Change {
        do { return try WireCodec.decodeChange(payload, openingWith: sealer) } catch { throw IOMError(error) }
    }

    /// The `iom.v1.Change` bytes of a journal entry as the **full** view may carry them: the
    /// payload itself, except for a protection case, whose sealed fields are opened and which
    /// is encoded in clear (sealed bytes never go on the wire, `Protocols/README.md`). For the
    /// sync server's REPLAY on a full-view endpoint; other views go through ``change(fromJournal:)``
    /// and ``IOMSecurity/Redactor``.
    package func wirePayload(fromJournal payload: [UInt8]) throws(IOMError) -> [UInt8] {
        guard WireCodec.isSealed(payload) else { return payload }
        return WireCodec.encode(try change(fromJournal: payload))
    }

    /// Encodes a change for the store and journal: protection cases sealed. A change longer
    /// than ``IOMDomain/RecordBounds/maximumChangeBytes`` is refused as invalid.
    func storePayload(_ change: Change) throws(IOMError) -> [UInt8] {
        let payload = try sealedPayload(change)
        guard payload.count <= RecordBounds.maximumChangeBytes else {
            throw .invalid(ValidationError([ValidationIssue(path: change.recordType.rawValue, value: "\(payload.count) bytes",
                                                            reason: "encodes to a change longer than \(RecordBounds.maximumChangeBytes) bytes")]))
        }
        return payload
    }

    private func sealedPayload(_ change: Change) throws(IOMError) -> [UInt8] {
        guard change.recordType == .protectionCase else { return WireCodec.encode(change) }
        guard let sealer else {
            throw .security(.invalidKey("no key ring configured: set IOMConfiguration.security.keyRing to store protection cases"))
        }
        do { return try WireCodec.encode(change, sealingWith: sealer) } catch { throw IOMError(error) }
    }
}
