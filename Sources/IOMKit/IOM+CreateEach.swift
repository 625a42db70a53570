import IOMDomain
import IOMStore
import IOMWire

/// One record for ``IOM/createEach(_:)``: a creation, remembered under `requestKey` when given.
package struct Creation: Sendable {
    /// The record to create (version 1; not a protection case).
    package var record: AnyRecord
    /// Remembered with the change in its transaction (``SaveContext/requestKey``).
    package var requestKey: String?

    /// Creates a creation.
    package init(record: AnyRecord, requestKey: String? = nil) {
        self.record = record
        self.requestKey = requestKey
    }
}

extension IOM {
    /// Creates each record on its own, in the given order, handed to the store's writer in one
    /// submission: what `items.count` ordered calls of ``Repository/create(_:)`` (each in a
    /// ``SaveContext`` with its request key) do, without a task, a hop and a continuation per
    /// record. A pipelined stream of creations (the node's save endpoint) uses it.
    ///
    /// Each outcome is that of ``Repository/create(_:)`` for the record: the stored version is
    /// 1 and the change's journal sequence, or the error (``IOMError/Code/alreadyExists`` — an
    /// earlier item of the same call with the same id included —, ``IOMError/Code/badVersion``,
    /// ``IOMError/Code/invalid``, `duplicateRequest` for a remembered request key, …). A refused
    /// item changes nothing and does not stop the others; the created ones get increasing
    /// sequences in the given order, and their changes are published like any other.
    ///
    /// Protection cases are not created here (they need a principal, a policy check and an
    /// audit entry: ``protectionCases(as:purpose:)``): such an item is refused with
    /// ``IOMError/Code/needsPrincipal``.
    ///
    /// ```swift
    /// let outcomes = await iom.createEach([Creation(record: mission.anyRecord, requestKey: "service:replica r-1")])
    /// if case .success(let sequence) = outcomes[0] { print("saved at", sequence) }
    /// ```
    package func createEach(_ items: [Creation]) async -> [Result<UInt64, IOMError>] {
        await withCheckedContinuation { continuation in
            enqueueCreations(items) { continuation.resume(returning: $0) }
        }
    }

    /// ``createEach(_:)`` without waiting: checks and encodes the records on the calling thread,
    /// queues them for the store's writer and returns. `completion` gets the outcomes once they
    /// are committed, on the store's commit thread (keep it short and never block in it), or at
    /// once on the calling thread when nothing was queued. Calls made one after another are
    /// journaled in that order, so a caller queuing from one task keeps its order while one
    /// call commits and the next is checked — a pipelined stream's way to keep the writer busy.
    package func enqueueCreations(_ items: [Creation], completion: @escaping @Sendable ([Result<UInt64, IOMError>]) -> Void) {
        let clock = ContinuousClock()
        let start = clock.now
        var outcomes = [Result<UInt64, IOMError>?](repeating: nil, count: items.count)
        var mutations: [Mutation] = []
        var positions: [Int] = []
        mutations.reserveCapacity(items.count)
        positions.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do throws(IOMError) {
                mutations.append(try creation(item))
                positions.append(index)
            } catch {
                outcomes[index] = .failure(error)
            }
        }
        let finish: @Sendable ([Result<UInt64, IOMError>?]) -> Void = { [metrics] outcomes in
            let nanoseconds = (clock.now - start).nanoseconds
            completion(zip(items, outcomes).map { item, outcome in
                switch outcome! {
                case .success:
                    metrics.recordSave(item.record.recordType, nanoseconds: nanoseconds)
                case .failure(let error):
                    metrics.recordFailure(item.record.recordType, error)
                }
                return outcome!
            })
        }
        guard !mutations.isEmpty else { return finish(outcomes) }
        let logger = self.logger
        store.enqueue(each: mutations) { [outcomes, positions] result in
            var outcomes = outcomes
            switch result {
            case .success(let results):
                for (position, result) in zip(positions, results) {
                    let type = items[position].record.recordType
                    outcomes[position] = result.map(\.sequence).mapError { error in
                        if case let .alreadyExists(_, id, version) = error { return .alreadyExists(recordType: type, id: id, version: version) }
                        return IOMError(error)
                    }
                }
            case .failure(let error):
                let failure = IOMError(error)
                if failure.code == .store {
                    logger.error("store write failed", metadata: ["count": "\(positions.count)", "error": "\(failure)"])
                }
                for position in positions { outcomes[position] = .failure(failure) }
            }
            finish(outcomes)
        }
    }

    /// The mutation creating `item`'s record, carrying its typed change for the relay.
    private func creation(_ item: Creation) throws(IOMError) -> Mutation {
        let record = item.record
        guard record.recordType != .protectionCase else { throw .needsPrincipal(recordType: .protectionCase) }
        guard record.version == 1 else { throw .badVersion(recordType: record.recordType, id: record.recordID, version: record.version) }
        let change: Change
        do { change = try Change(kind: .created, before: nil, after: record) } catch { throw .invalid(error) }
        let payload = try storePayload(change)
        var mutation = Mutation.create(type: record.recordType.rawValue, id: record.recordID, payload: payload)
            .attaching(SavedChange(change: change, encoded: payload))
        mutation.requestKey = item.requestKey
        return mutation
    }
}
