import ChangeBus
import IOMDomain
import IOMSecurity

extension IOMKit {
    /// Protection-case changes as `principal` may see them: only cases in its scope, each state
    /// prepared by the policy (redacted for an analyst). Opening the stream is checked and
    /// audited once (not every change: the audit trail is not on the event path).
    ///
    /// The plain ``changes(of:kinds:capacity:from:)`` and ``bus`` carry **whole** records: they
    /// are the host's own plumbing (the process holds the keys anyway) and what the bridge
    /// redacts per endpoint view. Give application code this stream instead.
    ///
    /// ```swift
    /// for try await change in try iom.protectionCaseChanges(as: .analyst("an-1"), purpose: .statistics) {
    ///     print(change.after?.profile.ageBand ?? "deleted")
    /// }
    /// ```
    public func protectionCaseChanges(as principal: Principal, purpose: Purpose, capacity: Int = 65_536,
                                      from start: ChangeBus<CommittedChange>.Start = .now) throws(IOMError) -> ProtectionCaseChanges {
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
        let records = try changes(of: ProtectionCase.self, capacity: capacity, from: start)
        return ProtectionCaseChanges(base: records, principal: principal, policy: policy)
    }
}

/// Protection-case changes filtered by scope and prepared for one principal.
/// Consume it from one task; cancelling the task ends the subscription.
public struct ProtectionCaseChanges: AsyncSequence, Sendable {
    public typealias Element = RecordChange<ProtectionCase>
    public typealias Failure = IOMError
    let base: RecordChanges<ProtectionCase>
    let principal: Principal
    let policy: AccessPolicy

    /// Ends the subscription now.
    public func cancel() { base.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(base: base.makeAsyncIterator(), principal: principal, policy: policy) }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Failure = IOMError
        var base: RecordChanges<ProtectionCase>.Iterator
        let principal: Principal
        let policy: AccessPolicy

        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(IOMError) -> RecordChange<ProtectionCase>? {
            while let change = try await base.next(isolation: actor) {
                // In scope before or after: a case moved out of scope still shows its last change.
                let inScope = [change.before, change.after].contains { $0.map(principal.scope.contains) ?? false }
                guard inScope else { continue }
                let before = change.before.flatMap { policy.readableCopy(of: $0, for: principal) }
                let after = change.after.flatMap { policy.readableCopy(of: $0, for: principal) }
                return RecordChange(sequence: change.sequence, kind: change.kind, id: change.id, version: change.version,
                                    before: before, after: after, time: change.time, changeID: change.changeID)
            }
            return nil
        }

        public mutating func next() async throws(IOMError) -> RecordChange<ProtectionCase>? { try await next(isolation: nil) }
    }
}
