import Testing
@testable import ChangeBus

/// Counts live instances, to check that the ring destroys exactly the values it holds.
final class Tracked: @unchecked Sendable {
    let n: Int
    let live: LiveCounter
    init(_ n: Int, _ live: LiveCounter) {
        self.n = n
        self.live = live
        live.add(1)
    }
    deinit { live.add(-1) }
}

final class LiveCounter: @unchecked Sendable {
    private var value = 0
    private let lock = PThreadLock(())
    func add(_ d: Int) { lock.withLock { _ in value += d } }
    var count: Int { lock.withLock { _ in value } }
}

@Suite("ElementRing", .serialized)
struct ElementRingTests {
    @Test func keepsFifoOrderAndSequencesAcrossWrapAndGrowth() {
        let ring = ElementRing<Int>(minimumCapacity: 4)
        #expect(ring.slots == 16)
        var expected: [Int] = []
        var next = 0
        // Interleave appends and pops so head wraps around several times while the ring grows.
        for round in 0..<50 {
            for _ in 0..<(round % 7 + 3) {
                ring.appendSlot(sequence: UInt64(next) + 1000).initialize(to: next)
                expected.append(next)
                next += 1
            }
            for _ in 0..<(round % 5 + 1) where !expected.isEmpty {
                #expect(ring.sequence(at: 0) == UInt64(expected[0]) + 1000)
                #expect(ring.popFirst() == expected.removeFirst())
            }
        }
        #expect(ring.count == expected.count)
        for (i, v) in expected.enumerated() {
            #expect(ring.value(at: i).pointee == v)
            #expect(ring.sequence(at: i) == UInt64(v) + 1000)
        }
        while let v = ring.popFirst() { #expect(v == expected.removeFirst()) }
        #expect(expected.isEmpty)
        #expect(ring.popFirst() == nil)
    }

    @Test func swapContentsExchangesValuesWithoutCopying() {
        let a = ElementRing<Int>()
        let b = ElementRing<Int>()
        for i in 0..<20 { a.appendSlot(sequence: UInt64(i)).initialize(to: i) }
        let storage = a.values
        a.swapContents(with: b)
        #expect(a.isEmpty && a.values == nil)
        #expect(b.count == 20 && b.values == storage)
        #expect(b.popFirst() == 0)
    }

    @Test func destroysExactlyTheValuesItHolds() {
        let live = LiveCounter()
        let before = live.count
        do {
            let ring = ElementRing<Tracked>()
            for i in 0..<100 { ring.appendSlot(sequence: UInt64(i)).initialize(to: Tracked(i, live)) }
            for _ in 0..<30 { ring.removeFirst() }
            #expect(live.count == before + 70, "dropped values are destroyed in place")
            let popped = ring.popFirst()
            #expect(popped?.n == 30)
            ring.release()
            #expect(ring.slots == 0 && ring.values == nil, "release frees the memory")
            #expect(live.count == before + 1, "only the popped value is still alive")
            for i in 0..<5 { ring.appendSlot(sequence: UInt64(i)).initialize(to: Tracked(i, live)) }
        }
        #expect(live.count == before, "deinit destroys what is left")
    }
}

struct RefEvent: BusEvent {
    var topic: Int { 0 }
    var kind: Int { 0 }
    let payload: Tracked
}

@Suite("ChangeBus with reference-holding events", .serialized)
struct ChangeBusReferenceEventTests {
    @Test func eventsHoldingReferencesAreKeptWhileHeldAndReleasedExactlyOnce() async throws {
        let live = LiveCounter()
        let before = live.count
        do {
            let bus = try ChangeBus<RefEvent>(replayWindow: 8)
            let sub = try bus.subscribe(capacity: 4, whenFull: .dropOldest)
            for i in 0..<20 { try bus.publish(RefEvent(payload: Tracked(i, live))) }
            // Held: 8 in the replay window (16...19 are in both), 4 pending for the subscription.
            #expect(live.count == before + 8)
            var it = sub.makeAsyncIterator()
            guard case .missed(let gap)? = try await it.next() else { Issue.record("expected a gap"); return }
            #expect(gap == 1...16)
            var seen: [Int] = []
            for _ in 0..<4 { if let e = try await it.next()?.event { seen.append(e.payload.n) } }
            #expect(seen == [16, 17, 18, 19], "the payload objects survived the copies intact")
            bus.shutdown()
        }
        #expect(live.count == before, "every payload released once the bus and subscription are gone")
    }
}
