import ArgumentParser
import Foundation
import IOMKit
import IOMStore
import IOMWire
import Logging
import ZeroMQ

/// `iom save TYPE --file record.json`: validates a record and saves it into a local store, or
/// with `--node ENDPOINT` sends it to a running `iom serve --accept` (`Protocols/node-save.md`).
struct SaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "Validate a record given as JSON and save it into a local store or through a running node.",
        discussion: """
            The file holds one record in the protobuf JSON mapping of Protocols/iom/v1 (the \
            message of TYPE: iom.v1.Organisation, Mission, MemberState, Event or ProtectionCase), \
            as in Protocols/vectors/*.json. Field names are lowerCamelCase, 64-bit numbers are \
            strings, enums are their names (e.g. "MISSION_STATUS_OPEN"); unknown fields are refused.

            Creating and updating are distinct. A record at "version": "1" (in its "meta") is \
            created, and refused (exit 75) when its id exists: saving the same file again never \
            makes a second version. A record at another version updates the stored one, which \
            must still be at that version (the version you read); to update a record still at \
            version 1, pass --update. On success prints the stored version and the change's \
            journal sequence; an invalid record prints every problem with its field and exits 65; \
            an existing id or a stale version exits 75.

            With --node ENDPOINT the record goes to a running node (iom serve --accept ENDPOINT), \
            which validates and saves it into its store and publishes the change to its \
            subscribers; the output and exit codes are the same, and 69 when the node does not \
            answer within --timeout seconds. Security as for iom tail: --server-key and \
            --secret-key, or --insecure.

            Protection cases need the host's keys (--host-key, repeatable): their identifying \
            fields are sealed at rest.

            A stream of records: with --node and no TYPE, --file holds JSON lines, one record per \
            line with its type, mixed types allowed (blank lines are skipped):
              {"type":"mission","record":{"meta":{"id":"mission-ma","version":"1",…},…}}
              {"type":"member-state","id":"ms-ma-1","record":{…}}
            They are pipelined to the node (Protocols/node-save.md: up to --window unanswered, \
            each with a request id, "id" on the line or RUN-LINE by default with RUN from --run-id \
            or random). One result line per record on standard output, in input order:
              line 1: saved mission mission-ma: version 1, sequence 12
              line 2: refused CONFLICT: …
              line 3: bad line: …
            then a summary line. Bad lines are reported and the rest are saved. Exit 0 when every \
            record was saved; otherwise 65 if a line was bad or a record refused as invalid or \
            forbidden, 74 for INTERNAL, 75 if the only refusals were conflicts, 69 when the node \
            stopped answering. Running the same file again with the same --run-id is safe: a \
            request id the node remembers (one hour) gets its first answer and saves nothing again.

            Examples:
              iom save mission --file mission.json --store iom.sqlite
              iom save event --file event.json --node tcp://127.0.0.1:5672 --insecure
              iom save --file records.jsonl --node tcp://127.0.0.1:5672 --insecure --run-id import-2026-11-29
            """
    )

    @Argument(help: ArgumentHelp("The record type: organisation, mission, member-state, event or protection-case. Without it (and with --node), --file holds JSON lines of typed records.", valueName: "type"))
    var type: RecordTypeArgument?

    @Option(name: .long, help: ArgumentHelp("The JSON file holding the record, or - for standard input.", valueName: "path"))
    var file: String

    @Option(name: .long, help: ArgumentHelp("The store's SQLite file (created when missing; default iom.sqlite).", valueName: "path"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp("Save through a running node's accept endpoint (iom serve --accept) instead of a local store.", valueName: "endpoint"))
    var node: String?

    @Option(name: .customLong("server-key"), help: ArgumentHelp("With --node: the node's CURVE public key file (NAME.pub).", valueName: "file"))
    var serverKey: String?

    @Option(name: .customLong("secret-key"), help: ArgumentHelp("With --node: this client's CURVE secret key file (NAME.key).", valueName: "file"))
    var secretKey: String?

    @Flag(name: .long, help: "With --node: send in plain text (the node must run with --insecure).")
    var insecure = false

    @Flag(name: .long, help: "Update the stored record at the record's version (the version you read), even at version 1; without it, version 1 creates.")
    var update = false

    @Option(name: .long, help: ArgumentHelp("With --node: seconds to wait for the node's answer before giving up (exit 69).", valueName: "seconds"))
    var timeout: Double = 10

    @Option(name: .long, help: ArgumentHelp("With --node and JSON lines: how many requests may be unanswered at once (1…\(NodeSave.window)).", valueName: "count"))
    var window: Int = NodeSave.window / 2

    @Option(name: .customLong("run-id"), help: ArgumentHelp("With --node and JSON lines: the prefix of the default request ids (RUN-LINE); reuse it to resend a file safely.", valueName: "text"))
    var runID: String?

    @OptionGroup var keyRing: KeyRingOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard !file.isEmpty else { throw ValidationError("--file must name a JSON file, or - for standard input") }
        guard store?.isEmpty != true else { throw ValidationError("--store must name a SQLite file") }
        guard timeout > 0, timeout.isFinite else { throw ValidationError("--timeout must be a positive number of seconds, got \(timeout)") }
        guard (1...NodeSave.window).contains(window) else { throw ValidationError("--window must be between 1 and \(NodeSave.window), got \(window)") }
        if type == nil && node == nil {
            throw ValidationError("give the record type (organisation, mission, member-state, event or protection-case); a stream of JSON lines without a type needs --node ENDPOINT")
        }
        if let runID, !NodeSave.isValidRequestID(runID + "-1") {
            throw ValidationError("--run-id must be printable ASCII without spaces, at most \(NodeSave.maximumRequestIDLength - 12) characters")
        }
        if type != nil && runID != nil { throw ValidationError("--run-id applies to a stream of JSON lines (no TYPE)") }
        if let node {
            if store != nil { throw ValidationError("--store and --node exclude each other: the node saves into its own store") }
            if !keyRing.hostKeys.isEmpty { throw ValidationError("--host-key is for a local store; the node uses its own keys (iom serve --host-key)") }
            do { try EndpointFailure.validate(node, option: "--node") } catch let failure as CommandFailure { throw ValidationError(failure.message) }
            if insecure {
                if serverKey != nil || secretKey != nil { throw ValidationError("--insecure contradicts --server-key/--secret-key: choose one") }
            } else if serverKey == nil || secretKey == nil {
                throw ValidationError("--node needs CURVE keys: --server-key FILE (the node's .pub) and --secret-key FILE (yours, from iom keygen); or --insecure for a node run with --insecure")
            }
        } else if serverKey != nil || secretKey != nil || insecure {
            throw ValidationError("--server-key, --secret-key and --insecure apply to --node ENDPOINT only")
        }
    }

    func run() async throws {
        let logger = logging.bootstrap()
        let json = try readInput()
        guard let type else {
            try await saveStream(json, through: node!)
            return
        }
        let record = try decode(json, as: type)
        if let node {
            try await saveThrough(node, json: json, record: record, type: type, logger: logger)
            return
        }
        let store = store ?? "iom.sqlite"
        let iom = try await keyRing.open(store: store, logger: logger)
        let result: Result<(version: UInt64, sequence: UInt64), IOMError>
        do { result = .success(try await RecordSaving.save(record, into: iom, operation: update ? .update : nil)) } catch { result = .failure(error) }
        do { try await iom.close() } catch {
            logger.error("closing the store failed", metadata: ["store": "\(store)", "error": "\(error)"])
        }
        switch result {
        case .success(let saved):
            print("saved \(type.recordType.rawValue) \(record.recordID): version \(saved.version), sequence \(saved.sequence)")
        case .failure(let error):
            throw failure(for: error, type: type)
        }
    }

    private var inputName: String { file == "-" ? "standard input" : file }

    private func readInput() throws -> String {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard FileManager.default.fileExists(atPath: file) else {
                throw CommandFailure(.noInput, "\(file): no such file; pass the path of a JSON record with --file (examples: Protocols/vectors/*.json)")
            }
            do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                throw CommandFailure(.noInput, "\(file) cannot be read: \(error.localizedDescription)")
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure(.dataError, "\(inputName) is not UTF-8 text; the record must be JSON")
        }
        return text
    }

    private func decode(_ json: String, as argument: RecordTypeArgument) throws -> AnyRecord {
        let type = argument.recordType
        do { return try WireCodec.decodeRecord(json: json, type: type) } catch let error as IOMDomain.ValidationError {
            throw CommandFailure(.dataError, """
                the \(type.rawValue) in \(inputName) is not valid, nothing was saved:
                \(error.issues.map { "  \($0)" }.joined(separator: "\n"))
                Fix these fields and run the command again.
                """)
        } catch {
            throw CommandFailure(.dataError, """
                \(inputName) is not valid protobuf JSON for \(WireCodec.messageName(of: type)): \(error)
                See Protocols/iom/v1 for the fields and Protocols/vectors/*.json for examples; check the record type (\(argument.rawValue)).
                """)
        }
    }

    /// Sends the record to a node's accept endpoint and reports its answer like a local save.
    private func nodeKeys() throws -> (client: CurveKeyPair, server: CurveKey)? {
        guard let serverKey, let secretKey else { return nil }
        return (try KeyFiles.curveKeyPair(secretKey, option: "--secret-key"), try KeyFiles.curvePublicKey(serverKey, option: "--server-key"))
    }

    private func saveThrough(_ node: String, json: String, record: AnyRecord, type argument: RecordTypeArgument, logger: Logger) async throws {
        let keys = try nodeKeys()
        let type = argument.recordType
        let reply = try await NodeSaveClient.send(type: type, json: json, operation: update ? .update : nil, to: node, keys: keys,
                                                  timeout: .milliseconds(Int64(timeout * 1000)))
        switch reply {
        case .saved(let version, let sequence):
            print("saved \(type.rawValue) \(record.recordID): version \(version), sequence \(sequence)")
        case .refused(let code, let message):
            throw CommandFailure(code?.exitStatus ?? .ioError, message)
        }
    }

    /// Pipelines the JSON lines of `text` to the node; one result line per record, then a summary.
    private func saveStream(_ text: String, through node: String) async throws {
        let stream = RecordLines.parse(text, runID: runID ?? UUID().uuidString.lowercased())
        let pipeline = try NodeSavePipeline(endpoint: node, keys: try nodeKeys(), window: window)
        let lines = stream.requests.map { (line: $0.line, type: $0.request.type) }
        // Results print in input order: a line is printed once every line before it has its result.
        let printer = RecordLines.Printer(bad: stream.bad, lines: lines)
        printer.flush()
        let clock = ContinuousClock()
        let start = clock.now
        var unavailable: CommandFailure?
        do {
            _ = try await pipeline.save(stream.requests.map(\.request), timeout: .milliseconds(Int64(timeout * 1000))) { index, reply in
                printer.record(index, reply)
            }
        } catch let failure as CommandFailure where failure.status == .unavailable {
            unavailable = failure
        }
        let elapsed = clock.now - start
        let summary = printer.finish(unanswered: unavailable != nil)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("summary: \(summary.saved) of \(summary.total) records saved, \(summary.refused) refused, \(summary.bad) bad lines\(summary.unanswered > 0 ? ", \(summary.unanswered) unanswered" : "") in \(String(format: "%.2f", seconds)) s")
        if let unavailable { throw unavailable }
        if let status = summary.status {
            throw CommandFailure(status, "\(summary.total - summary.saved) of \(summary.total) records were not saved (see the result lines above)")
        }
    }

    private func failure(for error: IOMError, type: RecordTypeArgument) -> CommandFailure {
        switch error.code {
        case .invalid:
            CommandFailure(.dataError, """
                the \(type.recordType.rawValue) in \(inputName) is not valid, nothing was saved:
                \((error.validation?.issues ?? []).map { "  \($0)" }.joined(separator: "\n"))
                Fix these fields and run the command again.
                """)
        case .conflict, .alreadyExists, .badVersion, .notFound:
            CommandFailure(error.isConflict ? .temporaryFailure : .dataError, "nothing was saved: \(error)")
        case .forbidden, .security:
            CommandFailure(.dataError, "nothing was saved: \(error)")
        default:
            CommandFailure(.ioError, "nothing was saved: \(error)")
        }
    }
}

extension IOMError {
    var isConflict: Bool {
        switch code {
        case .conflict, .alreadyExists: true
        default: false
        }
    }
}
