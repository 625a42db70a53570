import IOMDomain
import SwiftProtobuf

extension AnyRecord {
    /// The record as its own generated message (`iom.v1.Mission`, …), for SwiftProtobuf's
    /// encoders: the JSON of the vectors and the reference encoding of ``WireWriter``.
    var message: any SwiftProtobuf.Message {
        switch self {
        case .organisation(let r): r.wire
        case .mission(let r): r.wire
        case .memberState(let r): r.wire
        case .event(let r): r.wire
        case .protectionCase(let r): r.wire
        }
    }

    var wire: Iom_V1_Record {
        var w = Iom_V1_Record()
        switch self {
        case .organisation(let r): w.organisation = r.wire
        case .mission(let r): w.mission = r.wire
        case .memberState(let r): w.memberState = r.wire
        case .event(let r): w.event = r.wire
        case .protectionCase(let r): w.protectionCase = r.wire
        }
        return w
    }

    /// Validates a record message into the domain type. The message is consumed: its member
    /// is moved out, not copied (a copy retains every string and array of the record).
    init?(wire w: consuming Iom_V1_Record, _ v: inout Validator, _ p: String) {
        guard let member = w.record.take() else {
            v.fail(p, "", "holds no record")
            return nil
        }
        let decoded: AnyRecord?
        switch consume member {
        case .organisation(let r): decoded = v.check { try Organisation(wire: r) }.map(AnyRecord.organisation)
        case .mission(let r): decoded = v.check { try Mission(wire: r) }.map(AnyRecord.mission)
        case .memberState(let r): decoded = v.check { try MemberState(wire: r) }.map(AnyRecord.memberState)
        case .event(let r): decoded = v.check { try PublicEvent(wire: r) }.map(AnyRecord.event)
        case .protectionCase(let r): decoded = v.check { try ProtectionCase(wire: r) }.map(AnyRecord.protectionCase)
        }
        guard let decoded else { return nil }
        self = decoded
    }
}

extension Change {
    var wire: Iom_V1_Change {
        var w = Iom_V1_Change()
        w.recordType = wireEnum(recordType)
        w.kind = wireEnum(kind)
        w.recordID = recordID
        w.version = version
        if let b = before { w.before = b.wire }
        if let a = after { w.after = a.wire }
        return w
    }

    init(wire w: Iom_V1_Change) throws(ValidationError) {
        var fields = ChangeFields(w)
        try self.init(fields: &fields)
    }

    /// Validates the fields of an `iom.v1.Change` (read by SwiftProtobuf or by ``WireReader``).
    /// The records are moved out of `w` (left without them), not copied.
    init(fields w: inout ChangeFields) throws(ValidationError) {
        var v = Validator()
        let type: RecordType? = v.enumValue(w.recordType, "change.recordType")
        let kind: ChangeKind? = v.enumValue(w.kind, "change.kind")
        // `take()` moves each record out of `w`; nothing is copied.
        let before: AnyRecord?? = if let b = w.before.take() { AnyRecord(wire: b, &v, "change.before").map { .some($0) } } else { .some(nil) }
        let after: AnyRecord?? = if let a = w.after.take() { AnyRecord(wire: a, &v, "change.after").map { .some($0) } } else { .some(nil) }
        try v.finish()
        guard let type, let kind, let before, let after else { throw undecodable("change") }
        try self.init(kind: kind, before: before, after: after, version: w.version)
        if recordType != type { throw ValidationError([ValidationIssue(path: "change.recordType", value: type.rawValue, reason: "does not match the record (\(recordType.rawValue))")]) }
        if recordID != w.recordID { throw ValidationError([ValidationIssue(path: "change.recordId", value: IdentifierGrammar.printable(w.recordID), reason: "does not match the record (\(recordID))")]) }
    }
}
