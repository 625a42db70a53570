import Foundation
import Testing
@testable import ZeroMQ

@Suite("SocketActor")
struct SocketActorTests {
    @Test("async code receives without blocking the cooperative pool")
    func receivesAsync() async throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        try pull.bind("tcp://127.0.0.1:*")
        let endpoint = try pull.lastEndpoint
        let receiver = SocketActor(pull)
        // Many concurrent waiters would starve a 2-thread pool if they blocked it;
        // these park on their own threads.
        let idle = (0..<8).map { _ in Task { () -> [[UInt8]]? in
            let pullIdle = try context.socket(.pull)
            try pullIdle.bind("inproc://idle-\(UUID())")
            return try await SocketActor(pullIdle).receive(timeout: .milliseconds(300))
        } }
        let push = try context.socket(.push)
        try push.connect(endpoint)
        let sender = SocketActor(push)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<4 {
                group.addTask { for j in 0..<25 { try await sender.send([[UInt8(i)], [UInt8(j)]]) } }
            }
            try await group.waitForAll()
        }
        var perSender: [UInt8: [UInt8]] = [:]
        for _ in 0..<100 {
            let message = try await receiver.receive()
            perSender[message[0][0], default: []].append(message[1][0])
        }
        // Each sender's messages keep their order.
        #expect(perSender.count == 4)
        #expect(perSender.values.allSatisfy { $0 == (0..<25).map(UInt8.init) })
        for task in idle { #expect(try await task.value == nil) }
    }

    @Test("cancelling the waiting task ends receive with CancellationError")
    func cancellation() async throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        try pull.bind("inproc://cancel-\(UUID())")
        let actor = SocketActor(pull)
        let task = Task { try await actor.receive(pollInterval: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }

    @Test("withSocket runs configuration on the owning thread and surfaces errors")
    func withSocket() async throws {
        let context = try Context()
        let actor = SocketActor(try context.socket(.sub))
        try await actor.withSocket { try $0.set(.subscribe, [UInt8]("x")) }
        #expect(actor.type == .sub)
        await #expect(throws: ZMQError.self) { try await actor.withSocket { try $0.bind("bogus") } }
    }

    @Test("context shutdown wakes a blocked receive with ETERM")
    func contextShutdown() async throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        try pull.bind("inproc://term-\(UUID())")
        let actor = SocketActor(pull)
        let waiting = Task { try await actor.receive() }
        try await Task.sleep(for: .milliseconds(50))
        context.shutdown()
        let error = await #expect(throws: ZMQError.self) { _ = try await waiting.value }
        #expect(error?.isContextTerminated == true)
    }

    @Test("the library version is 4.x")
    func version() {
        #expect(Context.libraryVersion.major == 4)
        #expect(throws: ZMQError.self) { try Context(ioThreads: -1) }
    }
}
