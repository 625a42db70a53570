import Foundation
import Testing
@testable import ChangeBus

struct TestEvent: BusEvent {
    enum Kind: Hashable, Sendable { case created, updated, deleted }
    var topic: String
    var kind: Kind
    var publisher: Int = 0
    var n: Int = 0
}

struct TimedOut: Error {}

/// Runs `body`, failing with `TimedOut` after `seconds` so no test can hang (a hang guard:
/// generous, since the whole suite shares two cooperative threads on a loaded machine).
func within<T: Sendable>(_ seconds: Double = 60, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask { try await Task.sleep(for: .seconds(seconds)); return nil }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut() }
        return value
    }
}

/// Takes `count` elements from a subscription.
/// Returns once a task is parked in `publishWaiting` on `bus` (observed in the bus's state),
/// so that what a test does next happens while the publisher really waits.
func untilAPublisherWaits(on bus: ChangeBus<TestEvent>, timeout: Duration = .seconds(10)) async throws {
    let deadline = ContinuousClock.now + timeout
    while bus.state.withLock({ $0.room.tasks.isEmpty }) {
        guard ContinuousClock.now < deadline else {
            Issue.record("no publisher started waiting within \(timeout)")
            throw CancellationError()
        }
        await Task.yield()
    }
}

func take(_ count: Int, from sub: ChangeBus<TestEvent>.Subscription, within seconds: Double = 60) async throws -> [ChangeBus<TestEvent>.Element] {
    try await within(seconds) {
        var out: [ChangeBus<TestEvent>.Element] = []
        var it = sub.makeAsyncIterator()
        while out.count < count, let e = try await it.next() { out.append(e) }
        return out
    }
}

func ev(_ topic: String = "mission", _ kind: TestEvent.Kind = .created, _ n: Int = 0) -> TestEvent {
    TestEvent(topic: topic, kind: kind, n: n)
}

@Suite("ChangeBus")
struct ChangeBusTests {
    @Test func sequencesStartAtOneOrConfiguredStartAndIncrease() throws {
        let bus = try ChangeBus<TestEvent>()
        #expect(try bus.publish(ev()) == 1)
        #expect(try bus.publish(ev()) == 2)
        let continued = try ChangeBus<TestEvent>(startSequence: 500)
        #expect(try continued.publish(ev()) == 500)
        #expect(continued.nextSequence == 501)
    }

    @Test func filtersByTopicKindPredicateAndAll() async throws {
        let bus = try ChangeBus<TestEvent>()
        let all = try bus.subscribe()
        let missions = try bus.subscribe(.topic("mission"))
        let deletes = try bus.subscribe(.kind(.deleted))
        let even = try bus.subscribe(.matching { $0.n % 2 == 0 })
        try bus.publish(ev("mission", .created, 1))
        try bus.publish(ev("event", .deleted, 2))
        try bus.publish(ev("mission", .deleted, 3))
        try bus.publish(ev("case", .updated, 4))
        bus.shutdown()
        func seqs(_ s: ChangeBus<TestEvent>.Subscription) async throws -> [UInt64] {
            try await take(10, from: s).compactMap(\.sequence)
        }
        #expect(try await seqs(all) == [1, 2, 3, 4])
        #expect(try await seqs(missions) == [1, 3])
        #expect(try await seqs(deletes) == [2, 3])
        #expect(try await seqs(even) == [2, 4])
    }

    @Test func concurrentPublishersGiveOneTotalOrderSeenByAllExactlyOnce() async throws {
        let bus = try ChangeBus<TestEvent>()
        let publishers = 4, perPublisher = 2_000, total = publishers * perPublisher
        let subs = try (0..<3).map { _ in try bus.subscribe(capacity: total, whenFull: .disconnect) }
        let readers = subs.map { sub in Task { try await take(total, from: sub) } }
        try await within {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for p in 0..<publishers {
                    group.addTask {
                        for n in 0..<perPublisher {
                            try bus.publish(TestEvent(topic: "t", kind: .created, publisher: p, n: n))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var views: [[String]] = []
        for r in readers {
            let got = try await r.value
            #expect(got.count == total)
            let s = got.compactMap(\.sequence)
            #expect(s == Array(1...UInt64(total)), "strictly increasing, each exactly once")
            var lastN = [Int](repeating: -1, count: publishers)
            for e in got.compactMap(\.event) {
                #expect(e.n == lastN[e.publisher] + 1, "each publisher's events in its own order")
                lastN[e.publisher] = e.n
            }
            views.append(got.map { "\($0.sequence!)-\($0.event!.publisher)-\($0.event!.n)" })
        }
        #expect(views.allSatisfy { $0 == views[0] }, "all subscribers see the same total order")
    }

    @Test func waitPolicyMakesAsyncPublisherWaitThenTimeOut() async throws {
        let bus = try ChangeBus<TestEvent>()
        let sub = try bus.subscribe(capacity: 2, whenFull: .wait(timeout: .milliseconds(100)))
        try bus.publish(ev())
        try bus.publish(ev())
        #expect(throws: ChangeBusError.subscriberFullUseAsyncPublish(subscription: sub.id)) { try bus.publish(ev()) }
        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: ChangeBusError.publishTimedOut(subscription: sub.id, timeout: .milliseconds(100))) {
            try await bus.publishWaiting(ev())
        }
        #expect(clock.now - started >= .milliseconds(100))
        #expect(bus.nextSequence == 3, "a timed-out publish publishes nothing")
        // A consumer making room lets a waiting publisher through.
        let waiting = Task { try await bus.publishWaiting(ev()) }
        try await untilAPublisherWaits(on: bus)
        let first = try await take(2, from: sub)
        #expect(first.compactMap(\.sequence) == [1, 2])
        #expect(try await within { try await waiting.value } == 3)
    }

    @Test func waitPolicyBatchIsAllOrNothing() throws {
        let bus = try ChangeBus<TestEvent>()
        let keep = try bus.subscribe(capacity: 3, whenFull: .wait(timeout: .seconds(1)))
        #expect(try bus.publish(contentsOf: [ev(), ev()]) == 1...2)
        #expect(throws: ChangeBusError.subscriberFullUseAsyncPublish(subscription: keep.id)) {
            try bus.publish(contentsOf: [ev(), ev()])
        }
        #expect(bus.nextSequence == 3)
        #expect(try bus.publish(contentsOf: [TestEvent]()) == nil)
        withExtendedLifetime(keep) {}
    }

    @Test func dropOldestReportsExactlyTheMissedSequences() async throws {
        let bus = try ChangeBus<TestEvent>()
        let sub = try bus.subscribe(capacity: 3, whenFull: .dropOldest)
        for _ in 0..<10 { try bus.publish(ev()) }
        let got = try await take(4, from: sub)
        guard case .missed(let range) = got[0] else { Issue.record("expected a gap first, got \(got[0])"); return }
        #expect(range == 1...7)
        #expect(got.dropFirst().compactMap(\.sequence) == [8, 9, 10])
    }

    @Test func disconnectEndsSlowSubscriberWithReason() async throws {
        let bus = try ChangeBus<TestEvent>()
        let sub = try bus.subscribe(capacity: 2, whenFull: .disconnect)
        let fast = try bus.subscribe(capacity: 100)
        for _ in 0..<3 { try bus.publish(ev()) }
        #expect(bus.subscriberCount == 1)
        await #expect(throws: ChangeBusError.disconnectedSlowSubscriber(subscription: sub.id, capacity: 2, lastDelivered: 0)) {
            _ = try await take(5, from: sub)
        }
        #expect(try await take(3, from: fast).compactMap(\.sequence) == [1, 2, 3])
        let message = ChangeBusError.disconnectedSlowSubscriber(subscription: 1, capacity: 2, lastDelivered: 0).description
        #expect(message.contains("fell 2 changes behind"))
    }

    @Test func cancellingTheConsumerEndsSubscriptionAndFreesBuffer() async throws {
        let bus = try ChangeBus<TestEvent>()
        let sub = try bus.subscribe()
        #expect(bus.subscriberCount == 1)
        let consumer = Task { () -> Int in
            var n = 0
            for try await _ in sub { n += 1 }
            return n
        }
        try bus.publish(ev())
        try await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        #expect(try await within { try await consumer.value } == 1)
        #expect(bus.subscriberCount == 0)
        try bus.publish(ev())
        #expect(sub.handle.sub.buffer.isEmpty, "a cancelled subscription holds nothing")
    }

    @Test func droppingASubscriptionUnsubscribes() throws {
        let bus = try ChangeBus<TestEvent>()
        do { _ = try bus.subscribe() }
        #expect(bus.subscriberCount == 0)
        let s = try bus.subscribe()
        s.cancel()
        #expect(bus.subscriberCount == 0)
    }

    @Test func shutdownDrainsPendingThenFinishesAndRejectsPublishing() async throws {
        let bus = try ChangeBus<TestEvent>()
        let parked = try bus.subscribe()
        let pending = try bus.subscribe()
        let waiter = Task { try await take(10, from: parked) }
        try await Task.sleep(for: .milliseconds(20))
        try bus.publish(ev())
        try bus.publish(ev())
        bus.shutdown()
        bus.shutdown()
        #expect(try await waiter.value.count == 2)
        #expect(try await take(10, from: pending).compactMap(\.sequence) == [1, 2])
        #expect(bus.subscriberCount == 0)
        #expect(throws: ChangeBusError.shutDown) { try bus.publish(ev()) }
        await #expect(throws: ChangeBusError.shutDown) { try await bus.publishWaiting(ev()) }
        #expect(throws: ChangeBusError.shutDown) { try bus.subscribe() }
    }

    @Test func shutdownReleasesWaitingPublisher() async throws {
        let bus = try ChangeBus<TestEvent>()
        let keep = try bus.subscribe(capacity: 1, whenFull: .wait(timeout: .seconds(30)))
        try bus.publish(ev())
        let waiting = Task { try await bus.publishWaiting(ev()) }
        try await untilAPublisherWaits(on: bus)
        #expect(bus.nextSequence == 2, "the waiting publisher has published nothing")
        bus.shutdown()
        await #expect(throws: ChangeBusError.shutDown) { try await within(5) { try await waiting.value } }
        withExtendedLifetime(keep) {}
    }

    @Test func slowSubscriberDoesNotSlowFastOne() async throws {
        let bus = try ChangeBus<TestEvent>()
        let slow = try bus.subscribe(capacity: 10, whenFull: .dropOldest)
        let fast = try bus.subscribe(capacity: 1_000, whenFull: .wait(timeout: .seconds(5)))
        let count = 20_000
        // 20,000 events through a 2-thread pool shared with the other suites: the budget is for
        // a hang, not a speed (alone it takes 0.2 s; a loaded machine took over 10 s).
        let reader = Task { try await take(count, from: fast, within: 60) }
        try await within(60) {
            for i in 0..<count { try await bus.publishWaiting(ev("m", .created, i)) }
        }
        let got = try await reader.value
        #expect(got.compactMap(\.sequence) == Array(1...UInt64(count)))
        let slowGot = try await take(11, from: slow)
        guard case .missed(let r) = slowGot[0] else { Issue.record("slow subscriber should see a gap"); return }
        #expect(r == 1...UInt64(count - 10))
    }

    @Test func memoryStaysBoundedWithStalledSubscriber() throws {
        let bus = try ChangeBus<TestEvent>(replayWindow: 64)
        let stalled = try bus.subscribe(capacity: 100, whenFull: .dropOldest)
        for i in 0..<100_000 { try bus.publish(ev("m", .created, i)) }
        #expect(stalled.handle.sub.buffer.count == 100)
        #expect(bus.state.withLock { $0.replay.count } == 64)
        #expect(stalled.handle.sub.missed == 1...99_900)
    }

    @Test func startFromSequenceInReplayWindow() async throws {
        let bus = try ChangeBus<TestEvent>(replayWindow: 5)
        for i in 1...10 { try bus.publish(ev(i % 2 == 0 ? "even" : "odd", .created, i)) }
        #expect(bus.oldestHeldSequence == 6)
        let late = try bus.subscribe(from: .sequence(7))
        let lateEven = try bus.subscribe(.topic("even"), from: .sequence(6))
        let atNext = try bus.subscribe(from: .sequence(11))
        try bus.publish(ev("even", .created, 11))
        #expect(try await take(5, from: late).compactMap(\.sequence) == [7, 8, 9, 10, 11])
        #expect(try await take(4, from: lateEven).compactMap(\.sequence) == [6, 8, 10, 11])
        #expect(try await take(1, from: atNext).compactMap(\.sequence) == [11])
        #expect(throws: ChangeBusError.sequenceNoLongerHeld(requested: 3, oldestHeld: 7)) {
            try bus.subscribe(from: .sequence(3))
        }
        #expect(ChangeBusError.sequenceNoLongerHeld(requested: 3, oldestHeld: 7).description.contains("oldest held is 7"))
        #expect(throws: ChangeBusError.sequenceNotYetPublished(requested: 20, next: 12)) {
            try bus.subscribe(from: .sequence(20))
        }
    }

    @Test func badInputsAreRejected() throws {
        let bus = try ChangeBus<TestEvent>(maximumCapacity: 1000)
        #expect(throws: ChangeBusError.invalidCapacity(0)) { try bus.subscribe(capacity: 0) }
        #expect(throws: ChangeBusError.invalidCapacity(-5)) { try bus.subscribe(capacity: -5) }
        #expect(throws: ChangeBusError.capacityTooLarge(requested: 1001, maximum: 1000)) { try bus.subscribe(capacity: 1001) }
        #expect(throws: ChangeBusError.self) { try ChangeBus<TestEvent>(startSequence: 0) }
        #expect(throws: ChangeBusError.self) { try ChangeBus<TestEvent>(replayWindow: -1) }
        let noReplay = try ChangeBus<TestEvent>(replayWindow: 0)
        try noReplay.publish(ev())
        #expect(throws: ChangeBusError.sequenceNoLongerHeld(requested: 1, oldestHeld: 2)) {
            try noReplay.subscribe(from: .sequence(1))
        }
        #expect(bus.subscriberCount == 0)
    }
}

@Suite("ChangeBus.publishBlocking")
struct ChangeBusPublishBlockingTests {
    @Test("a batch larger than a .wait subscription is handed over as it makes room, in order")
    func largerThanSubscription() async throws {
        let bus = try ChangeBus<TestEvent>()
        let sub = try bus.subscribe(capacity: 2, whenFull: .wait(timeout: .seconds(30)))
        let reader = Task { try await take(10, from: sub).compactMap(\.sequence) }
        let published = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: try? bus.publishBlocking(contentsOf: (1...10).map { ev("mission", .created, $0) }) { false }) }.start()
        }
        #expect(published == 10)
        #expect(try await reader.value == Array(1...10))
    }

    @Test("giveUp stops it with what was published; a shut-down bus throws")
    func givesUpAndShutDown() throws {
        let bus = try ChangeBus<TestEvent>()
        let stalled = try bus.subscribe(capacity: 2, whenFull: .wait(timeout: .seconds(30)))  // never read
        var tries = 0
        let published = try bus.publishBlocking(contentsOf: (1...5).map { ev("mission", .created, $0) }) {
            tries += 1
            return tries > 3
        }
        #expect(published == 2)
        #expect(bus.nextSequence == 3)
        withExtendedLifetime(stalled) {}
        bus.shutdown()
        #expect(throws: ChangeBusError.shutDown) { try bus.publishBlocking(contentsOf: [ev("mission", .created, 6)]) { false } }
    }
}
