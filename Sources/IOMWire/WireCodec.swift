import IOMDomain
import SwiftProtobuf

/// Encodes domain records and changes to the `Protocols/iom/v1` wire format and back.
///
/// The generated protobuf types stay internal: callers speak domain types and bytes.
/// Decoding applies every domain rule, so wire data that breaks one is refused with the same
/// ``IOMDomain/ValidationError`` as direct construction.
///
/// ```swift
/// let bytes = WireCodec.encode(Seed.moroccoMission)
/// let mission = try WireCodec.decode(bytes, as: Mission.self)
/// let change = try WireCodec.decodeChange(WireCodec.encode(change))
/// ```
package enum WireCodec {
    /// The protobuf message name of a record type, e.g. `iom.v1.Mission`.
    package static func messageName(of type: RecordType) -> String {
        switch type {
        case .organisation: Iom_V1_Organisation.protoMessageName
        case .mission: Iom_V1_Mission.protoMessageName
        case .memberState: Iom_V1_MemberState.protoMessageName
        case .event: Iom_V1_Event.protoMessageName
        case .protectionCase: Iom_V1_ProtectionCase.protoMessageName
        }
    }

    /// The protobuf message name of a change: `iom.v1.Change`.
    package static let changeMessageName = Iom_V1_Change.protoMessageName

    /// Encodes a record as its own message (e.g. `iom.v1.Mission`), protobuf binary.
    package static func encode(_ record: some DomainRecord) -> [UInt8] {
        encode(record.anyRecord)
    }

    /// Encodes a record held in ``IOMDomain/AnyRecord`` as its own message, protobuf binary.
    ///
    /// Written by hand (``WireWriter``), the same bytes as SwiftProtobuf's from the generated
    /// message (``encodeWithSwiftProtobuf(_:)-(AnyRecord)``); a protection case is serialized
    /// by SwiftProtobuf.
    package static func encode(_ record: AnyRecord) -> [UInt8] {
        switch record {
        case .organisation(let r): written(records: 1) { $0.organisation(r) }
        case .mission(let r): written(records: 1) { $0.mission(r) }
        case .memberState(let r): written(records: 1) { $0.memberState(r) }
        case .event(let r): written(records: 1) { $0.event(r) }
        case .protectionCase(let r): WireWriter.protectionCase(r)
        }
    }

    /// Encodes a change as `iom.v1.Change`, protobuf binary.
    ///
    /// Written by hand into one buffer (``WireWriter``), the same bytes as SwiftProtobuf's from
    /// the generated message (``encodeWithSwiftProtobuf(_:)-(Change)``).
    package static func encode(_ change: Change) -> [UInt8] {
        let records = (change.before == nil ? 0 : 1) + (change.after == nil ? 0 : 1)
        return written(records: records) { $0.change(change) }
    }

    /// The bytes `body` writes, in a buffer that starts with room for `records` records of a
    /// few hundred bytes each (most are; a larger one grows it).
    @inline(__always)
    private static func written(records: Int, _ body: (inout WireWriter) -> Void) -> [UInt8] {
        var w = WireWriter(capacity: 512 * max(1, records))
        body(&w)
        return w.bytes
    }

    /// Decodes a record of type `R` from protobuf binary.
    ///
    /// - Throws: ``WireError`` when the bytes are not a valid message, ``IOMDomain/ValidationError``
    ///   (every problem at once) when the message breaks a domain rule.
    package static func decode<R: DomainRecord>(_ bytes: [UInt8], as type: R.Type = R.self) throws -> R {
        let any = try decodeRecord(bytes, type: R.recordType)
        guard let record = any.typed(as: R.self) else { throw WireError.malformed("not a \(R.recordType)") }
        return record
    }

    /// Decodes a record of the given type from protobuf binary into ``IOMDomain/AnyRecord``.
    package static func decodeRecord(_ bytes: [UInt8], type: RecordType) throws -> AnyRecord {
        switch type {
        case .organisation:
            var w = Iom_V1_Organisation()
            try read(bytes, Iom_V1_Organisation.protoMessageName) { (r) throws(BinaryDecodingError) in try r.organisation(&w) }
            return .organisation(try Organisation(wire: w))
        case .mission:
            var w = Iom_V1_Mission()
            try read(bytes, Iom_V1_Mission.protoMessageName) { (r) throws(BinaryDecodingError) in try r.mission(&w) }
            return .mission(try Mission(wire: w))
        case .memberState:
            var w = Iom_V1_MemberState()
            try read(bytes, Iom_V1_MemberState.protoMessageName) { (r) throws(BinaryDecodingError) in try r.memberState(&w) }
            return .memberState(try MemberState(wire: w))
        case .event:
            var w = Iom_V1_Event()
            try read(bytes, Iom_V1_Event.protoMessageName) { (r) throws(BinaryDecodingError) in try r.event(&w) }
            return .event(try PublicEvent(wire: w))
        case .protectionCase:
            var w = Iom_V1_ProtectionCase()
            try read(bytes, Iom_V1_ProtectionCase.protoMessageName) { (r) throws(BinaryDecodingError) in try r.protectionCase(&w) }
            return .protectionCase(try ProtectionCase(wire: w))
        }
    }

    /// Decodes an `iom.v1.Change` from protobuf binary.
    ///
    /// The bytes are read once, by hand (``WireReader``), into the change's fields, which are
    /// then validated into domain types; SwiftProtobuf's generated decoder is the reference
    /// it agrees with on every input (``decodeChangeWithSwiftProtobuf(_:)``).
    package static func decodeChange(_ bytes: [UInt8]) throws -> Change {
        // Read and validated in place: the fields (records of a few hundred bytes each) are
        // neither returned nor passed by value, so they are not moved from frame to frame.
        let result = bytes.withUnsafeBytes { buffer -> Result<Change, any Error> in
            var reader = WireReader(buffer)
            var fields = ChangeFields()
            do throws(BinaryDecodingError) { try reader.change(&fields) } catch {
                return .failure(malformed(Iom_V1_Change.protoMessageName, error))
            }
            return Result { () throws(ValidationError) in try Change(fields: &fields) }.mapError { $0 }
        }
        return try result.get()
    }

    /// Reads `bytes` as one message with `body`; SwiftProtobuf's errors become ``WireError``.
    static func read(_ bytes: [UInt8], _ name: String, _ body: (inout WireReader) throws(BinaryDecodingError) -> Void) throws(WireError) {
        let result = bytes.withUnsafeBytes { buffer -> BinaryDecodingError? in
            var reader = WireReader(buffer)
            do throws(BinaryDecodingError) { try body(&reader) } catch { return error }
            return nil
        }
        if let error = result { throw malformed(name, error) }
    }

    /// The error of a message that could not be read, worded as for SwiftProtobuf's decoder.
    static func malformed(_ name: String, _ error: BinaryDecodingError) -> WireError {
        .malformed("\(name): \(error)")
    }

    /// The canonical protobuf JSON of a record (as written in `Protocols/vectors`).
    package static func json(_ record: AnyRecord) -> String { jsonText(record.message) }

    /// The canonical protobuf JSON of a change.
    package static func json(_ change: Change) -> String { jsonText(change.wire) }

    /// Decodes a record from protobuf JSON (as ``decodeRecord(jsonUTF8:type:)`` does).
    package static func decodeRecord(json: String, type: RecordType) throws -> AnyRecord {
        try decodeRecord(jsonUTF8: Array(json.utf8), type: type)
    }

    /// Decodes a record from protobuf JSON given as UTF-8 bytes (no `String` in between).
    ///
    /// The bytes are read by ``JSONRecordReader`` (one pass, straight into the message) when
    /// it handles them, else by SwiftProtobuf's JSON decoder (escaped surrogate pairs above plane
    /// 1 repaired first: ``JSONSurrogates``), whose errors are the ones thrown; both give the same
    /// message whenever the reader answers. The message is then validated
    /// into the domain record, the same way whichever read it.
    package static func decodeRecord(jsonUTF8 bytes: [UInt8], type: RecordType) throws -> AnyRecord {
        try decodeRecord(jsonUTF8: bytes, type: type, fastPath: true)
    }

    /// ``decodeRecord(jsonUTF8:type:)``, or with `fastPath` false SwiftProtobuf's reading alone
    /// (the oracle's reference).
    static func decodeRecord(jsonUTF8 bytes: [UInt8], type: RecordType, fastPath: Bool) throws -> AnyRecord {
        // JSON → message → domain, validated once; no binary round trip in between.
        func m<M: SwiftProtobuf.Message>(_ fast: (UnsafeRawBufferPointer) -> M?) throws -> M {
            if fastPath, let message = bytes.withUnsafeBytes(fast) { return message }
            do { return try SwiftProtobufJSON.decode(M.self, bytes) } catch { throw WireError.malformed("\(M.protoMessageName) JSON: \(error)") }
        }
        switch type {
        case .organisation: return .organisation(try Organisation(wire: m(JSONRecordReader.organisation)))
        case .mission: return .mission(try Mission(wire: m(JSONRecordReader.mission)))
        case .memberState: return .memberState(try MemberState(wire: m(JSONRecordReader.memberState)))
        case .event: return .event(try PublicEvent(wire: m(JSONRecordReader.event)))
        case .protectionCase: return .protectionCase(try ProtectionCase(wire: m(JSONRecordReader.protectionCase)))
        }
    }

    /// Decodes a change from protobuf JSON.
    package static func decodeChange(json: String) throws -> Change {
        do { return try Change(wire: SwiftProtobufJSON.decode(Iom_V1_Change.self, Array(json.utf8))) } catch let e as SwiftProtobuf.JSONDecodingError {
            throw WireError.malformed("iom.v1.Change JSON: \(e)")
        }
    }

    static func message<M: SwiftProtobuf.Message>(_ bytes: [UInt8]) throws -> M {
        do { return try M(serializedBytes: bytes) } catch {
            throw WireError.malformed("\(M.protoMessageName): \(error)")
        }
    }

    static func bytes(_ m: some SwiftProtobuf.Message) -> [UInt8] {
        // Proto3 messages without required fields always serialize.
        (try? m.serializedBytes()) ?? []
    }

    static func jsonText(_ m: some SwiftProtobuf.Message) -> String {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = false
        return (try? m.jsonString(options: options)) ?? "{}"
    }
}

/// Bytes that are not a valid protobuf message of the expected type.
///
/// ```swift
/// do { _ = try WireCodec.decode([0xFF], as: Mission.self) } catch let e as WireError { print(e) }
/// ```
package enum WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes or JSON could not be parsed as the expected message.
    case malformed(String)

    package var description: String {
        switch self { case .malformed(let why): "malformed wire data: \(why)" }
    }
}

