import IOMDomain

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
        switch record {
        case .organisation(let r):
            var w = r.wire
            w.meta.version = version
            w.meta.updatedAtMs = updatedAt.millisecondsSince1970
            return .organisation(try Organisation(wire: w))
        case .mission(let r):
            var w = r.wire
            w.meta.version = version
            w.meta.updatedAtMs = updatedAt.millisecondsSince1970
            return .mission(try Mission(wire: w))
        case .memberState(let r):
            var w = r.wire
            w.meta.version = version
            w.meta.updatedAtMs = updatedAt.millisecondsSince1970
            return .memberState(try MemberState(wire: w))
        case .event(let r):
            var w = r.wire
            w.meta.version = version
            w.meta.updatedAtMs = updatedAt.millisecondsSince1970
            return .event(try PublicEvent(wire: w))
        case .protectionCase(let r):
            var w = r.wire
            w.meta.version = version
            w.meta.updatedAtMs = updatedAt.millisecondsSince1970
            return .protectionCase(try ProtectionCase(wire: w))
        }
    }
}
