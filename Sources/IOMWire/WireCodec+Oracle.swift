import IOMDomain
import SwiftProtobuf

// SwiftProtobuf as the oracle of the hand-written reader (`WireReader`): the same decoders
// through the generated code's own `init(serializedBytes:)`, and the comparison the
// differential tests (Tests/IOMWireTests) and the libFuzzer target (Fuzz/IOMFuzz) make.
// And of the hand-written writer (`WireWriter`): the same encoders through `serializedBytes()`
// of the messages the `.wire` getters build (WireWriterDifferentialTests).

extension WireCodec {
    /// ``encode(_:)-(Change)`` through SwiftProtobuf: the generated message the `.wire` getter
    /// builds, serialized (the reference of the hand-written ``WireWriter``).
    package static func encodeWithSwiftProtobuf(_ change: Change) -> [UInt8] { bytes(change.wire) }

    /// ``encode(_:)-(AnyRecord)`` through SwiftProtobuf (the reference of ``WireWriter``).
    package static func encodeWithSwiftProtobuf(_ record: AnyRecord) -> [UInt8] { bytes(record.message) }

    /// ``decodeChange(_:)`` through SwiftProtobuf's generated decoder (the reference).
    package static func decodeChangeWithSwiftProtobuf(_ bytes: [UInt8]) throws -> Change {
        try Change(wire: message(bytes))
    }

    /// ``decodeRecord(_:type:)`` through SwiftProtobuf's generated decoder (the reference).
    package static func decodeRecordWithSwiftProtobuf(_ bytes: [UInt8], type: RecordType) throws -> AnyRecord {
        switch type {
        case .organisation: .organisation(try Organisation(wire: message(bytes)))
        case .mission: .mission(try Mission(wire: message(bytes)))
        case .memberState: .memberState(try MemberState(wire: message(bytes)))
        case .event: .event(try PublicEvent(wire: message(bytes)))
        case .protectionCase: .protectionCase(try ProtectionCase(wire: message(bytes)))
        }
    }

    /// ``decodeEnvelope(_:)`` through SwiftProtobuf's generated decoder (the reference).
    package static func decodeEnvelopeWithSwiftProtobuf(_ bytes: [UInt8]) throws -> AnyRecord {
        let envelope: Iom_V1_Record = try message(bytes)
        return try envelopeRecord(envelope)
    }

    /// Where the hand-written reader and SwiftProtobuf disagree on `bytes`, decoded as a
    /// change, as an envelope and as each record type; nil when they agree on all of them.
    ///
    /// Agreeing means: both accept and decode equal values, or both refuse with the same kind
    /// of error — a ``WireError`` (malformed bytes; the texts may differ) or the same
    /// ``IOMDomain/ValidationError`` (same issues, paths, values and reasons, in order).
    package static func disagreement(_ bytes: [UInt8]) -> String? {
        // Equal, or encoded to the same bytes (a NaN coordinate is not equal to itself).
        let sameChange: (Change, Change) -> Bool = { $0 == $1 || encode($0) == encode($1) }
        let sameRecord: (AnyRecord, AnyRecord) -> Bool = { $0 == $1 || encode($0) == encode($1) }
        if let d = compare("iom.v1.Change", sameChange, { try decodeChange(bytes) }, { try decodeChangeWithSwiftProtobuf(bytes) }) { return d }
        if let d = compare("iom.v1.Record", sameRecord, { try decodeEnvelope(bytes) }, { try decodeEnvelopeWithSwiftProtobuf(bytes) }) { return d }
        for type in RecordType.allCases {
            if let d = compare(messageName(of: type), sameRecord, { try decodeRecord(bytes, type: type) },
                               { try decodeRecordWithSwiftProtobuf(bytes, type: type) }) { return d }
        }
        return nil
    }

    /// ``decodeRecord(jsonUTF8:type:)`` through SwiftProtobuf's JSON decoder alone (the
    /// reference), with its misreading of escaped surrogate pairs above plane 1 repaired
    /// (``JSONSurrogates``).
    package static func decodeRecordWithSwiftProtobuf(jsonUTF8 bytes: [UInt8], type: RecordType) throws -> AnyRecord {
        try decodeRecord(jsonUTF8: bytes, type: type, fastPath: false)
    }

    /// Where the JSON fast path (``JSONRecordReader``) breaks its contract on `bytes`, read as
    /// each record message; nil when it holds for all five.
    ///
    /// The contract: whenever the fast path returns a message, SwiftProtobuf's JSON decoder
    /// (default options) accepts the same bytes and decodes an equal message. Declining (nil)
    /// is always allowed.
    package static func jsonDisagreement(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBytes { buffer in
            if let d = jsonCheck(bytes, JSONRecordReader.organisation(buffer)) { return d }
            if let d = jsonCheck(bytes, JSONRecordReader.mission(buffer)) { return d }
            if let d = jsonCheck(bytes, JSONRecordReader.memberState(buffer)) { return d }
            if let d = jsonCheck(bytes, JSONRecordReader.event(buffer)) { return d }
            return jsonCheck(bytes, JSONRecordReader.protectionCase(buffer))
        }
    }

    /// The record types whose JSON fast path answers (does not decline) on `bytes`.
    package static func jsonFastPathTypes(_ bytes: [UInt8]) -> [RecordType] {
        bytes.withUnsafeBytes { buffer in
            var types: [RecordType] = []
            if JSONRecordReader.organisation(buffer) != nil { types.append(.organisation) }
            if JSONRecordReader.mission(buffer) != nil { types.append(.mission) }
            if JSONRecordReader.memberState(buffer) != nil { types.append(.memberState) }
            if JSONRecordReader.event(buffer) != nil { types.append(.event) }
            if JSONRecordReader.protectionCase(buffer) != nil { types.append(.protectionCase) }
            return types
        }
    }

    /// The fast path's answer `fast` against SwiftProtobuf's decoding of `bytes`.
    private static func jsonCheck<M: SwiftProtobuf.Message & Equatable>(_ bytes: [UInt8], _ fast: M?) -> String? {
        guard let fast else { return nil }
        let reference: M
        do { reference = try SwiftProtobufJSON.decode(M.self, bytes) } catch {
            return "\(M.protoMessageName) JSON: the fast path accepts what SwiftProtobuf refuses (\(error)):\n  \(fast)"
        }
        // The same binary: what the journal would hold. (Generated `==` alone is weaker: it
        // compares strings by canonical equivalence and takes 0.0 for -0.0.)
        if WireCodec.bytes(fast) == WireCodec.bytes(reference) { return nil }
        return "\(M.protoMessageName) JSON: both accept, messages differ:\n  fast path: \(fast)\n  swift-protobuf: \(reference)"
    }

    private static func compare<T>(_ name: String, _ same: (T, T) -> Bool, _ mine: () throws -> T, _ oracle: () throws -> T) -> String? {
        let a = Result { try mine() }
        let b = Result { try oracle() }
        switch (a, b) {
        case (.success(let x), .success(let y)):
            return same(x, y) ? nil : "\(name): both accept, values differ:\n  reader: \(x)\n  swift-protobuf: \(y)"
        case (.failure(let x), .failure(let y)):
            switch (x, y) {
            case (is WireError, is WireError): return nil
            case (let x as ValidationError, let y as ValidationError):
                return x == y ? nil : "\(name): both refuse, validation differs:\n  reader: \(x)\n  swift-protobuf: \(y)"
            default: return "\(name): both refuse, differently:\n  reader: \(x)\n  swift-protobuf: \(y)"
            }
        case (.success(let x), .failure(let y)):
            return "\(name): the reader accepts what SwiftProtobuf refuses (\(y)):\n  \(x)"
        case (.failure(let x), .success(let y)):
            return "\(name): the reader refuses (\(x)) what SwiftProtobuf accepts:\n  \(y)"
        }
    }
}
