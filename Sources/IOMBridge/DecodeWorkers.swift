import Foundation

/// Threads that run parts of one piece of work beside the calling thread, and return when every
/// part is done: the subscriber uses them to decode a batch of received messages on several
/// cores while keeping the batch's order (each part writes only its own results).
///
/// One hand-off per batch (a semaphore signal per worker and one wait per worker), never per
/// message. Used by one thread at a time (the subscriber's); ``stop()`` ends the workers.
final class DecodeWorkers: @unchecked Sendable {
    /// Worker threads besides the caller.
    let count: Int
    private let start: [DispatchSemaphore]
    private let finished = DispatchSemaphore(value: 0)
    private let ended = DispatchSemaphore(value: 0)
    /// The current work, set by ``run(parts:_:)`` before it signals the workers and cleared
    /// after they all finished (the semaphores order these accesses).
    private var work: (@Sendable (Int) -> Void)?
    private var stopping = false

    /// Starts `count` worker threads named `name`.
    init(count: Int, name: String) {
        self.count = count
        start = (0..<count).map { _ in DispatchSemaphore(value: 0) }
        for index in 0..<count {
            let thread = Thread { [self] in loop(index) }
            thread.name = "\(name).\(index + 1)"
            thread.start()
        }
    }

    private func loop(_ index: Int) {
        while true {
            start[index].wait()
            if stopping { break }
            work!(index + 1)
            finished.signal()
        }
        ended.signal()
    }

    /// Runs `body(0)` on the calling thread and `body(1)`…`body(parts - 1)` on workers
    /// (`parts` at most ``count`` + 1), returning when all have returned.
    ///
    /// `body` runs on several threads at once, hence `@Sendable`; parts that write to one
    /// buffer share it as ``SharedSlots`` and write disjoint elements.
    func run(parts: Int, _ body: @Sendable (Int) -> Void) {
        let helpers = min(parts - 1, count)
        guard helpers > 0 else {
            for part in 0..<parts { body(part) }
            return
        }
        withoutActuallyEscaping(body) { body in
            work = body
            for index in 0..<helpers { start[index].signal() }
            body(0)
            for _ in 0..<helpers { finished.wait() }
            work = nil
        }
    }

    /// Ends the worker threads and waits for them. Call once, from the thread that calls ``run(parts:_:)``.
    func stop() {
        stopping = true
        for semaphore in start { semaphore.signal() }
        for _ in 0..<count { ended.wait() }
    }
}

/// A buffer whose disjoint elements the parts of one ``DecodeWorkers/run(parts:_:)`` write
/// from several threads.
///
/// `@unchecked Sendable`: each part reads and writes only its own elements, and the buffer's
/// owner touches it again only after `run` has returned, when every part is done (the
/// workers' semaphores order those accesses).
struct SharedSlots<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
}
