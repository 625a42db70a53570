import Foundation
import Testing
@testable import IOMStore

/// Waits for `semaphore` on a thread of its own (never a thread of the cooperative pool);
/// whether it was signalled within `seconds`.
private func signalled(_ semaphore: DispatchSemaphore, within seconds: Double = 10) async -> Bool {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: semaphore.wait(timeout: .now() + seconds) == .success) }.start()
    }
}

/// Semaphores around a store whose `onCommit` holds the group that saved record "1".
private struct HeldFirstCommit {
    /// Signalled by the test to let that `onCommit` return.
    let gate = DispatchSemaphore(value: 0)
    /// Signalled when that `onCommit` starts (before it waits on `gate`).
    let publishing = DispatchSemaphore(value: 0)
    /// Signalled when the writer writes record "2".
    let secondWriting = DispatchSemaphore(value: 0)

    /// Installs the hold in `configuration`; `record` sees every committed group, after the hold.
    func install(in configuration: inout StoreConfiguration, record: @escaping @Sendable ([JournalEntry]) -> Void) {
        let gate = gate, publishing = publishing, secondWriting = secondWriting
        configuration.onCommit = { entries in
            if entries.first?.recordID == "1" {
                publishing.signal()
                gate.wait()
            }
            record(entries)
        }
        configuration._faultInjection = { mutation in if mutation.id == "2" { secondWriting.signal() } }
    }
}

@Suite("CommitLane: what follows a commit runs on its own thread, in order, while the writer goes on")
struct CommitLaneTests {
    @Test("work runs once each, in the order pushed, on the lane's thread (not the pusher's)")
    func order() async {
        let lane = CommitLane(name: "test.lane")
        let ran = Collector<Int>()
        let onPusher = Collector<Bool>()
        let done = DispatchSemaphore(value: 0)
        let pusher = Thread {
            let me = ObjectIdentifier(Thread.current)
            for index in 0..<200 {
                lane.push {
                    onPusher.append([ObjectIdentifier(Thread.current) == me])
                    ran.append([index])
                }
            }
            lane.waitUntilEmpty()
            done.signal()
        }
        pusher.start()
        #expect(await signalled(done))
        #expect(ran.all == Array(0..<200))
        #expect(onPusher.all.count == 200 && !onPusher.all.contains(true))
        lane.finish()
    }

    @Test("waitUntilEmpty returns only after the running work has finished")
    func waitsForRunning() async {
        let lane = CommitLane(name: "test.lane")
        let started = DispatchSemaphore(value: 0), gate = DispatchSemaphore(value: 0)
        let waiting = DispatchSemaphore(value: 0), emptied = DispatchSemaphore(value: 0)
        let finished = Collector<String>()
        lane.push {
            started.signal()
            gate.wait()
            finished.append(["work"])
        }
        #expect(await signalled(started))
        Thread {
            waiting.signal()
            lane.waitUntilEmpty()
            finished.append(["empty"])
            emptied.signal()
        }.start()
        #expect(await signalled(waiting))
        // Bounded look for a wrong early return while the work is still running.
        #expect(await !signalled(emptied, within: 0.2), "waitUntilEmpty returned while work was running")
        gate.signal()
        #expect(await signalled(emptied))
        #expect(finished.all == ["work", "empty"])
        lane.finish()
    }

    @Test("the writer commits the next group while onCommit of the previous one is held", arguments: Backing.allCases)
    func writerOvertakesOnCommit(_ backing: Backing) async throws {
        let hold = HeldFirstCommit()
        let gate = hold.gate, firstPublishing = hold.publishing, secondWriting = hold.secondWriting
        let published = Collector<UInt64>()
        try await withStore(backing, configure: { configuration in
            hold.install(in: &configuration) { entries in published.append(entries.map(\.sequence)) }
        }) { (store: RecordStore) async throws in
            let saved = DispatchSemaphore(value: 0)
            let first = Task {
                defer { saved.signal() }
                return try await store.apply(.create(type: "t", id: "1", payload: bytes("one")))
            }
            #expect(await signalled(firstPublishing), "the first commit reaches onCommit")
            let second = Task {
                defer { saved.signal() }
                return try await store.apply(.create(type: "t", id: "2", payload: bytes("two")))
            }
            // With one thread for writing and publishing, this never happens until the gate opens.
            let overtook = await signalled(secondWriting)
            gate.signal()
            #expect(overtook, "the second group is written while the first one's onCommit is held")
            for _ in 0..<2 { #expect(await signalled(saved), "both saves return") }
            #expect(try await first.value.sequence == 1)
            #expect(try await second.value.sequence == 2)
            #expect(published.all == [1, 2], "published in journal order, each once")
        }
    }

    @Test("closing for writing returns after every queued save is committed and its caller told", arguments: Backing.allCases)
    func closeWaitsForCompletions(_ backing: Backing) async throws {
        let gate = DispatchSemaphore(value: 0), publishing = DispatchSemaphore(value: 0)
        let events = Collector<String>()
        try await withStore(backing, configure: { configuration in
            configuration.onCommit = { _ in
                publishing.signal()
                gate.wait()
            }
        }) { (store: RecordStore) async throws in
            store.enqueue(each: (0..<3).map { .create(type: "t", id: "\($0)", payload: []) }) { result in
                if case .success(let outcomes) = result, outcomes.allSatisfy({ (try? $0.get()) != nil }) { events.append(["committed"]) }
            }
            #expect(await signalled(publishing))
            let closed = DispatchSemaphore(value: 0)
            Task {
                await store.closeForWriting()
                events.append(["closed"])
                closed.signal()
            }
            // The close is under way (new saves refused) while the commit is still held.
            while !store.committer.isClosed { await Task.yield() }
            #expect(await !signalled(closed, within: 0.2), "closeForWriting returned before the held commit's caller was told")
            gate.signal()
            #expect(await signalled(closed))
            #expect(events.all == ["committed", "closed"])
        }
    }

    @Test("a held onCommit stops the writer once the lane holds two commits and it has committed one more", arguments: Backing.allCases)
    func backPressure(_ backing: Backing) async throws {
        let gate = DispatchSemaphore(value: 0), published = Collector<String>()
        let writing = ["A", "B", "C", "D"].map { ($0, DispatchSemaphore(value: 0)) }
        let signals = Dictionary(uniqueKeysWithValues: writing)
        try await withStore(backing, configure: { configuration in
            configuration.onCommit = { entries in
                if entries.first?.recordID == "A" { gate.wait() }
                published.append(entries.map(\.recordID))
            }
            configuration._faultInjection = { mutation in signals[mutation.id]?.signal() }
        }) { (store: RecordStore) async throws in
            let told = DispatchSemaphore(value: 0)
            func save(_ id: String) { store.enqueue(each: [.create(type: "t", id: id, payload: [])]) { _ in told.signal() } }
            save("A")
            #expect(await signalled(signals["A"]!))
            save("B")
            #expect(await signalled(signals["B"]!), "B is written while A's onCommit is held")
            save("C")
            #expect(await signalled(signals["C"]!), "C is written too: the lane holds A (running) and B")
            save("D")
            #expect(await !signalled(signals["D"]!, within: 0.2), "D waits: the writer holds C until the lane has room")
            gate.signal()
            #expect(await signalled(signals["D"]!))
            for _ in 0..<4 { #expect(await signalled(told)) }
            #expect(published.all == ["A", "B", "C", "D"])
        }
    }

    @Test("a writer idle past its timeout while onCommit is held still writes new saves, and publishes them after", arguments: Backing.allCases)
    func idleWriterWithHeldLane(_ backing: Backing) async throws {
        let hold = HeldFirstCommit()
        let gate = hold.gate, publishing = hold.publishing, secondWriting = hold.secondWriting
        let published = Collector<String>()
        let idle = DispatchSemaphore(value: 0)
        try await withStore(backing, configure: { configuration in
            hold.install(in: &configuration) { entries in published.append(entries.map(\.recordID)) }
            configuration._writerIdleWithBusyLane = { idle.signal() }
        }) { (store: RecordStore) async throws in
            let told = DispatchSemaphore(value: 0)
            store.enqueue(each: [.create(type: "t", id: "1", payload: [])]) { _ in told.signal() }
            #expect(await signalled(publishing))
            // The writer has passed its idle timeout (1 s) with nothing to write and its lane held.
            #expect(await signalled(idle), "the writer idles with its lane held")
            store.enqueue(each: [.create(type: "t", id: "2", payload: [])]) { _ in told.signal() }
            let written = await signalled(secondWriting)
            gate.signal()
            #expect(written, "a new save is written while the lane is still held")
            for _ in 0..<2 { #expect(await signalled(told)) }
            #expect(published.all == ["1", "2"], "in journal order: the new writer's commit waits for the held one")
        }
    }
}
