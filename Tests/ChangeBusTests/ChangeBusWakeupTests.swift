import Testing
@testable import ChangeBus

/// Publisher and consumer isolated to one actor: the consumer can only run when the
/// publisher suspends, as when both share one thread of the cooperative pool.
actor SharedExecutor {
    var consumed = 0
    var maxLag: UInt64 = 0

    func consume(_ sub: ChangeBus<TestEvent>.Subscription, bus: ChangeBus<TestEvent>, count: Int) async throws -> [UInt64] {
        var seqs: [UInt64] = []
        for try await element in sub {
            guard let s = element.sequence else { continue }
            seqs.append(s)
            consumed += 1
            maxLag = max(maxLag, bus.nextSequence - 1 - s)
            if seqs.count == count { break }
        }
        return seqs
    }

    func publish(_ bus: ChangeBus<TestEvent>, count: Int) async throws {
        for i in 0..<count { try await bus.publishWaiting(ev("m", .created, i)) }
    }
}

@Suite("ChangeBus wake-ups and batching")
struct ChangeBusWakeupTests {
    @Test func consumerSharingThePublishersExecutorRunsWithoutWaitingForAFullBuffer() async throws {
        let bus = try ChangeBus<TestEvent>()
        let count = 5_000
        let sub = try bus.subscribe(capacity: 100_000, whenFull: .wait(timeout: .seconds(10)))
        let shared = SharedExecutor()
        let seqs = try await within(90) {
            async let got = shared.consume(sub, bus: bus, count: count)
            // Start publishing once the consumer is parked, waiting for its first change.
            while !bus.state.withLock({ _ in sub.handle.sub.consumer.isParked }) { await Task.yield() }
            try await shared.publish(bus, count: count)
            return try await got
        }
        #expect(seqs == Array(1...UInt64(count)), "every change once, in order")
        let lag = await shared.maxLag
        // publishWaiting yields after yieldInterval publishes once a consumer was woken, so
        // the consumer falls at most a couple of intervals behind, never the whole 5,000.
        #expect(ChangeBus<TestEvent>.State.yieldInterval == 256)
        #expect(lag <= 1_000, "max lag was \(lag)")
    }

    @Test func noWakeUpIsLostInPingPong() async throws {
        // The consumer drains its buffer and parks before every publish, so each publish must
        // wake it; one lost wake-up would hang here until `within` fails the test.
        let bus = try ChangeBus<TestEvent>()
        let sub = try bus.subscribe(capacity: 4, whenFull: .disconnect)
        let rounds = 3_000
        let progress = LiveCounter()
        let consumer = Task {
            var n = 0
            for try await element in sub {
                #expect(element.sequence == UInt64(n + 1))
                n += 1
                progress.add(1)
                if n == rounds { break }
            }
            return n
        }
        try await within(60) {
            for i in 0..<rounds {
                try bus.publish(ev("m", .created, i))
                while progress.count <= i { await Task.yield() }
            }
        }
        #expect(try await within { try await consumer.value } == rounds)
    }

    @Test func manyPublishersAndParkingConsumersLoseNothing() async throws {
        let bus = try ChangeBus<TestEvent>()
        let publishers = 4, perPublisher = 3_000, total = publishers * perPublisher
        let subs = try (0..<3).map { _ in try bus.subscribe(capacity: 64, whenFull: .wait(timeout: .seconds(20))) }
        let readers = subs.map { sub in
            Task { () -> [UInt64] in
                var out: [UInt64] = []
                var it = sub.makeAsyncIterator()
                while out.count < total, let e = try await it.next() { out.append(e.sequence!) }
                return out
            }
        }
        try await within(60) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for p in 0..<publishers {
                    group.addTask {
                        for n in 0..<perPublisher {
                            try await bus.publishWaiting(TestEvent(topic: "t", kind: .created, publisher: p, n: n))
                            if n % 97 == 0 { try await Task.sleep(for: .microseconds(50)) }  // let consumers park
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        for r in readers {
            #expect(try await within { try await r.value } == Array(1...UInt64(total)))
        }
    }

    @Test func severalDisconnectSubscriptionsCutOffInOnePublish() async throws {
        let bus = try ChangeBus<TestEvent>()
        let a = try bus.subscribe(capacity: 1, whenFull: .disconnect)
        let keep = try bus.subscribe(capacity: 10, whenFull: .dropOldest)
        let b = try bus.subscribe(capacity: 1, whenFull: .disconnect)
        try bus.publish(ev())
        try bus.publish(ev())  // both .disconnect subscriptions are full now
        #expect(bus.subscriberCount == 1)
        #expect(a.handle.sub.buffer.slots == 0 && b.handle.sub.buffer.slots == 0, "buffers of cut-off subscriptions are freed")
        await #expect(throws: ChangeBusError.disconnectedSlowSubscriber(subscription: a.id, capacity: 1, lastDelivered: 0)) {
            _ = try await take(5, from: a)
        }
        await #expect(throws: ChangeBusError.disconnectedSlowSubscriber(subscription: b.id, capacity: 1, lastDelivered: 0)) {
            _ = try await take(5, from: b)
        }
        try bus.publish(ev())
        #expect(try await take(3, from: keep).compactMap(\.sequence) == [1, 2, 3])
    }

    @Test func stalledSubscriberMemoryStaysAtItsCapacity() throws {
        let bus = try ChangeBus<TestEvent>(replayWindow: 64)
        let stalled = try bus.subscribe(capacity: 100, whenFull: .dropOldest)
        for i in 0..<50_000 { try bus.publish(ev("m", .created, i)) }
        #expect(stalled.handle.sub.buffer.count == 100)
        #expect(stalled.handle.sub.buffer.slots == 128, "ring memory: capacity rounded up to a power of two")
        #expect(bus.state.withLock { $0.replay.slots } == 64)
    }
}

@Suite("ChangeBus .wait fullness bookkeeping")
struct ChangeBusWaitFullnessTests {
    @Test func fullWaitSubscriptionsBlockOnlyTheirOwnChangesEvenAfterOthersDrain() async throws {
        let bus = try ChangeBus<TestEvent>()
        let a = try bus.subscribe(.topic("a"), capacity: 2, whenFull: .wait(timeout: .seconds(5)))
        let b = try bus.subscribe(.topic("b"), capacity: 2, whenFull: .wait(timeout: .seconds(5)))
        try bus.publish(ev("a"))
        try bus.publish(ev("a"))                       // a is full
        try bus.publish(ev("b"))                       // not blocked: a does not want "b"
        try bus.publish(ev("b"))                       // b is full
        #expect(throws: ChangeBusError.subscriberFullUseAsyncPublish(subscription: a.id)) { try bus.publish(ev("a")) }
        #expect(throws: ChangeBusError.subscriberFullUseAsyncPublish(subscription: b.id)) { try bus.publish(ev("b")) }
        #expect(try await take(2, from: a).compactMap(\.sequence) == [1, 2])
        #expect(try bus.publish(ev("a")) == 5, "a has room again")
        #expect(throws: ChangeBusError.subscriberFullUseAsyncPublish(subscription: b.id), "b is still full") {
            try bus.publish(ev("b"))
        }
        #expect(try await take(2, from: b).compactMap(\.sequence) == [3, 4])
        #expect(try bus.publish(ev("b")) == 6)
        #expect(try bus.publish(ev("a")) == 7)
        #expect(throws: ChangeBusError.subscriberFullUseAsyncPublish(subscription: a.id), "a filled up again") {
            try bus.publish(ev("a"))
        }
    }

    @Test func aReplayBacklogLargerThanCapacityBlocksLikeAFullBuffer() throws {
        let bus = try ChangeBus<TestEvent>(replayWindow: 10)
        for _ in 0..<5 { try bus.publish(ev()) }
        let late = try bus.subscribe(capacity: 2, whenFull: .wait(timeout: .seconds(1)), from: .sequence(1))
        #expect(throws: ChangeBusError.subscriberFullUseAsyncPublish(subscription: late.id)) { try bus.publish(ev()) }
        #expect(bus.nextSequence == 6)
    }
}
