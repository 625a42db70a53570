import Foundation
import Synchronization
import Testing
@testable import ZeroMQ

@Suite("Poller, monitor, proxy")
struct PatternTests {
    let context: Context
    init() throws { context = try Context() }

    @Test("the poller reports which socket is readable")
    func poller() throws {
        let quietPull = try context.socket(.pull)
        let busyPull = try context.socket(.pull)
        let push = try context.socket(.push)
        try quietPull.bind("inproc://poll-quiet-\(UUID())")
        try link(busyPull, push, over: .inproc)
        var poller = Poller()
        let quiet = poller.add(quietPull, for: .readable)
        let busy = poller.add(busyPull, for: .readable)
        #expect(try poller.poll(timeout: .milliseconds(20)) == 0)
        try push.send([[42]])
        #expect(try poller.poll(timeout: .seconds(5)) == 1)
        #expect(poller.events(at: busy).contains(.readable))
        #expect(poller.events(at: quiet).isEmpty)
        #expect(try busyPull.tryReceive() == [[42]])
        #expect(poller.count == 2)
    }

    @Test("the monitor reports listening, accepted and disconnected")
    func monitor() throws {
        let server = try context.socket(.pull)
        let monitor = try server.monitor()
        try server.bind("tcp://127.0.0.1:*")
        var client: Socket? = try context.socket(.push)
        try client!.connect(try server.lastEndpoint)
        var kinds: [MonitorEvent.Kind] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, !kinds.contains(.handshakeSucceeded) {
            if let event = try monitor.next(timeout: .milliseconds(50)) { kinds.append(event.kind) }
        }
        #expect(kinds.contains(.listening))
        #expect(kinds.contains(.accepted))
        #expect(kinds.contains(.handshakeSucceeded))
        client = nil
        var sawDisconnect = false
        while ContinuousClock.now < deadline + .seconds(5), !sawDisconnect {
            if let event = try monitor.next(timeout: .milliseconds(50)) { sawDisconnect = event.kind == .disconnected }
        }
        #expect(sawDisconnect)
    }

    @Test("monitor messages that are not two frames are rejected")
    func monitorParse() throws {
        #expect(throws: ZMQError.self) { try SocketMonitor.parse([[1, 2]]) }
        let event = try SocketMonitor.parse([[0x01, 0x00, 7, 0, 0, 0], [UInt8]("tcp://x")])
        #expect(event.kind == .connected && event.value == 7 && event.endpoint == "tcp://x")
    }

    @Test("zmq_proxy forwards XSUB to XPUB and stops on TERMINATE")
    func proxy() throws {
        let context = self.context
        let frontendEndpoint = "inproc://proxy-front-\(UUID())"
        let backendEndpoint = "inproc://proxy-back-\(UUID())"
        let controlEndpoint = "inproc://proxy-control-\(UUID())"
        let publisher = try context.socket(.pub)
        try publisher.bind(frontendEndpoint)
        let control = try context.socket(.pair)
        try control.bind(controlEndpoint)

        // zmq_proxy blocks its thread: give it a thread of its own, not one of the
        // cooperative pool (which other tests may be using).
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<(any Error)?>(nil)
        Thread.detachNewThread {
            do {
                let frontend = try context.socket(.xsub)
                try frontend.connect(frontendEndpoint)
                let backend = try context.socket(.xpub)
                try backend.bind(backendEndpoint)
                let controlPeer = try context.socket(.pair)
                try controlPeer.connect(controlEndpoint)
                try Proxy.run(frontend: frontend, backend: backend, control: controlPeer)
            } catch {
                outcome.withLock { $0 = error }
            }
            finished.signal()
        }
        // Give the proxy a moment to bind its backend.
        let subscriber = try context.socket(.sub)
        try subscriber.set(.subscribe, [UInt8]("news"))
        var connected = false
        for _ in 0..<100 where !connected {
            do { try subscriber.connect(backendEndpoint); connected = true } catch { Thread.sleep(forTimeInterval: 0.02) }
        }
        #expect(connected)
        #expect(try waitUntilSubscribed(publisher: publisher, subscriber: subscriber, probe: [[UInt8]("news.probe")]))
        try publisher.send([[UInt8]("news.1"), [1]])
        try publisher.send([[UInt8]("sport.1"), [2]])
        #expect(try subscriber.receive(timeout: .seconds(5)) == [[UInt8]("news.1"), [1]])
        #expect(try subscriber.receive(timeout: .milliseconds(200)) == nil)

        try control.send(Proxy.terminateCommand)
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(outcome.withLock { $0 } == nil)
    }
}
