import IOMDomain

/// Generated record messages, which all carry their identity and version in `meta`.
protocol MetaCarrying {
    var meta: Iom_V1_RecordMeta { get set }
}

extension Iom_V1_Organisation: MetaCarrying {}
extension Iom_V1_Mission: MetaCarrying {}
extension Iom_V1_MemberState: MetaCarrying {}
extension Iom_V1_Event: MetaCarrying {}
extension Iom_V1_ProtectionCase: MetaCarrying {}

extension WireCodec {
    /// The same record with a new version and update time, validated again.
    ///
    /// The store uses it to stamp the version a save produces:
    /// ```swift
    /// let next = try WireCodec.restamped(mission.anyRecord, version: mission.version + 1, updatedAt: now)
    /// ```
    /// - Throws: ``ValidationError`` when the result breaks a record rule (for example an update
    ///   time before the creation time).
    public static func restamped(_ record: AnyRecord, version: UInt64, updatedAt: Instant) throws -> AnyRecord {
        func stamp<Message: MetaCarrying>(_ message: Message) -> Message {
            var message = message
            message.meta.version = version
            message.meta.updatedAtMs = updatedAt.millisecondsSince1970
            return message
        }
        switch record {
        case .organisation(let r): return .organisation(try Organisation(wire: stamp(r.wire)))
        case .mission(let r): return .mission(try Mission(wire: stamp(r.wire)))
        case .memberState(let r): return .memberState(try MemberState(wire: stamp(r.wire)))
        case .event(let r): return .event(try PublicEvent(wire: stamp(r.wire)))
        case .protectionCase(let r): return .protectionCase(try ProtectionCase(wire: stamp(r.wire)))
        }
    }
}
