import CZeroMQ
import Foundation
import Synchronization

/// One authentication request from libzmq (RFC 27/ZAP), for a connection being accepted by a
/// socket of the handler's context.
package struct ZAPRequest: Sendable, Hashable {
    /// The security mechanism the client used.
    package enum Mechanism: String, Sendable, Hashable {
        case null = "NULL", plain = "PLAIN", curve = "CURVE"
    }
    /// The socket's `ZMQ_ZAP_DOMAIN` (empty when none was set).
    package let domain: String
    /// The client's address, e.g. `127.0.0.1` (no port).
    package let address: String
    /// The routing id the client announced (often empty).
    package let routingID: [UInt8]
    /// `NULL`, `PLAIN` or `CURVE`.
    package let mechanism: Mechanism
    /// The client's long-term package key (CURVE only).
    package let clientKey: CurveKey?
    /// The user name (PLAIN only). The password is never kept.
    package let username: String?

    /// Creates a request (for tests of an `authenticate` closure).
    package init(domain: String, address: String, routingID: [UInt8] = [], mechanism: Mechanism,
                clientKey: CurveKey? = nil, username: String? = nil) {
        self.domain = domain
        self.address = address
        self.routingID = routingID
        self.mechanism = mechanism
        self.clientKey = clientKey
        self.username = username
    }
}

/// The answer to a ``ZAPRequest``.
package enum ZAPDecision: Sendable, Hashable {
    /// Status 200: the connection is accepted. `userID` becomes the `User-Id` property of every
    /// message received from the client, each `metadata` pair a property of the same name
    /// (names of application properties should start with `X-`, e.g. `X-IOM-Role`).
    case allow(userID: String, metadata: [String: String])
    /// Status 400: the connection is refused; the client receives nothing.
    case deny(reason: String)
}

/// A ZAP handler (RFC 27): libzmq asks it about every connection accepted by a CURVE (or PLAIN,
/// or NULL with a `ZMQ_ZAP_DOMAIN`) server socket of its ``Context``.
///
/// It binds `inproc://zeromq.zap.01` in the context and answers from its own thread by calling
/// `authenticate` once per request. Without a ZAP handler, libzmq admits **any** CURVE client
/// key; with one, a client it denies (or a malformed request) gets status 400 and no message of
/// that client is ever delivered. Only one handler can run per context.
///
/// ```swift
/// let allowed: [CurveKey: (String, String)] = [analystKey: ("analyst-1", "analyst")]
/// let zap = try ZAPHandler(context: context) { request in
///     guard let key = request.clientKey, let (who, role) = allowed[key] else { return .deny(reason: "unknown key") }
///     return .allow(userID: who, metadata: ["X-IOM-Role": role])
/// }
/// defer { zap.stop() }
/// ```
///
/// ``stop()`` (also called when the handler is released) unbinds the endpoint and ends the thread.
/// `authenticate` runs on the handler's thread while libzmq waits for the answer: keep it short
/// and non-blocking (a dictionary look-up), and never throw.
package final class ZAPHandler: Sendable {
    /// The endpoint libzmq sends ZAP requests to.
    package static let endpoint = "inproc://zeromq.zap.01"

    private let state: State

    /// Binds the ZAP endpoint in `context` and starts answering.
    ///
    /// - Throws: ``ZMQError`` with `EADDRINUSE` when the context already has a ZAP handler.
    package init(context: Context, authenticate: @escaping @Sendable (ZAPRequest) -> ZAPDecision) throws(ZMQError) {
        let socket: Socket
        do {
            // A ROUTER (this wrapper has no REP): libzmq's ZAP client is a REQ socket, so each request
            // arrives as [peer id, empty delimiter, ZAP frames…] and the reply goes back the same way.
            socket = try context.socket(.router)
            try socket.bind(Self.endpoint)
        } catch let error as ZMQError {
            throw error
        } catch {
            throw ZMQError.invalidArgument("ZAPHandler", String(describing: error))
        }
        let state = State(authenticate: authenticate)
        self.state = state
        let box = SocketBox(socket)
        let thread = Thread { state.run(box) }
        thread.name = "zap-handler"
        thread.start()
    }

    deinit { stop() }

    /// Stops answering, unbinds the endpoint and waits for the thread to end (at most about
    /// 100 ms). Idempotent. Connections attempted afterwards fail authentication (libzmq
    /// refuses when no handler answers).
    package func stop() {
        guard !state.stopping.exchange(true, ordering: .acquiringAndReleasing) else {
            state.waitUntilStopped()
            return
        }
        state.waitUntilStopped()
    }

    /// Stops answering as ``stop()`` does, suspending (not blocking the calling thread) until
    /// the handler's thread has ended: for async callers, which must not block a thread of
    /// Swift's cooperative pool.
    package func stop() async {
        state.stopping.store(true, ordering: .releasing)
        await state.stopped()
    }

    /// Requests answered with 200 so far.
    package var allowedCount: Int { state.allowed.load(ordering: .relaxed) }
    /// Requests answered with 400 so far (denied or malformed).
    package var deniedCount: Int { state.denied.load(ordering: .relaxed) }

    // MARK: Protocol

    /// Parses a ZAP request (frames after the REP envelope). `nil` when it is not ZAP 1.0.
    static func parse(_ frames: [[UInt8]]) -> (requestID: [UInt8], request: ZAPRequest)? {
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else { return nil }
        let text = { (i: Int) in String(decoding: frames[i], as: UTF8.self) }
        guard let mechanism = ZAPRequest.Mechanism(rawValue: text(5)) else { return nil }
        var key: CurveKey?
        var username: String?
        switch mechanism {
        case .null: guard frames.count == 6 else { return nil }
        case .plain:
            guard frames.count == 8 else { return nil }
            username = text(6)
        case .curve:
            guard frames.count == 7, let k = try? CurveKey(bytes: frames[6]) else { return nil }
            key = k
        }
        return (frames[1], ZAPRequest(domain: text(2), address: text(3), routingID: frames[4], mechanism: mechanism,
                                      clientKey: key, username: username))
    }

    /// The reply frames for `decision`.
    static func reply(requestID: [UInt8], _ decision: ZAPDecision) -> [[UInt8]] {
        switch decision {
        case .allow(let userID, let metadata):
            return [Array("1.0".utf8), requestID, Array("200".utf8), Array("OK".utf8), Array(userID.utf8), encodeMetadata(metadata)]
        case .deny(let reason):
            return [Array("1.0".utf8), requestID, Array("400".utf8), Array(reason.utf8), [], []]
        }
    }

    /// ZMTP metadata (RFC 27 §"metadata"): for each property, a name-length octet, the name,
    /// a 4-octet big-endian value length and the value. Names longer than 255 bytes are skipped.
    /// Sorted by name, so the encoding is deterministic.
    package static func encodeMetadata(_ metadata: [String: String]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let n = Array(name.utf8), v = Array(value.utf8)
            guard !n.isEmpty, n.count <= 255, v.count <= Int(UInt32.max) else { continue }
            out.append(UInt8(n.count))
            out += n
            let length = UInt32(v.count)
            out += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            out += v
        }
        return out
    }

    /// Decodes ``encodeMetadata(_:)``; `nil` when malformed.
    package static func decodeMetadata(_ bytes: [UInt8]) -> [String: String]? {
        var result: [String: String] = [:]
        var i = 0
        while i < bytes.count {
            let n = Int(bytes[i]); i += 1
            guard n > 0, i + n + 4 <= bytes.count else { return nil }
            let name = String(decoding: bytes[i..<i + n], as: UTF8.self); i += n
            let length = Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]); i += 4
            guard i + length <= bytes.count else { return nil }
            result[name] = String(decoding: bytes[i..<i + length], as: UTF8.self); i += length
        }
        return result
    }

    // MARK: Thread

    private final class State: Sendable {
        let authenticate: @Sendable (ZAPRequest) -> ZAPDecision
        let stopping = Atomic<Bool>(false)
        let allowed = Atomic<Int>(0)
        let denied = Atomic<Int>(0)
        private let finished = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
        private let done = DispatchSemaphore(value: 0)

        init(authenticate: @escaping @Sendable (ZAPRequest) -> ZAPDecision) { self.authenticate = authenticate }

        func run(_ box: SocketBox) {
            serve(box)
            stopping.store(true, ordering: .releasing)
            // zmq_close is asynchronous (the reaper thread unregisters later); unbinding an inproc
            // endpoint is not, so a new handler can bind as soon as stop() returns.
            try? box.socket?.unbind(ZAPHandler.endpoint)
            // Releasing the only reference closes the socket, which unbinds the endpoint
            // before anyone waiting in stop() resumes.
            box.close()
            let waiters = finished.withLock { state in
                state.done = true
                defer { state.waiters = [] }
                return state.waiters
            }
            done.signal()
            for waiter in waiters { waiter.resume() }
        }

        private func serve(_ box: SocketBox) {
            guard let socket = box.socket else { return }
            while !stopping.load(ordering: .acquiring) {
                let envelope: [[UInt8]]?
                do { envelope = try socket.receive(timeout: .milliseconds(100)) } catch { return }
                guard let envelope, envelope.count >= 2, envelope[1].isEmpty else { continue }
                let frames = Array(envelope.dropFirst(2))
                let answer: [[UInt8]]
                if let (id, request) = ZAPHandler.parse(frames) {
                    let decision = authenticate(request)
                    if case .allow = decision { allowed.add(1, ordering: .relaxed) } else { denied.add(1, ordering: .relaxed) }
                    answer = ZAPHandler.reply(requestID: id, decision)
                } else {
                    denied.add(1, ordering: .relaxed)
                    let id = frames.count > 1 ? frames[1] : []
                    answer = ZAPHandler.reply(requestID: id, .deny(reason: "malformed ZAP request"))
                }
                do { try socket.send([envelope[0], []] + answer) } catch { return }
            }
        }

        /// Suspends until the thread has ended (resumed by it, after the lock is released).
        func stopped() async {
            await withCheckedContinuation { continuation in
                let now = finished.withLock { state -> Bool in
                    if state.done { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        }

        func waitUntilStopped() {
            if finished.withLock({ $0.done }) { return }
            done.wait()
            done.signal()  // let any other waiter through too
        }
    }
}

/// Moves a socket to the handler thread exactly once.
/// Only the handler thread touches it after `init`.
private final class SocketBox: @unchecked Sendable {
    private(set) var socket: Socket?
    init(_ socket: Socket) { self.socket = socket }
    func close() { socket = nil }
}
