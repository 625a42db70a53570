/// Why a received message was dropped as malformed (`Protocols/bridge.md` §11.3).
///
/// Counted per reason in ``BridgeStatistics``; logged at most once per reason per second.
public enum MalformedReason: String, Sendable, Hashable, CaseIterable, Error, CustomStringConvertible {
    /// Wrong number of frames for the message kind.
    case frameCount
    /// The topic is not a version-1 topic, or names an unknown record type or kind.
    case topic
    /// The attributes frame breaks the line grammar (§5.2): no final LF, bad name, control
    /// character, bad percent-encoding, duplicate name, too long.
    case attributes
    /// A required attribute is missing or has a bad value (`specversion`, `id`, `source`,
    /// `type`, `time`, `datacontenttype`, `dataschema`).
    case attributeValue
    /// `sequence` is not 20 digits or is 0.
    case sequence
    /// Topic, `type`, `subject` and the data frame disagree.
    case mismatch
    /// The data frame is not a valid `iom.v1.Change` under `Protocols/README.md`.
    case data
    /// A frame or the whole message exceeds the limits of §11.2.
    case tooLarge
    /// A sync reply that does not follow §9.
    case reply

    /// A readable form, for logs and messages.
    public var description: String { rawValue }
}
