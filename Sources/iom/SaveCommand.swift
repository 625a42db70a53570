import ArgumentParser
import Foundation
import IOMKit
import IOMStore
import IOMWire
import Logging

/// `iom save TYPE --file record.json`: validates a record and saves it into a local store.
struct SaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "Validate a record given as JSON and save it into a local store.",
        discussion: """
            The file holds one record in the protobuf JSON mapping of Protocols/iom/v1 (the \
            message of TYPE: iom.v1.Organisation, Mission, MemberState, Event or ProtectionCase), \
            as in Protocols/vectors/*.json. Field names are lowerCamelCase, 64-bit numbers are \
            strings, enums are their names (e.g. "MISSION_STATUS_OPEN"); unknown fields are refused.

            Versions are optimistic: a new record has "version": "1" in its "meta"; to update one, \
            send the version you read. On success prints the stored version and the change's \
            journal sequence; an invalid record prints every problem with its field and exits 65; \
            a stale version exits 75.

            Example:
              iom save mission --file mission.json --store iom.sqlite
            """
    )

    @Argument(help: ArgumentHelp("The record type: organisation, mission, member-state, event or protection-case.", valueName: "type"))
    var type: RecordTypeArgument

    @Option(name: .long, help: ArgumentHelp("The JSON file holding the record, or - for standard input.", valueName: "path"))
    var file: String

    @Option(name: .long, help: ArgumentHelp("The store's SQLite file (created when missing).", valueName: "path"))
    var store: String = "iom.sqlite"

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard !file.isEmpty else { throw ValidationError("--file must name a JSON file, or - for standard input") }
        guard !store.isEmpty else { throw ValidationError("--store must name a SQLite file") }
    }

    func run() async throws {
        let logger = logging.bootstrap()
        let json = try readInput()
        let record = try decode(json)
        var configuration = IOMConfiguration(store: StoreConfiguration(location: .file(path: store)))
        configuration.logger = logger
        let iom: IOMKit
        do { iom = try await IOMKit.open(configuration) } catch {
            throw CommandFailure(.ioError, "cannot open the store \(store): \(error). Check the path and its permissions, or pass another --store")
        }
        let result: Result<(version: UInt64, sequence: UInt64), IOMError>
        do { result = .success(try await save(record, into: iom)) } catch { result = .failure(error) }
        do { try await iom.close() } catch {
            logger.error("closing the store failed", metadata: ["store": "\(store)", "error": "\(error)"])
        }
        switch result {
        case .success(let saved):
            print("saved \(type.recordType.rawValue) \(record.recordID): version \(saved.version), sequence \(saved.sequence)")
        case .failure(let error):
            throw failure(for: error)
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

    private func decode(_ json: String) throws -> AnyRecord {
        let type = type.recordType
        do { return try WireCodec.decodeRecord(json: json, type: type) } catch let error as IOMDomain.ValidationError {
            throw CommandFailure(.dataError, """
                the \(type.rawValue) in \(inputName) is not valid, nothing was saved:
                \(error.issues.map { "  \($0)" }.joined(separator: "\n"))
                Fix these fields and run the command again.
                """)
        } catch {
            throw CommandFailure(.dataError, """
                \(inputName) is not valid protobuf JSON for \(WireCodec.messageName(of: type)): \(error)
                See Protocols/iom/v1 for the fields and Protocols/vectors/*.json for examples; check the record type (\(self.type.rawValue)).
                """)
        }
    }

    private func save(_ record: AnyRecord, into iom: IOMKit) async throws(IOMError) -> (version: UInt64, sequence: UInt64) {
        switch record {
        case .organisation(let r): let s = try await iom.organisations.save(r); return (s.record.version, s.sequence)
        case .mission(let r): let s = try await iom.missions.save(r); return (s.record.version, s.sequence)
        case .memberState(let r): let s = try await iom.memberStates.save(r); return (s.record.version, s.sequence)
        case .event(let r): let s = try await iom.events.save(r); return (s.record.version, s.sequence)
        case .protectionCase(let r):
            // The command line acts as a supervisor registering a case (audited under this principal).
            let s = try await iom.protectionCases(as: .supervisor("iom-cli"), purpose: .caseManagement).save(r)
            return (s.record.version, s.sequence)
        }
    }

    private func failure(for error: IOMError) -> CommandFailure {
        switch error {
        case .invalid(let validation):
            CommandFailure(.dataError, """
                the \(type.recordType.rawValue) in \(inputName) is not valid, nothing was saved:
                \(validation.issues.map { "  \($0)" }.joined(separator: "\n"))
                Fix these fields and run the command again.
                """)
        case .conflict, .badVersion:
            CommandFailure(error.isConflict ? .temporaryFailure : .dataError, "nothing was saved: \(error)")
        case .store, .corrupted, .closed, .bus, .notFound, .cancelled, .bridge:
            CommandFailure(.ioError, "nothing was saved: \(error)")
        case .forbidden, .security:
            CommandFailure(.dataError, "nothing was saved: \(error)")
        }
    }
}

extension IOMError {
    var isConflict: Bool {
        if case .conflict = self { true } else { false }
    }
}
