import Testing
@testable import ChangeBus

/// Waits (yielding, never sleeping) until `sub`'s consumer is parked in the bus.
func untilParked(_ bus: ChangeBus<TestEvent>, _ sub: ChangeBus<TestEvent>.Subscription) async {
    while !bus.state.withLock({ _ in sub.handle.sub.consumer.isParked }) { await Task.yield() }
}

/// Reads a subscription to its end: the sequences it delivered and how it ended.
func drain(_ sub: ChangeBus<TestEvent>.Subscription) async throws -> (sequences: [UInt64], failure: ChangeBusError?) {
    try await within {
        var seqs: [UInt64] = []
        var it = sub.makeAsyncIterator()
        do throws(ChangeBusError) {
            while let e = try await it.next() { if let s = e.sequence { seqs.append(s) } }
        } catch {
            let afterwards: ChangeBus<TestEvent>.Element?? = try? await it.next()
            #expect(afterwards.map { $0 == nil } == true, "after the failure the iterator returns nil")
            return (seqs, error)
        }
        return (seqs, nil)
    }
}

@Suite("ChangeBus.shutdown(failing:)")
struct ChangeBusShutdownFailingTests {
    @Test func pendingChangesAreDeliveredFirstThenTheFailureIsThrown() async throws {
        let bus = try ChangeBus<TestEvent>()
        let sub = try bus.subscribe(capacity: 3, whenFull: .dropOldest)
        for i in 0..<5 { try bus.publish(ev("m", .created, i)) }  // 1 and 2 are dropped
        bus.shutdown(failing: .producerFailed("journal unreadable at 6"))
        var it = sub.makeAsyncIterator()
        guard case .missed(let gap) = try await it.next() else { Issue.record("the gap comes first"); return }
        #expect(gap == 1...2)
        #expect(try await it.next()?.sequence == 3)
        #expect(try await it.next()?.sequence == 4)
        #expect(try await it.next()?.sequence == 5)
        await #expect(throws: ChangeBusError.producerFailed("journal unreadable at 6")) { try await it.next() }
        #expect(try await it.next() == nil)
        #expect(bus.isShutDown)
        #expect(bus.subscriberCount == 0)
    }

    @Test func aLaterShutdownDoesNotChangeHowSubscriptionsEnd() async throws {
        let bus = try ChangeBus<TestEvent>()
        let sub = try bus.subscribe()
        try bus.publish(ev())
        bus.shutdown(failing: .producerFailed("first"))
        bus.shutdown()
        bus.shutdown(failing: .producerFailed("second"))
        let (seqs, failure) = try await drain(sub)
        #expect(seqs == [1])
        #expect(failure == .producerFailed("first"))
        // …and a plain shutdown first makes a later failing one change nothing either.
        let plain = try ChangeBus<TestEvent>()
        let plainSub = try plain.subscribe()
        plain.shutdown()
        plain.shutdown(failing: .producerFailed("too late"))
        let (none, noFailure) = try await drain(plainSub)
        #expect(none.isEmpty && noFailure == nil)
    }

    @Test func aParkedSubscriberWakesAndGetsTheFailure() async throws {
        let bus = try ChangeBus<TestEvent>()
        let subs = try (0..<3).map { _ in try bus.subscribe(capacity: 8, whenFull: .wait(timeout: .seconds(30))) }
        let readers = subs.map { sub in Task { try await drain(sub) } }
        for sub in subs { await untilParked(bus, sub) }
        bus.shutdown(failing: .producerFailed("source 3f: sequence 42 cannot be delivered"))
        for reader in readers {
            let (seqs, failure) = try await reader.value
            #expect(seqs.isEmpty)
            #expect(failure == .producerFailed("source 3f: sequence 42 cannot be delivered"))
        }
    }

    @Test func publishersGetShutDownNotTheFailure() async throws {
        let bus = try ChangeBus<TestEvent>()
        bus.shutdown(failing: .producerFailed("x"))
        #expect(throws: ChangeBusError.shutDown) { try bus.publish(ev()) }
        await #expect(throws: ChangeBusError.shutDown) { try await bus.publishWaiting(ev()) }
        #expect(throws: ChangeBusError.shutDown) { try bus.subscribe() }
    }

    @Test func aSubscriptionCutOffBeforeKeepsItsOwnReason() async throws {
        let bus = try ChangeBus<TestEvent>()
        let slow = try bus.subscribe(capacity: 1, whenFull: .disconnect)
        try bus.publish(ev())
        try bus.publish(ev())
        bus.shutdown(failing: .producerFailed("x"))
        let (_, failure) = try await drain(slow)
        #expect(failure == .disconnectedSlowSubscriber(subscription: slow.id, capacity: 1, lastDelivered: 0))
    }

    @Test func theFailureNamesItsReason() {
        #expect(ChangeBusError.producerFailed("disk full").description == "ChangeBus: the producer stopped: disk full")
    }
}
