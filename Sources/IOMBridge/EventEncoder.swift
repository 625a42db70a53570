import IOMSecurity
import Foundation
import IOMDomain

/// Writes the attributes frames of events, withheld markers and heartbeats into a reusable
/// buffer (§5.2–§5.6), for `source` — set it per change on a multi-source publisher (§8.7.1).
struct EventEncoder {
    var source: SourceID {
        didSet { if source != oldValue { sourceText = Self.text(of: source) } }
    }
    private(set) var writer = AttributesWriter()
    /// `urn:uuid:<source>`, written on every message: made once per source.
    private var sourceText: [UInt8]

    /// The RFC 3339 text of the last event's time, and that time in milliseconds: changes
    /// committed together share their time, so most events reuse it.
    private var timeText = [UInt8](repeating: 0, count: RFC3339.count)
    private var timeTextMillis = Int64.min

    init(source: SourceID) {
        self.source = source
        self.sourceText = Self.text(of: source)
    }

    private static func text(of source: SourceID) -> [UInt8] {
        var text = Array("urn:uuid:".utf8)
        UUIDText.append(source.uuid, to: &text)
        return text
    }

    var bytes: [UInt8] { writer.bytes }

    /// The attributes of an event message (§5.3), in the order of the table.
    mutating func event(sequence: UInt64, changeID: UUID, time: Date, type: RecordType, kind: ChangeKind,
                        subject: String, view: BridgeView) {
        writer.reset()
        writer.add("specversion", raw: "1.0")
        writer.add("id", uuid: changeID)
        writer.add("source", raw: sourceText)
        writer.add("type", raw: BridgeProtocol.typeBytes[BridgeProtocol.topicIndex(type, kind)])
        writer.add("subject", text: subject)
        let millis = RFC3339.milliseconds(time)
        if millis != timeTextMillis {
            timeTextMillis = millis
            timeText.withUnsafeMutableBufferPointer { RFC3339.write(millis: millis, to: $0.baseAddress!) }
        }
        writer.add("time", raw: timeText)
        writer.add("datacontenttype", raw: "application/protobuf")
        writer.add("dataschema", raw: "urn:iom:proto:iom.v1.Change")
        writer.add("sequence", sequence: sequence)
        if view != .full { writer.add("iomview", text: view.rawValue) }
    }

    /// The attributes of a withheld marker (§5.6) or a withheld replay item (§9.1).
    mutating func withheld(sequence: UInt64, reason: WithheldReason) {
        writer.reset()
        writer.add("source", raw: sourceText)
        writer.add("sequence", sequence: sequence)
        writer.add("reason", text: reason.rawValue)
    }

    /// The attributes of a heartbeat (§5.5).
    mutating func heartbeat(latest: UInt64, oldest: UInt64, now: Date, interval: Duration, view: BridgeView) {
        writer.reset()
        writer.add("source", raw: sourceText)
        writer.add("latest", sequence: latest)
        writer.add("oldest", sequence: oldest)
        writer.add("time", time: now)
        writer.add("interval", number: Int(interval.milliseconds))
        writer.add("view", text: view.rawValue)
    }
}

/// Why a change was replaced by a withheld marker.
package enum WithheldReason: String, Sendable, Hashable {
    /// The endpoint's view may not carry it.
    case view
    /// Its event message would exceed the size limit.
    case tooLarge = "toolarge"
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
