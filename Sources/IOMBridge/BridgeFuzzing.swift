import IOMWire

/// Entry points for fuzzing the subscriber's receive-side decoders, for the `IOMFuzz`
/// libFuzzer target (`Scripts/fuzz.sh`) and its regression tests. Not for applications.
///
/// Each function takes the frames of one ZeroMQ message exactly as the subscriber would
/// receive them, runs them through the decoders the subscriber uses (``EventDecoder``,
/// `AttributesParser`, `WireCodec.decodeChange(_:)` and `WireCodec.decodeEnvelope(_:)`)
/// and reports what the subscriber would count: `nil` when the message would be handled,
/// the ``MalformedReason`` when it would be dropped. None of them may trap, whatever the bytes.
///
/// ```swift
/// import IOMBridge
///
/// let reason = BridgeFuzzing.decodeEventsMessage([Array("iom.v1.mission.created".utf8), [0x0A], []])
/// // reason == .attributes
/// ```
package enum BridgeFuzzing {
    /// Decodes one message of the events endpoint (topic, attributes, data frames: an event,
    /// a withheld marker, a heartbeat or a message of an unknown topic).
    ///
    /// - Returns: `nil` when the subscriber would handle (or silently ignore) the message, the
    ///   reason it would be dropped otherwise.
    @discardableResult
    package static func decodeEventsMessage(_ frames: [[UInt8]]) -> MalformedReason? {
        guard let first = frames.first else { return .frameCount }
        // What `SubscriberLoop.receive(_:into:)` does while receiving: the topic frame decoded
        // first, an oversized attributes frame turned into `.tooLarge` (and not copied), the
        // data frame kept, the size of the frames after the topic summed.
        var topic = first.withUnsafeBytes { bytes in Result { () throws(MalformedReason) in try EventDecoder.topic(bytes) } }
        var attributes: [UInt8] = []
        if frames.count > 1 {
            if frames[1].count <= BridgeProtocol.maximumAttributesSize { attributes = frames[1] } else { topic = .failure(.tooLarge) }
        }
        let data = frames.count > 2 ? frames[2] : []
        let total = frames.dropFirst().reduce(0) { $0 + $1.count }
        do {
            _ = try EventDecoder.message(topic: topic, attributes: attributes, data: data, frames: frames.count, total: total)
            return nil
        } catch {
            return error
        }
    }

    /// Decodes one reply of the sync endpoint as the subscriber's DEALER receives it
    /// (`iom.v1.sync`, kind, request id, params, items…): `RECORDS` items through
    /// `WireCodec.decodeEnvelope(_:)`, `CHANGES` items through the event decoder (replay
    /// items), `END` and `ERROR` params as the subscriber reads them.
    ///
    /// - Returns: `nil` when every part would be accepted, otherwise the first reason the
    ///   subscriber would count (it counts one per bad item and keeps going, as here).
    @discardableResult
    package static func decodeSyncReply(_ frames: [[UInt8]]) -> MalformedReason? {
        let reply: EventDecoder.SyncReply
        do { reply = try EventDecoder.syncReply(frames) } catch { return error }
        var first: MalformedReason?
        switch reply.kind {
        case "RECORDS":
            for item in reply.items {
                do { _ = try WireCodec.decodeEnvelope(item) } catch { first = first ?? .data }
            }
        case "CHANGES":
            guard reply.items.count % 2 == 0 else { return .reply }
            var i = 0
            while i < reply.items.count {
                let data = reply.items[i + 1]
                do {
                    _ = try withBytes(reply.items[i]) { (a) throws(MalformedReason) in
                        try EventDecoder.event(attributes: a, data: data, topicIndex: nil)
                    }
                } catch {
                    first = first ?? error
                }
                i += 2
            }
        case "END":
            // The end of a snapshot names its source and sequence; the end of a replay may
            // carry latest, more and through. Read both as the subscriber does.
            _ = reply.params["source"].flatMap(EventDecoder.sourceID)
            _ = reply.params["sequence"].flatMap(UInt64.init)
            _ = reply.params["latest"].flatMap(UInt64.init)
            _ = reply.params["through"].flatMap(UInt64.init)
        case "ERROR":
            _ = reply.params["oldest"].flatMap(UInt64.init)
        default:
            return .reply
        }
        return first
    }

    /// Parses one attributes or params frame (§5.2) into its decoded lines.
    ///
    /// - Returns: `nil` when the frame follows the grammar, the reason otherwise.
    @discardableResult
    package static func parseAttributes(_ frame: [UInt8]) -> MalformedReason? {
        do {
            _ = try AttributesParser.dictionary(frame)
            return nil
        } catch {
            return error
        }
    }
}

// MARK: - Decoding of whole messages
//
// `SubscriberLoop.drainEvents(_:)` and `drainReplies(_:)` decode their messages inline while
// reading the socket. These are the same steps on what was received, so the fuzzer reaches
// them without a socket; the subscriber can call them in place of its inline copies (same
// checks, same order, same reasons), and then the fuzzer runs exactly its code.

extension EventDecoder {
    /// One events-endpoint message once received: the checks of
    /// `SubscriberLoop.drainEvents(_:)` after the receive loop (whole message size, frame
    /// count per topic), then the decoder of the topic. `topic` is the decoded topic, or
    /// `.tooLarge` when the attributes frame was too large to copy; `frames` counts the topic
    /// frame, `total` the bytes of the frames after it. Allocates nothing of its own.
    ///
    /// - Returns: the message, or `nil` for a reserved topic this version ignores.
    static func message(topic: Result<Topic, MalformedReason>, attributes: [UInt8], data: [UInt8], frames: Int, total: Int)
        throws(MalformedReason) -> IncomingMessage? {
        guard total <= BridgeProtocol.maximumMessageSize else { throw .tooLarge }
        switch try topic.get() {
        case .event(let topicIndex):
            guard frames == 3 else { throw .frameCount }
            return try withBytes(attributes) { (a) throws(MalformedReason) in
                try EventDecoder.event(attributes: a, data: data, topicIndex: topicIndex)
            }
        case .withheld:
            guard frames == 2 else { throw .frameCount }
            return try withBytes(attributes) { (a) throws(MalformedReason) in try EventDecoder.withheld(attributes: a) }
        case .unknown:
            guard frames >= 2 else { throw .frameCount }
            return try withBytes(attributes) { (a) throws(MalformedReason) in try EventDecoder.unknown(attributes: a) }
        case .heartbeat:
            guard frames == 2 else { throw .frameCount }
            return .heartbeat(try withBytes(attributes) { (a) throws(MalformedReason) in try EventDecoder.heartbeat(attributes: a) })
        case .unknownReserved:
            return nil
        }
    }

    /// A sync reply split as `SubscriberLoop.drainReplies(_:)` reads it.
    struct SyncReply {
        var kind: String
        var id: [UInt8]
        var params: [String: String]
        var items: [[UInt8]]
    }

    private static let syncTagBytes = Array(BridgeProtocol.syncTag.utf8)

    /// The checks of `SubscriberLoop.drainReplies(_:)`: at least four frames, the sync tag
    /// first, a params frame that follows the grammar.
    static func syncReply(_ frames: [[UInt8]]) throws(MalformedReason) -> SyncReply {
        guard frames.count >= 4, frames[0] == syncTagBytes else { throw .reply }
        let params: [String: String]
        do { params = try AttributesParser.dictionary(frames[3]) } catch { throw .reply }
        return SyncReply(kind: String(decoding: frames[1], as: UTF8.self), id: frames[2], params: params, items: Array(frames.dropFirst(4)))
    }
}
