import Foundation
import IOMChanges
import IOMDomain
import IOMWire

/// A message received on an events endpoint, checked against §5 and decoded.
enum IncomingMessage {
    /// A change to deliver.
    case event(CommittedChange)
    /// A sequence to skip: a withheld marker, or an event of a record type or kind this
    /// version does not know (§11.1: it still consumes its sequence).
    case skip(source: SourceID, sequence: UInt64)
    /// A heartbeat.
    case heartbeat(Heartbeat)
}

/// A heartbeat's content (§5.5).
struct Heartbeat: Equatable {
    var source: SourceID
    var latest: UInt64
    var oldest: UInt64
    var interval: Duration?
}

/// Decodes event, withheld and heartbeat messages and replay items.
enum EventDecoder {
    enum Topic: Equatable {
        case event(index: Int)
        case heartbeat
        case withheld
        /// `iom.v1.<something>` this version does not know (a future record type or kind).
        case unknown
        /// A reserved topic (`iom.v1._…`) this version does not know: ignored.
        case unknownReserved
    }

    static func topic(_ bytes: UnsafeRawBufferPointer) throws(MalformedReason) -> Topic {
        guard bytes.count <= BridgeProtocol.maximumTopicSize else { throw .tooLarge }
        for (index, topic) in BridgeProtocol.topicBytes.enumerated() where AttributesParser.equals(bytes, topic) {
            return .event(index: index)
        }
        if AttributesParser.equals(bytes, "iom.v1._heartbeat") { return .heartbeat }
        if AttributesParser.equals(bytes, "iom.v1._withheld") { return .withheld }
        guard bytes.count > 7, AttributesParser.equals(UnsafeRawBufferPointer(rebasing: bytes[0..<7]), "iom.v1.") else { throw .topic }
        return bytes[7] == 0x5F ? .unknownReserved : .unknown
    }

    /// An event message's attributes and data (also a replay item). `topicIndex` is the index
    /// of the topic in ``BridgeProtocol/topicBytes`` when the message came with a topic frame;
    /// replay items have none and are checked against their `type` alone.
    static func event(attributes: UnsafeRawBufferPointer, data: [UInt8], topicIndex: Int?) throws(MalformedReason) -> IncomingMessage {
        var specVersionOK = false, contentTypeOK = false, schemaOK = false
        var changeID: UUID?, source: UUID?, time: Date?, sequence: UInt64?
        var typeIndex: Int?
        var typeSeen = false
        // The subject as text only when it needs decoding; visible ASCII without `%` (the
        // usual case) is compared with the record id as bytes, without making a string.
        var subject: String?
        var subjectBytes: UnsafeRawBufferPointer?
        var reason: String?
        // One pass over the frame, no closure: the names this decoder knows are told apart by
        // length and bytes, and their repeats found with a bit set (unknown names, ignored
        // (§11.1), are compared with the lines before them).
        var lines = try AttributeLines(attributes)
        var seen: UInt16 = 0
        while let line = try lines.next() {
            let name = line.name, value = line.value
            let known: UInt16
            switch name.count {
            case 2 where AttributesParser.equals(name, "id"): known = 1 << 0
            case 4 where AttributesParser.equals(name, "type"): known = 1 << 1
            case 4 where AttributesParser.equals(name, "time"): known = 1 << 2
            case 6 where AttributesParser.equals(name, "source"): known = 1 << 3
            case 6 where AttributesParser.equals(name, "reason"): known = 1 << 4
            case 7 where AttributesParser.equals(name, "subject"): known = 1 << 5
            case 8 where AttributesParser.equals(name, "sequence"): known = 1 << 6
            case 10 where AttributesParser.equals(name, "dataschema"): known = 1 << 7
            case 11 where AttributesParser.equals(name, "specversion"): known = 1 << 8
            case 15 where AttributesParser.equals(name, "datacontenttype"): known = 1 << 9
            default: known = 0
            }
            if known == 0 {
                if lines.isRepeated(name) { throw .attributes }
                continue  // unknown attributes are ignored (§11.1)
            }
            if seen & known != 0 { throw .attributes }
            seen |= known
            switch known {
            case 1 << 0:
                guard let id = UUIDText.parse(value) else { throw .attributeValue }
                changeID = id
            case 1 << 1:
                typeSeen = true
                typeIndex = Self.typeIndex(value)
            case 1 << 2:
                guard let date = RFC3339.parse(value) else { throw .attributeValue }
                time = date
            case 1 << 3:
                source = sourceUUID(value)
                if source == nil { throw .attributeValue }
            case 1 << 4:
                reason = try AttributesParser.decode(value)
            case 1 << 5:
                if line.isPlain {
                    subjectBytes = value
                    subject = nil
                } else {
                    subject = try AttributesParser.decode(value)
                    subjectBytes = nil
                }
            case 1 << 6:
                guard let s = AttributesParser.sequence(value), s > 0 else { throw .sequence }
                sequence = s
            case 1 << 7:
                guard AttributesParser.equals(value, "urn:iom:proto:iom.v1.Change") else { throw .attributeValue }
                schemaOK = true
            case 1 << 8:
                guard AttributesParser.equals(value, "1.0") else { throw .attributeValue }
                specVersionOK = true
            default:
                guard AttributesParser.equals(value, "application/protobuf") || AttributesParser.equals(value, "application/x-protobuf")
                else { throw .attributeValue }
                contentTypeOK = true
            }
        }
        guard let source else { throw .attributeValue }
        guard let sequence else { throw .sequence }
        let sourceID = SourceID(source)
        // A withheld replay item: only source, sequence and reason, no specversion, empty data.
        if !specVersionOK && reason != nil && topicIndex == nil {
            guard data.isEmpty else { throw .data }
            return .skip(source: sourceID, sequence: sequence)
        }
        guard specVersionOK, contentTypeOK, schemaOK, typeSeen, let changeID, let time, subject != nil || subjectBytes != nil
        else { throw .attributeValue }
        guard let typeIndex else {
            // A `type` of a future record type or kind: skip, but only without a known topic.
            guard topicIndex == nil else { throw .mismatch }
            return .skip(source: sourceID, sequence: sequence)
        }
        if let topicIndex, topicIndex != typeIndex { throw .mismatch }
        guard data.count <= BridgeProtocol.maximumMessageSize else { throw .tooLarge }
        let change: Change
        do { change = try WireCodec.decodeChange(data) } catch { throw .data }
        let subjectMatches = if let subject { change.recordID == subject } else { Self.equals(change.recordID, subjectBytes!) }
        guard BridgeProtocol.topicIndex(change.recordType, change.kind) == typeIndex, subjectMatches else { throw .mismatch }
        return .event(CommittedChange(source: sourceID, sequence: sequence, changeID: changeID, time: time, change: change, encoded: data))
    }

    /// The index in ``BridgeProtocol/typeBytes`` of a `type` value, nil for a type this version
    /// does not know.
    private static func typeIndex(_ value: UnsafeRawBufferPointer) -> Int? {
        for index in BridgeProtocol.typeBytes.indices where AttributesParser.equals(value, BridgeProtocol.typeBytes[index]) {
            return index
        }
        return nil
    }

    /// Whether `text` is exactly `bytes` in UTF-8.
    private static func equals(_ text: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in AttributesParser.equals(bytes, UnsafeRawBufferPointer(utf8)) }
    }

    /// A withheld marker on the events endpoint (§5.6).
    static func withheld(attributes: UnsafeRawBufferPointer) throws(MalformedReason) -> IncomingMessage {
        var source: UUID?, sequence: UInt64?
        try AttributesParser.forEach(attributes) { (name, value) throws(MalformedReason) in
            if AttributesParser.equals(name, "source") {
                source = sourceUUID(value)
                if source == nil { throw .attributeValue }
            } else if AttributesParser.equals(name, "sequence") {
                guard let s = AttributesParser.sequence(value), s > 0 else { throw .sequence }
                sequence = s
            }
        }
        guard let source else { throw .attributeValue }
        guard let sequence else { throw .sequence }
        return .skip(source: SourceID(source), sequence: sequence)
    }

    /// An event of a topic this version does not know: it still consumes its sequence.
    static func unknown(attributes: UnsafeRawBufferPointer) throws(MalformedReason) -> IncomingMessage {
        try withheld(attributes: attributes)
    }

    /// A heartbeat (§5.5). `latest` may be 0 (empty journal).
    static func heartbeat(attributes: UnsafeRawBufferPointer) throws(MalformedReason) -> Heartbeat {
        var source: UUID?, latest: UInt64?, oldest: UInt64?, interval: Duration?
        try AttributesParser.forEach(attributes) { (name, value) throws(MalformedReason) in
            if AttributesParser.equals(name, "source") {
                source = sourceUUID(value)
                if source == nil { throw .attributeValue }
            } else if AttributesParser.equals(name, "latest") {
                guard let s = AttributesParser.sequence(value) else { throw .sequence }
                latest = s
            } else if AttributesParser.equals(name, "oldest") {
                guard let s = AttributesParser.sequence(value) else { throw .sequence }
                oldest = s
            } else if AttributesParser.equals(name, "interval") {
                guard let ms = AttributesParser.sequence(value, padded: false), ms > 0, ms < 3_600_000 else { throw .attributeValue }
                interval = .milliseconds(Int64(ms))
            }
        }
        guard let source else { throw .attributeValue }
        guard let latest, let oldest else { throw .sequence }
        return Heartbeat(source: SourceID(source), latest: latest, oldest: oldest, interval: interval)
    }

    /// `urn:uuid:<uuid>` → the UUID.
    static func sourceUUID(_ value: UnsafeRawBufferPointer) -> UUID? {
        guard value.count == 45, AttributesParser.equals(UnsafeRawBufferPointer(rebasing: value[0..<9]), "urn:uuid:") else { return nil }
        return UUIDText.parse(UnsafeRawBufferPointer(rebasing: value[9...]))
    }

    /// Parses `urn:uuid:<uuid>` from a decoded string (sync params).
    static func sourceID(_ text: String) -> SourceID? {
        var text = text
        return text.withUTF8 { sourceUUID(UnsafeRawBufferPointer($0)) }.map(SourceID.init)
    }
}
