/// What a restamp changes: a record's version and update time, set only inside IOMDomain.
protocol Restampable: DomainRecord {
    var version: UInt64 { get set }
    var updatedAt: Instant { get set }
}

extension Restampable {
    /// `self` at `version`, last changed at `updatedAt`: the two fields a restamp may break
    /// are checked, the others were checked when the record was built and have not changed.
    func stamping(version: UInt64, updatedAt: Instant) throws(ValidationError) -> Self {
        var v = Validator()
        checkMetadata(&v, Self.recordType.rawValue, version: version, createdAt: createdAt, updatedAt: updatedAt)
        try v.finish()
        var copy = self
        copy.version = version
        copy.updatedAt = updatedAt
        return copy
    }
}

extension Organisation: Restampable {
    /// A copy at `version`, saved at `updatedAt`; only those two fields are checked.
    public func restamped(version: UInt64, updatedAt: Instant) throws(ValidationError) -> Organisation {
        try stamping(version: version, updatedAt: updatedAt)
    }
}

extension Mission: Restampable {
    /// A copy at `version`, saved at `updatedAt`; only those two fields are checked.
    public func restamped(version: UInt64, updatedAt: Instant) throws(ValidationError) -> Mission {
        try stamping(version: version, updatedAt: updatedAt)
    }
}

extension MemberState: Restampable {
    /// A copy at `version`, saved at `updatedAt`; only those two fields are checked.
    public func restamped(version: UInt64, updatedAt: Instant) throws(ValidationError) -> MemberState {
        try stamping(version: version, updatedAt: updatedAt)
    }
}

extension PublicEvent: Restampable {
    /// A copy at `version`, saved at `updatedAt`; only those two fields are checked.
    public func restamped(version: UInt64, updatedAt: Instant) throws(ValidationError) -> PublicEvent {
        try stamping(version: version, updatedAt: updatedAt)
    }
}

extension ProtectionCase: Restampable {
    /// A copy at `version`, saved at `updatedAt`; only those two fields are checked.
    public func restamped(version: UInt64, updatedAt: Instant) throws(ValidationError) -> ProtectionCase {
        try stamping(version: version, updatedAt: updatedAt)
    }
}
