import IOMDomain

/// Constants of IOMB/1 (`Protocols/bridge.md`): topics, tags and limits.
package enum BridgeProtocol {
    /// Prefix of every version-1 topic; subscribe to it to receive everything (§5.1).
    package static let topicPrefix = "iom.v1."
    /// Heartbeat topic (§5.5).
    package static let heartbeatTopic = "iom.v1._heartbeat"
    /// Withheld-marker topic (§5.6).
    package static let withheldTopic = "iom.v1._withheld"
    /// Prefix of reserved topics (heartbeats, withheld markers).
    package static let reservedPrefix = "iom.v1._"
    /// First frame of every sync request and reply (§9.1).
    package static let syncTag = "iom.v1.sync"
    /// `dataschema` of event messages.
    package static let dataSchema = "urn:iom:proto:iom.v1.Change"
    /// `datacontenttype` of event messages.
    package static let dataContentType = "application/protobuf"

    /// Largest frame or whole message a receiver accepts (`ZMQ_MAXMSGSIZE`, §11.2).
    package static let maximumMessageSize = 16 << 20
    /// Largest topic frame.
    package static let maximumTopicSize = 255
    /// Largest attributes or params frame.
    package static let maximumAttributesSize = 4096
    /// Largest attribute line.
    package static let maximumLineSize = 1024
    /// Largest request id.
    package static let maximumRequestIDSize = 64
    /// Largest sync request, all frames together; also the sync endpoint's `ZMQ_MAXMSGSIZE`,
    /// so a larger frame drops the connection before it is buffered (§11.2).
    package static let maximumRequestSize = 64 << 10
    /// Requests queued per sync connection before libzmq stops reading it (`ZMQ_RCVHWM` of the
    /// sync endpoint, §11.2).
    package static let syncReceiveHighWaterMark: Int32 = 32
    /// Largest frame an events endpoint accepts (`ZMQ_MAXMSGSIZE` of the XPUB, §11.2): it
    /// receives only subscriptions (one octet and a topic prefix of at most 255 octets), but
    /// libzmq applies the limit to the CURVE handshake's commands too (INITIATE carries the
    /// client's metadata), so it is 4 KiB rather than 256 octets.
    package static let maximumSubscriptionSize = 4096
    /// Sync replies queued per connection on a client (`ZMQ_RCVHWM` of the DEALER, §11.2):
    /// more than credit lets a publisher send (8 requests × 64 chunks, and their ENDs).
    package static let replyReceiveHighWaterMark: Int32 = 1024
    /// Largest number of item frames' bytes in one sync chunk (a larger single item travels alone).
    package static let maximumChunkBytes = 1 << 20

    /// The event topic of a record type and kind, e.g. `iom.v1.mission.created`.
    package static func topic(_ type: RecordType, _ kind: ChangeKind) -> String {
        "\(topicPrefix)\(type.rawValue).\(kind.rawValue)"
    }

    /// The topic prefix that selects one record type (with its trailing dot), e.g. `iom.v1.mission.`.
    package static func topicPrefix(for type: RecordType) -> String { "\(topicPrefix)\(type.rawValue)." }

    /// Topic bytes, precomputed for the send path: index `type * 3 + kind`.
    static let topicBytes: [[UInt8]] = RecordType.allCases.flatMap { type in
        ChangeKind.allCases.map { Array(topic(type, $0).utf8) }
    }

    static func topicIndex(_ type: RecordType, _ kind: ChangeKind) -> Int {
        RecordType.allCases.firstIndex(of: type)! * ChangeKind.allCases.count + ChangeKind.allCases.firstIndex(of: kind)!
    }

    /// `org.iom.v1.<type>.<kind>` bytes, same indexing as ``topicBytes``.
    static let typeBytes: [[UInt8]] = topicBytes.map { Array("org.".utf8) + $0 }
}
