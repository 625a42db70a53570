import IOMDomain
import SwiftProtobuf

// SwiftProtobuf as the oracle of the hand-written reader (`WireReader`): the same decoders
// through the generated code's own `init(serializedBytes:)`, and the comparison the
// differential tests (Tests/IOMWireTests) and the libFuzzer target (Fuzz/IOMFuzz) make.

extension WireCodec {
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
