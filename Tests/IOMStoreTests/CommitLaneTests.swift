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

@Suite("CommitLane: what follows a commit runs on its own thread, in order, while the writer goes on")
struct CommitLaneTests {
    @Test("work runs once each, in the order pushed, off the pushing thread")
    func order() async {
        let lane = CommitLane(name: "test.lane")
        let ran = Collector<Int>()
        let done = DispatchSemaphore(value: 0)
        let pusher = Thread {
            for index in 0..<200 {
                lane.push {
                    #expect(!Thread.current.isMainThread)
                    ran.append([index])
                }
            }
            lane.waitUntilEmpty()
            done.signal()
        }
        pusher.start()
        #expect(await signalled(done))
        #expect(ran.all == Array(0..<200))
        lane.finish()
    }

    @Test("waitUntilEmpty returns only after the running work has finished")
    func waitsForRunning() async {
        let lane = CommitLane(name: "test.lane")
        let started = DispatchSemaphore(value: 0), gate = DispatchSemaphore(value: 0), emptied = DispatchSemaphore(value: 0)
        let finished = Collector<String>()
        lane.push {
            started.signal()
            gate.wait()
            finished.append(["work"])
        }
        #expect(await signalled(started))
        Thread {
            lane.waitUntilEmpty()
            finished.append(["empty"])
            emptied.signal()
        }.start()
        gate.signal()
        #expect(await signalled(emptied))
        #expect(finished.all == ["work", "empty"])
        lane.finish()
    }

    @Test("the writer commits the next group while onCommit of the previous one is held", arguments: Backing.allCases)
    func writerOvertakesOnCommit(_ backing: Backing) async throws {
        let gate = DispatchSemaphore(value: 0), firstPublishing = DispatchSemaphore(value: 0), secondWriting = DispatchSemaphore(value: 0)
        let published = Collector<UInt64>()
        try await withStore(backing, configure: { configuration in
            configuration.onCommit = { entries in
                if entries.first?.recordID == "1" {
                    firstPublishing.signal()
                    gate.wait()
                }
                published.append(entries.map(\.sequence))
            }
            configuration._faultInjection = { mutation in if mutation.id == "2" { secondWriting.signal() } }
        }) { (store: RecordStore) async throws in
            let first = Task { try await store.apply(.create(type: "t", id: "1", payload: bytes("one"))) }
            #expect(await signalled(firstPublishing), "the first commit reaches onCommit")
            let second = Task { try await store.apply(.create(type: "t", id: "2", payload: bytes("two"))) }
            // With one thread for writing and publishing, this never happens until the gate opens.
            let overtook = await signalled(secondWriting)
            gate.signal()
            #expect(overtook, "the second group is written while the first one's onCommit is held")
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
            let closing = Task {
                await store.closeForWriting()
                events.append(["closed"])
            }
            // The close is under way (new saves refused) while the commit is still held.
            while !store.committer.isClosed { await Task.yield() }
            gate.signal()
            await closing.value
            #expect(events.all == ["committed", "closed"])
        }
    }
}
