import Foundation
import Testing
@testable import ChangeBus

/// Runs `body` on a new thread (not one of the cooperative pool) and returns its result.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

/// Waits (yielding) until `condition` holds under the bus lock.
func until(_ bus: ChangeBus<TestEvent>, _ condition: (borrowing ChangeBus<TestEvent>.State) -> Bool) async {
    while !bus.state.withLock({ condition($0) }) { await Task.yield() }
}

@Suite("ChangeBus: continuations are resumed after the lock is released")
struct ChangeBusResumeTests {
    @Test func aPublishTakesTheParkedContinuationUnderTheLockAndResumesItAfter() async throws {
        let bus = try ChangeBus<TestEvent>()
        let sub = try bus.subscribe()
        let reader = Task { try await take(1, from: sub).compactMap(\.sequence) }
        await untilParked(bus, sub)
        // The decision, under the lock: the continuation leaves the subscription…
        var wakes = ChangeBus<TestEvent>.Wakeups()
        bus.state.lock()
        let outcome = bus.state.value.pointee.tryAppend(ev(), waking: &wakes)
        let parkedAfter = sub.handle.sub.consumer.isParked
        bus.state.unlock()
        guard case .done(let seq) = outcome else { Issue.record("published"); return }
        #expect(seq == 1)
        #expect(!parkedAfter)
        let woken = wakes.count
        #expect(woken == 1, "…and travels out in the wake list")
        // …the effect, after it.
        wakes.resumeAll()
        #expect(try await reader.value == [1])
    }

    @Test func oneWakeListPerCallHoldsEveryParkedSubscriptionOnce() async throws {
        let bus = try ChangeBus<TestEvent>()
        let subs = try (0..<6).map { _ in try bus.subscribe() }  // more than the list keeps inline
        let readers = subs.map { sub in Task { try await take(2, from: sub).compactMap(\.sequence) } }
        for sub in subs { await untilParked(bus, sub) }
        var wakes = ChangeBus<TestEvent>.Wakeups()
        bus.state.lock()
        let result = bus.state.value.pointee.appendAll([ev(), ev()], waking: &wakes)
        bus.state.unlock()
        #expect(try result.get() == 1...2)
        let woken = wakes.count
        #expect(woken == 6, "each parked consumer once, although two changes reached it")
        wakes.resumeAll()
        for r in readers { #expect(try await r.value == [1, 2]) }
    }

    @Test func aParkedConsumerRacingPublishesAndAShutdownIsWokenOnceAndEndsCleanly() async throws {
        // Each round: a consumer parks; then a publisher thread, an async publisher and a
        // failing shutdown race. The consumer must see a prefix of the changes in order, then
        // the failure — never hang (a lost wake-up) or crash (a continuation resumed twice).
        for round in 0..<200 {
            let bus = try ChangeBus<TestEvent>()
            let sub = try bus.subscribe(capacity: 64, whenFull: .dropOldest)
            let reader = Task { try await drain(sub) }
            await untilParked(bus, sub)
            let thread = Task { await onThread { for i in 0..<20 { _ = try? bus.publish(ev("m", .created, i)) } } }
            let task = Task { for i in 0..<20 { _ = try? await bus.publishWaiting(ev("m", .updated, i)) } }
            let stopper = Task { await Task.yield(); bus.shutdown(failing: .producerFailed("round \(round)")) }
            _ = await (thread.value, task.value, stopper.value)
            let (seqs, failure) = try await reader.value
            #expect(failure == .producerFailed("round \(round)"))
            #expect(seqs == Array(1..<bus.nextSequence), "round \(round): everything published before the shutdown, in order")
        }
    }

    @Test func severalPublishersAndConsumersRacingLoseNothing() async throws {
        // Publishers on threads (publishBlocking), on tasks (publishWaiting) and plain
        // publishes, into .wait consumers small enough to park and fill all the time.
        let bus = try ChangeBus<TestEvent>()
        let threads = 3, tasks = 3, perPublisher = 2_000, batch = 50
        let total = (threads + tasks) * perPublisher
        let subs = try (0..<3).map { _ in try bus.subscribe(capacity: 16, whenFull: .wait(timeout: .seconds(60))) }
        let readers = subs.map { sub in
            Task { () -> [TestEvent] in
                var out: [TestEvent] = []
                var it = sub.makeAsyncIterator()
                var expected: UInt64 = 1
                while out.count < total, let e = try await it.next() {
                    #expect(e.sequence == expected)
                    expected += 1
                    out.append(e.event!)
                }
                return out
            }
        }
        try await within(120) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for p in 0..<threads {
                    group.addTask {
                        let published = await onThread { () -> Int in
                            var n = 0
                            while n < perPublisher {
                                let events = (n..<n + batch).map { TestEvent(topic: "t", kind: .created, publisher: p, n: $0) }
                                n += (try? bus.publishBlocking(contentsOf: events, pause: .seconds(30)) { false }) ?? 0
                            }
                            return n
                        }
                        #expect(published == perPublisher)
                    }
                }
                for p in threads..<threads + tasks {
                    group.addTask {
                        for n in 0..<perPublisher {
                            try await bus.publishWaiting(TestEvent(topic: "t", kind: .created, publisher: p, n: n))
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        for r in readers {
            let got = try await within(60) { try await r.value }
            #expect(got.count == total)
            var next = [Int](repeating: 0, count: threads + tasks)
            for e in got {
                #expect(e.n == next[e.publisher], "each publisher's changes once, in its order")
                next[e.publisher] += 1
            }
        }
    }
}

@Suite("ChangeBus.publishBlocking waits for room without polling")
struct ChangeBusPublishBlockingWakeTests {
    @Test func aConsumerTakingABatchWakesTheBlockedThreadAtOnce() async throws {
        // `pause` is far longer than the test may take: only a wake-up from the consumer can
        // let the thread go on.
        let bus = try ChangeBus<TestEvent>()
        let sub = try bus.subscribe(capacity: 2, whenFull: .wait(timeout: .seconds(60)))
        let thread = Task {
            await onThread { try? bus.publishBlocking(contentsOf: (1...6).map { ev("m", .created, $0) }, pause: .seconds(600)) { false } }
        }
        await until(bus) { $0.room.blockedThreads == 1 }
        #expect(bus.nextSequence == 3, "two fit, the thread waits for the rest")
        let got = try await take(6, from: sub).compactMap(\.sequence)
        #expect(got == Array(1...6))
        #expect(try await within { await thread.value } == 6)
        #expect(bus.state.withLock { $0.room.isEmpty })
    }

    @Test func shutdownWakesTheBlockedThreadWhichThrows() async throws {
        let bus = try ChangeBus<TestEvent>()
        let stalled = try bus.subscribe(capacity: 1, whenFull: .wait(timeout: .seconds(60)))
        let thread = Task { () -> ChangeBusError? in
            await onThread { () -> ChangeBusError? in
                do throws(ChangeBusError) {
                    _ = try bus.publishBlocking(contentsOf: [ev(), ev()], pause: .seconds(600)) { false }
                    return nil
                } catch { return error }
            }
        }
        await until(bus) { $0.room.blockedThreads == 1 }
        bus.shutdown(failing: .producerFailed("stop"))
        #expect(try await within { await thread.value } == .shutDown)
        #expect(bus.nextSequence == 2, "the first change stays published")
        withExtendedLifetime(stalled) {}
    }

    @Test func cancellingTheFullWaitSubscriptionLetsTheThreadFinish() async throws {
        let bus = try ChangeBus<TestEvent>()
        let stalled = try bus.subscribe(capacity: 1, whenFull: .wait(timeout: .seconds(60)))
        let other = try bus.subscribe(capacity: 10, whenFull: .dropOldest)
        let thread = Task { await onThread { try? bus.publishBlocking(contentsOf: [ev(), ev(), ev()], pause: .seconds(600)) { false } } }
        await until(bus) { $0.room.blockedThreads == 1 }
        stalled.cancel()
        #expect(try await within { await thread.value } == 3)
        #expect(try await take(3, from: other).compactMap(\.sequence) == [1, 2, 3])
    }

    @Test func giveUpIsAskedAgainAfterEachPauseWhileNobodyMakesRoom() async throws {
        let bus = try ChangeBus<TestEvent>()
        let stalled = try bus.subscribe(capacity: 3, whenFull: .wait(timeout: .seconds(60)))
        let asked = LiveCounter()
        let published = await onThread {
            try? bus.publishBlocking(contentsOf: (1...10).map { ev("m", .created, $0) }, pause: .milliseconds(1)) {
                asked.add(1)
                return asked.count >= 5
            }
        }
        #expect(published == 3)
        #expect(asked.count == 5)
        #expect(bus.state.withLock { $0.room.blockedThreads } == 0, "the thread no longer counts as waiting")
        withExtendedLifetime(stalled) {}
    }

    @Test func aBatchThatFitsIsPublishedWithoutAskingGiveUp() throws {
        let bus = try ChangeBus<TestEvent>()
        let sub = try bus.subscribe(capacity: 10, whenFull: .wait(timeout: .seconds(1)))
        #expect(try bus.publishBlocking(contentsOf: [ev(), ev(), ev()]) { Issue.record("not asked"); return true } == 3)
        #expect(try bus.publishBlocking(contentsOf: []) { true } == 0)
        withExtendedLifetime(sub) {}
    }
}
