import Foundation
@testable import IOMBridge
import Synchronization
import Testing

@Suite("Decode workers: parts of a batch on several threads", .timeLimit(.minutes(1)))
struct DecodeWorkersTests {
    @Test("every part runs exactly once, the caller runs part 0, and run returns only when all parts are done", arguments: [1, 3])
    func everyPartOnce(workers count: Int) {
        let workers = DecodeWorkers(count: count, name: "test.decode")
        defer { workers.stop() }
        let caller = pthread_self()
        for parts in 1...(count + 1) {
            for _ in 0..<200 {
                let runs = Mutex<[Int]>([])
                let onCaller = Mutex<[Int]>([])
                workers.run(parts: parts) { part in
                    // A slow part must still be waited for.
                    if part == parts - 1 { usleep(50) }
                    runs.withLock { $0.append(part) }
                    if pthread_equal(pthread_self(), caller) != 0 { onCaller.withLock { $0.append(part) } }
                }
                #expect(runs.withLock { $0.sorted() } == Array(0..<parts))
                #expect(onCaller.withLock { $0 } == [0])
            }
        }
    }

    @Test("more parts than threads are all run, on the caller")
    func morePartsThanWorkers() {
        let workers = DecodeWorkers(count: 1, name: "test.decode")
        defer { workers.stop() }
        let runs = Mutex<[Int]>([])
        workers.run(parts: 2) { part in runs.withLock { $0.append(part) } }
        #expect(runs.withLock { $0.sorted() } == [0, 1])
        let none = DecodeWorkers(count: 0, name: "test.none")
        defer { none.stop() }
        let alone = Mutex<[Int]>([])
        none.run(parts: 3) { part in alone.withLock { $0.append(part) } }
        #expect(alone.withLock { $0 } == [0, 1, 2])
    }

    @Test("parts write disjoint slots of one buffer from several threads without losing a write")
    func disjointWrites() {
        let workers = DecodeWorkers(count: 3, name: "test.decode")
        defer { workers.stop() }
        var slots = [Int](repeating: 0, count: 4096)
        for round in 1...50 {
            slots.withUnsafeMutableBufferPointer { buffer in
                let shared = SharedSlots(buffer: buffer)
                workers.run(parts: 4) { part in
                    let count = shared.buffer.count
                    for i in (count * part / 4)..<(count * (part + 1) / 4) { shared.buffer[i] = round * 10_000 + i }
                }
            }
            #expect(slots.enumerated().allSatisfy { $0.element == round * 10_000 + $0.offset })
        }
    }
}
