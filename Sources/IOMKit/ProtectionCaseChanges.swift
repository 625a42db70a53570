import ChangeBus
import IOMChanges
import IOMDomain
import IOMSecurity

extension IOM {
    /// Protection-case changes as `principal` may see them: only cases in its scope, each state
    /// prepared by the policy (redacted for an analyst). Opening the stream is checked and
    /// audited once (not every change: the audit trail is not on the event path).
    ///
    /// It is the only way protection-case changes leave the facade: ``changes(of:kinds:capacity:from:)``
    /// refuses protection cases and ``changes(capacity:from:)`` leaves them out.
    ///
    /// ```swift
    /// for try await change in try iom.protectionCaseChanges(as: .analyst("an-1"), purpose: .statistics) {
    ///     print(change.after?.profile.ageBand ?? "deleted")
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - principal: who reads; its role and scope decide which cases and fields it gets.
    ///   - purpose: why; checked against the role, and written to the audit trail.
    ///   - capacity: how many changes may wait; further behind, the sequence ends with ``IOMError/Code/subscriberTooSlow``.
    ///   - sequence: `nil` (the default) starts with the next change; a past sequence number starts there.
    /// - Throws: ``IOMError/Code/forbidden`` when the role may not read for this purpose (audited).
    public func protectionCaseChanges(as principal: Principal, purpose: Purpose, capacity: Int = 65_536,
                                      from sequence: UInt64? = nil) throws(IOMError) -> ChangeSequence<RecordChange<ProtectionCase>, IOMError> {
        let policy = configuration.security.policy
        do {
            do { try policy.authorize(principal, .read, purpose: purpose) } catch {
                try security.auditTrail.append(principal: principal, action: "subscribe", purpose: purpose, recordID: nil,
                                               outcome: .forbidden, detail: error.reason)
                throw IOMError.forbidden(error)
            }
            try security.auditTrail.append(principal: principal, action: "subscribe", purpose: purpose, recordID: nil,
                                           outcome: .allowed, detail: "protection-case changes")
        } catch let error as IOMError {
            throw error
        } catch {
            throw IOMError(error)
        }
        let subscription = try subscription(of: ProtectionCase.self, kinds: Set(IOMDomain.ChangeKind.allCases), capacity: capacity,
                                            from: .init(sequence))
        return ChangeSequence(subscription, transform: { Self.prepare($0, for: principal, policy: policy) }, failure: { IOMError.bus($0) })
    }

    /// A protection-case change as `principal` may see it: `nil` when the case is out of its
    /// scope before and after, each state prepared by the policy (redacted for an analyst).
    static func prepare(_ committed: CommittedChange, for principal: Principal, policy: AccessPolicy) -> RecordChange<ProtectionCase>? {
        guard committed.change.recordType == .protectionCase else { return nil }
        let change = committed.change
        let before = change.before?.typed(as: ProtectionCase.self)
        let after = change.after?.typed(as: ProtectionCase.self)
        // In scope before or after: a case moved out of scope still shows its last change.
        let inScope = [before, after].contains { $0.map(principal.scope.contains) ?? false }
        guard inScope else { return nil }
        let preparedBefore = before.flatMap { policy.readableCopy(of: $0, for: principal) }.map(AnyRecord.protectionCase)
        let preparedAfter = after.flatMap { policy.readableCopy(of: $0, for: principal) }.map(AnyRecord.protectionCase)
        guard let prepared = try? Change(kind: change.kind, before: preparedBefore, after: preparedAfter, version: change.version) else {
            return nil
        }
        return RecordChange<ProtectionCase>(CommittedChange(source: committed.source, sequence: committed.sequence,
                                                            changeID: committed.changeID, time: committed.time, change: prepared))
    }
}
