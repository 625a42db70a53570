import ChangeBus
import IOMChanges
import IOMDomain
import IOMSecurity

extension IOMKit {
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
        let records = try recordChanges(of: ProtectionCase.self, kinds: Set(IOMDomain.ChangeKind.allCases), capacity: capacity, from: start)
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

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: base.subscription.makeAsyncIterator(), principal: principal, policy: policy)
    }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Failure = IOMError
        var base: ChangeBus<CommittedChange>.Subscription.Iterator
        let principal: Principal
        let policy: AccessPolicy

        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(IOMError) -> RecordChange<ProtectionCase>? {
            while true {
                let element: ChangeBus<CommittedChange>.Element?
                do { element = try await base.next(isolation: actor) } catch { throw .bus(error) }
                guard let element else { return nil }
                guard let committed = element.event, committed.change.recordType == .protectionCase else { continue }
                let change = committed.change
                let before = change.before?.typed(as: ProtectionCase.self)
                let after = change.after?.typed(as: ProtectionCase.self)
                // In scope before or after: a case moved out of scope still shows its last change.
                let inScope = [before, after].contains { $0.map(principal.scope.contains) ?? false }
                guard inScope else { continue }
                let preparedBefore = before.flatMap { policy.readableCopy(of: $0, for: principal) }.map(AnyRecord.protectionCase)
                let preparedAfter = after.flatMap { policy.readableCopy(of: $0, for: principal) }.map(AnyRecord.protectionCase)
                guard let prepared = try? Change(kind: change.kind, before: preparedBefore, after: preparedAfter, version: change.version),
                      let typed = RecordChange<ProtectionCase>(CommittedChange(source: committed.source, sequence: committed.sequence,
                                                                               changeID: committed.changeID, time: committed.time,
                                                                               change: prepared))
                else { continue }
                return typed
            }
        }

        public mutating func next() async throws(IOMError) -> RecordChange<ProtectionCase>? { try await next(isolation: nil) }
    }
}
