import Testing
@testable import ChangeBus

/// A small deterministic generator (SplitMix64), so that a failing interleaving can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("ConsumerState: a subscription's consumer, without locks or continuations")
struct ConsumerStateTests {
    @Test("an empty consumer takes what is pending before it sees any ending", arguments: [
        (pending: true, finished: false, failure: nil as ChangeBusError?, expected: ConsumerState<Int>.Next.take),
        (pending: true, finished: true, failure: .producerFailed("x"), expected: .take),
        (pending: true, finished: true, failure: nil, expected: .take),
        (pending: false, finished: true, failure: .producerFailed("x"), expected: .fail(.producerFailed("x"))),
        (pending: false, finished: true, failure: nil, expected: .end),
        (pending: false, finished: false, failure: nil, expected: .park),
    ])
    func nextDecision(pending: Bool, finished: Bool, failure: ChangeBusError?, expected: ConsumerState<Int>.Next) {
        var state = ConsumerState<Int>()
        if finished { _ = state.finish(failure: failure) }
        #expect(state.next(hasPending: pending) == expected)
    }

    @Test func parkingWhenSomethingArrivedOrEndedHandsTheContinuationBackAtOnce() {
        var state = ConsumerState<Int>()
        #expect(state.park(1, hasPending: true) == 1, "a change arrived between the check and the park")
        #expect(!state.isParked)
        _ = state.finish(failure: nil)
        #expect(state.park(2, hasPending: false) == 2, "the subscription ended between the check and the park")
        #expect(!state.isParked)
    }

    @Test func aParkedContinuationIsHandedOutExactlyOnce() {
        var state = ConsumerState<Int>()
        #expect(state.delivered() == nil, "nobody parked: nothing to wake")
        #expect(state.park(7, hasPending: false) == nil)
        #expect(state.isParked)
        #expect(state.delivered() == 7)
        #expect(state.delivered() == nil, "a second change does not wake it again")
        #expect(state.finish(failure: .shutDown) == nil, "nor does the end")
        #expect(state.park(8, hasPending: false) == 8, "ended: parking again returns at once")
    }

    @Test func theFirstEndingDecidesTheFailure() {
        var state = ConsumerState<Int>()
        #expect(state.park(3, hasPending: false) == nil)
        #expect(state.finish(failure: .producerFailed("disk full")) == 3)
        #expect(state.finish(failure: nil) == nil)
        #expect(state.finish(failure: .producerFailed("later")) == nil)
        #expect(state.failure == .producerFailed("disk full"))
        #expect(state.next(hasPending: false) == .fail(.producerFailed("disk full")))
    }

    /// Random interleavings of publishes, consumer steps and endings. Invariants after every
    /// step: a parked consumer never stays parked while something is pending or the
    /// subscription has ended (no lost wake-up); every parked continuation comes back exactly
    /// once; and the consumer sees every change before the end.
    @Test(arguments: 0..<50 as Range<UInt64>)
    func randomInterleavingsLoseNoWakeUpAndWakeEachParkOnce(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var state = ConsumerState<Int>()
        var pending = 0          // changes published, not yet taken
        var taken = 0
        var published = 0
        var nextToken = 0
        var outstanding: Set<Int> = []   // parked continuations not yet handed back
        var handedBack: Set<Int> = []
        var running = true       // the consumer is not suspended
        var sawEnd = false
        func handBack(_ token: Int?) {
            guard let token else { return }
            #expect(outstanding.remove(token) != nil, "continuation \(token) handed back once (seed \(seed))")
            #expect(handedBack.insert(token).inserted)
            running = true
        }
        for _ in 0..<400 where !sawEnd {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4:  // a publisher adds a change
                if state.finished { break }
                pending += 1
                published += 1
                handBack(state.delivered())
            case 4..<9:  // the consumer, if running, takes a step
                guard running else { break }
                switch state.next(hasPending: pending > 0) {
                case .take:
                    taken += pending
                    pending = 0
                case .park:
                    nextToken += 1
                    outstanding.insert(nextToken)
                    running = false
                    // Sometimes a change lands between the decision and the park.
                    if Bool.random(using: &rng), !state.finished {
                        pending += 1
                        published += 1
                        handBack(state.delivered())  // nobody parked yet: nothing
                    }
                    handBack(state.park(nextToken, hasPending: pending > 0))
                case .end, .fail:
                    sawEnd = true
                }
            default:  // the bus shuts down or the subscription is cancelled
                handBack(state.finish(failure: Bool.random(using: &rng) ? .producerFailed("p") : nil))
            }
            #expect(!(state.isParked && (pending > 0 || state.finished)), "lost wake-up (seed \(seed))")
            #expect(state.isParked == !running)
        }
        if sawEnd { #expect(taken == published, "every change before the end (seed \(seed))") }
        #expect(outstanding.count == (state.isParked ? 1 : 0))
    }
}

@Suite("WakeList")
struct WakeListTests {
    @Test(arguments: [0, 1, 3, 4, 5, 9, 100])
    func runsEveryContinuationOnceInOrder(count: Int) {
        var list = WakeList<Int>()
        for i in 0..<count { list.append(i) }
        let held = list.count, inline = list.overflowCapacity == 0
        #expect(held == count)
        #expect(inline == (count <= WakeList<Int>.inlineCapacity), "up to four stay inline")
        var seen: [Int] = []
        list.run { seen.append($0) }
        #expect(seen == Array(0..<count))
    }
}

@Suite("RoomWaiters")
struct RoomWaitersTests {
    @Test func roomWakesEveryParkedTaskOnceAndSignalsBlockedThreads() {
        var waiters = RoomWaiters<Int>()
        #expect(waiters.isEmpty)
        let a = waiters.makeToken(), b = waiters.makeToken()
        #expect(a != b)
        waiters.park(10, token: a)
        waiters.park(20, token: b)
        waiters.threadWillWait()
        #expect(!waiters.isEmpty)
        var resumed: [Int] = []
        var signals = 0
        waiters.roomMade().run(resume: { resumed.append($0) }, signal: { signals += 1 })
        #expect(resumed.sorted() == [10, 20])
        #expect(signals == 1)
        #expect(waiters.cancel(token: a) == nil, "a timer firing after the room was made finds nothing to resume")
        #expect(!waiters.isEmpty, "the thread counts until it stops waiting")
        waiters.threadDidWait()
        #expect(waiters.isEmpty)
        let nothing = waiters.roomMade()
        let isEmpty = nothing.isEmpty
        #expect(isEmpty)
        nothing.run(resume: { _ in Issue.record("nobody waits") }, signal: { Issue.record("no thread waits") })
    }

    @Test func aTimedOutTaskIsNotWokenAgainByRoom() {
        var waiters = RoomWaiters<Int>()
        let a = waiters.makeToken()
        waiters.park(1, token: a)
        #expect(waiters.cancel(token: a) == 1)
        #expect(waiters.cancel(token: a) == nil)
        let wakeups = waiters.roomMade()
        let isEmpty = wakeups.isEmpty
        #expect(isEmpty)
        wakeups.run(resume: { _ in Issue.record("already resumed by its timer") }, signal: {})
    }
}
