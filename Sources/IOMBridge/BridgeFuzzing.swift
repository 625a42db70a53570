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
/// @_spi(Fuzzing) import IOMBridge
///
/// let reason = BridgeFuzzing.decodeEventsMessage([Array("iom.v1.mission.created".utf8), [0x0A], []])
/// // reason == .attributes
/// ```
@_spi(Fuzzing)
public enum BridgeFuzzing {
    /// Decodes one message of the events endpoint (topic, attributes, data frames: an event,
    /// a withheld marker, a heartbeat or a message of an unknown topic).
    ///
    /// - Returns: `nil` when the subscriber would handle (or silently ignore) the message, the
    ///   reason it would be dropped otherwise.
    @discardableResult
    public static func decodeEventsMessage(_ frames: [[UInt8]]) -> MalformedReason? {
        guard let first = frames.first else { return .frameCount }
        let topic = first.withUnsafeBytes { bytes in Result { () throws(MalformedReason) in try EventDecoder.topic(bytes) } }
        do {
            _ = try EventDecoder.message(topic: topic, frames: frames)
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
    public static func decodeSyncReply(_ frames: [[UInt8]]) -> MalformedReason? {
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
    public static func parseAttributes(_ frame: [UInt8]) -> MalformedReason? {
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
// reading the socket. These are the same steps over frames already received, so the fuzzer
// can reach them without a socket; the subscriber can call them in place of its inline copies.

extension EventDecoder {
    /// One events-endpoint message, given its frames and its decoded (or refused) topic: the
    /// checks of `SubscriberLoop.drainEvents(_:)` after the receive (attributes frame size,
    /// whole message size, frame count per topic), then the decoder of the topic.
    ///
    /// - Returns: the message, or `nil` for a reserved topic this version ignores.
    static func message(topic: Result<Topic, MalformedReason>, frames: [[UInt8]]) throws(MalformedReason) -> IncomingMessage? {
        var topic = topic
        var total = 0
        for frame in frames.dropFirst() { total += frame.count }
        let attributes = frames.count > 1 ? frames[1] : []
        if attributes.count > BridgeProtocol.maximumAttributesSize { topic = .failure(.tooLarge) }
        let data = frames.count > 2 ? frames[2] : []
        guard total <= BridgeProtocol.maximumMessageSize else { throw .tooLarge }
        switch try topic.get() {
        case .event(let topicIndex):
            guard frames.count == 3 else { throw .frameCount }
            return try withBytes(attributes) { (a) throws(MalformedReason) in
                try EventDecoder.event(attributes: a, data: data, topicIndex: topicIndex)
            }
        case .withheld:
            guard frames.count == 2 else { throw .frameCount }
            return try withBytes(attributes) { (a) throws(MalformedReason) in try EventDecoder.withheld(attributes: a) }
        case .unknown:
            guard frames.count >= 2 else { throw .frameCount }
            return try withBytes(attributes) { (a) throws(MalformedReason) in try EventDecoder.unknown(attributes: a) }
        case .heartbeat:
            guard frames.count == 2 else { throw .frameCount }
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

    /// The checks of `SubscriberLoop.drainReplies(_:)`: at least four frames, the sync tag
    /// first, a params frame that follows the grammar.
    static func syncReply(_ frames: [[UInt8]]) throws(MalformedReason) -> SyncReply {
        guard frames.count >= 4, frames[0] == Array(BridgeProtocol.syncTag.utf8) else { throw .reply }
        let params: [String: String]
        do { params = try AttributesParser.dictionary(frames[3]) } catch { throw .reply }
        return SyncReply(kind: String(decoding: frames[1], as: UTF8.self), id: frames[2], params: params, items: Array(frames.dropFirst(4)))
    }
}
