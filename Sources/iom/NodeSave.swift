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
    /// Requests libzmq queues per client connection before it stops reading it (`ZMQ_RCVHWM`);
    /// the node reads them eagerly into the connection's window.
    static let receiveHighWaterMark: Int32 = 64
    /// Unanswered requests one connection may have at the node; the next is answered BUSY.
    ///
    /// Deep enough for one pipelining client to keep the store's writer busy across the round
    /// trips of a loopback connection (in `NodeSave/pipelined/IOMKit`, 1,024 unanswered save
    /// about a fifth more per second than 200). Memory stays bounded by ``nodeBytes``.
    static let window = 1024
    /// Bytes of requests all connections together may have unanswered at the node; past it, BUSY.
    static let nodeBytes = 64 << 20
    /// How long the node remembers an answered request id (`Protocols/node-save.md`, Idempotency);
    /// it forgets them at most ``forgetInterval`` later.
    static let idempotencyWindow: Duration = .seconds(3600)
    /// How often the node forgets request ids older than ``idempotencyWindow``.
    static let forgetInterval: Duration = .seconds(60)
    /// The longest request id, in bytes.
    static let maximumRequestIDLength = 128

    /// Whether `id` is a valid request id: 1…128 bytes of printable ASCII without space (0x21–0x7E).
    static func isValidRequestID(_ id: String) -> Bool {
        let bytes = id.utf8
        return !bytes.isEmpty && bytes.count <= maximumRequestIDLength && bytes.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }

    /// The request id of a 4-frame request (`id` in its params frame), if valid.
    static func requestID(in frames: [[UInt8]]) -> String? {
        guard frames.count == 4, let id = ParamLines.decode(frames[3])["id"], isValidRequestID(id) else { return nil }
        return id
    }

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
        /// The connection already has ``NodeSave/window`` unanswered requests (or the node its
        /// byte budget): nothing was saved; send again once answers arrive.
        case busy = "BUSY"

        /// The exit code `iom save --node` ends with for this code.
        var exitStatus: ExitStatus {
            switch self {
            case .badRequest, .unsupportedVersion, .invalid, .badVersion, .forbidden: .dataError
            case .conflict, .busy: .temporaryFailure
            case .internalError: .ioError
            }
        }
    }

    /// An OK reply; `id` is the request id (first param) when the request carried one, and
    /// `repeated` marks the remembered answer to a repeated request id.
    static func ok(id: String? = nil, type: RecordType, record: String, version: UInt64, sequence: UInt64, source: String,
                   repeated: Bool = false) -> [[UInt8]] {
        var params: [UInt8] = []
        params.reserveCapacity(120 + (id?.utf8.count ?? 0) + record.utf8.count)
        if let id { ParamLines.append("id", id, to: &params) }
        ParamLines.append("type", type.rawValue, to: &params)
        ParamLines.append("record", record, to: &params)
        ParamLines.append("version", String(version), to: &params)
        ParamLines.appendSequence("sequence", sequence, to: &params)
        params.append(contentsOf: "source=urn:uuid:".utf8)
        params.append(contentsOf: source.utf8)
        params.append(0x0A)
        if repeated { ParamLines.append("repeated", "1", to: &params) }
        return [okTag, okStatus, params]
    }

    private static let okTag = Array(tag.utf8)
    private static let okStatus = Array("OK".utf8)

    /// An ERROR reply; `id` as for ``ok(id:type:record:version:sequence:source:repeated:)``.
    static func error(_ code: Code, _ message: String, id: String? = nil, extra: [(String, String)] = []) -> [[UInt8]] {
        [Array(tag.utf8), Array("ERROR".utf8),
         ParamLines.encode((id.map { [("id", $0)] } ?? []) + [("code", code.rawValue)] + extra + [("message", message)])]
    }
}
