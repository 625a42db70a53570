import IOMDomain
import SwiftProtobuf

extension WireCodec {
    /// Encodes a record inside the `iom.v1.Record` envelope (the `oneof` of every record type),
    /// protobuf binary: what a bridge snapshot carries, one record per frame.
    package static func encodeEnvelope(_ record: AnyRecord) -> [UInt8] { bytes(record.wire) }

    /// Decodes an `iom.v1.Record` envelope.
    ///
    /// - Throws: ``WireError`` when the bytes are not a valid message or hold no record,
    ///   ``IOMDomain/ValidationError`` when the record breaks a domain rule.
    package static func decodeEnvelope(_ bytes: [UInt8]) throws -> AnyRecord {
        var envelope = Iom_V1_Record()
        try read(bytes, Iom_V1_Record.protoMessageName) { (r) throws(BinaryDecodingError) in try r.record(&envelope) }
        return try envelopeRecord(envelope)
    }

    /// The record of an envelope, validated.
    static func envelopeRecord(_ envelope: Iom_V1_Record) throws -> AnyRecord {
        var validator = Validator()
        let record = AnyRecord(wire: envelope, &validator, "record")
        try validator.finish()
        guard let record else { throw WireError.malformed("iom.v1.Record holds no record") }
        return record
    }
}
