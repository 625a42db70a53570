import IOMKit

/// The node-save request of `iom serve --accept` (`Protocols/node-save.md`): one record as
/// protobuf JSON in, its stored version and journal sequence (or a coded error) out.
///
/// ```text
/// request = frame("iom.v1.save") frame(record-type) frame(record-json)
/// reply   = frame("iom.v1.save") frame("OK" / "ERROR") frame(params)
/// ```
enum NodeSave {
    /// Frame 0 of every request and reply.
    static let tag = "iom.v1.save"
    /// The largest request the endpoint accepts (`ZMQ_MAXMSGSIZE`).
    static let maximumRequestSize = 1 << 20
    /// Requests queued per client connection before libzmq stops reading it (`ZMQ_RCVHWM`).
    static let receiveHighWaterMark: Int32 = 16

    /// Why a save was refused (the `code` param of an ERROR reply).
    enum Code: String, Sendable {
        /// Wrong frame count, unknown record type, JSON that is not the type's message.
        case badRequest = "BAD_REQUEST"
        /// Frame 0 is not `iom.v1.save`.
        case unsupportedVersion = "UNSUPPORTED_VERSION"
        /// The record breaks a domain rule; `message` lists every field.
        case invalid = "INVALID"
        /// The version sent is not the stored one: read again and retry.
        case conflict = "CONFLICT"
        /// A new record whose version is not 1.
        case badVersion = "BAD_VERSION"
        /// The node may not store it (a protection case on a node without host keys).
        case forbidden = "FORBIDDEN"
        /// The store failed.
        case internalError = "INTERNAL"

        /// The exit code `iom save --node` ends with for this code.
        var exitStatus: ExitStatus {
            switch self {
            case .badRequest, .unsupportedVersion, .invalid, .badVersion, .forbidden: .dataError
            case .conflict: .temporaryFailure
            case .internalError: .ioError
            }
        }
    }

    static func ok(type: RecordType, record: String, version: UInt64, sequence: UInt64, source: String) -> [[UInt8]] {
        [Array(tag.utf8), Array("OK".utf8),
         ParamLines.encode([("type", type.rawValue), ("record", record), ("version", String(version)),
                            ("sequence", ParamLines.sequence(sequence)), ("source", "urn:uuid:" + source)])]
    }

    static func error(_ code: Code, _ message: String, extra: [(String, String)] = []) -> [[UInt8]] {
        [Array(tag.utf8), Array("ERROR".utf8), ParamLines.encode([("code", code.rawValue)] + extra + [("message", message)])]
    }
}
