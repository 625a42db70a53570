import ArgumentParser
import Foundation
import ZeroMQ

/// `iom demo`: publishes messages over tcp loopback to a subscriber on another thread and
/// reports what crossed. (The SDK demo with domain records replaces it once the bridge exists.)
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Publish messages over tcp loopback and show them arriving on a subscriber."
    )

    @Option(help: "How many messages to publish in the throughput burst.")
    var burst: Int = 200_000

    @Option(help: "Bytes per message in the burst.")
    var size: Int = 256

    func validate() throws {
        guard burst > 0 else { throw ValidationError("--burst must be positive, got \(burst)") }
        guard (1...(16 << 20)).contains(size) else { throw ValidationError("--size must be between 1 and 16 MiB, got \(size)") }
    }

    func run() throws {
        print("libzmq \(Context.libraryVersion.major).\(Context.libraryVersion.minor).\(Context.libraryVersion.patch), CURVE \(Context.has("curve") ? "available" : "missing")")
        let context = try Context()
        let publisher = try context.socket(.xpub)
        try publisher.set(.xpubNoDrop, true)
        try publisher.bind("tcp://127.0.0.1:*")
        let endpoint = try publisher.lastEndpoint
        print("publisher bound to \(endpoint)")

        let topics = ["iom.v1.mission.updated", "iom.v1.event.created", "iom.v1.memberState.updated"]
        let greeting = topics.count
        let total = greeting + burst
        let finished = DispatchSemaphore(value: 0)
        let report = DemoReport()
        Thread.detachNewThread {
            do {
                let subscriber = try context.socket(.sub)
                try subscriber.set(.subscribe, Array("iom.v1.".utf8))
                try subscriber.connect(endpoint)
                for _ in 0..<greeting {
                    let message = try subscriber.receive()
                    let topic = String(decoding: message[0], as: UTF8.self)
                    let sequence = message[1].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    report.lines.append("  subscriber received #\(UInt64(bigEndian: sequence)) \(topic)")
                }
                var next: UInt64 = UInt64(greeting) + 1
                var inOrder = true
                for _ in greeting..<total {
                    let message = try subscriber.receive()
                    let sequence = UInt64(bigEndian: message[1].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
                    if sequence != next { inOrder = false }
                    next += 1
                }
                report.received = total
                report.inOrder = inOrder
            } catch {
                report.error = error
            }
            finished.signal()
        }
        // The subscription arrives as a message on the XPUB socket: the subscriber is ready.
        _ = try publisher.receive()

        for (index, topic) in topics.enumerated() {
            try publisher.send([Array(topic.utf8), withUnsafeBytes(of: UInt64(index + 1).bigEndian) { Array($0) }])
        }
        let clock = ContinuousClock()
        let start = clock.now
        var body = [UInt8](repeating: 0x2A, count: max(size, 8))
        for sequence in UInt64(greeting + 1)...UInt64(total) {
            withUnsafeBytes(of: sequence.bigEndian) { body.replaceSubrange(0..<8, with: $0) }
            try publisher.send([Array("iom.v1.burst".utf8), body])
        }
        finished.wait()
        let elapsed = clock.now - start
        if let error = report.error { throw error }
        report.lines.forEach { print($0) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("sent \(total) messages, received \(report.received), \(report.inOrder ? "all in order" : "OUT OF ORDER")")
        print(String(format: "burst: %d × %d B over tcp loopback in %.3f s = %.0f messages/s", burst, size, seconds, Double(burst) / seconds))
        if report.received != total || !report.inOrder { throw ExitCode.failure }
    }
}

/// Filled by the subscriber thread before it signals, read by the main thread after.
final class DemoReport: @unchecked Sendable {
    var lines: [String] = []
    var received = 0
    var inOrder = false
    var error: (any Error)?
}
