import ArgumentParser
import Foundation
import IOMKit
import ZeroMQ

/// `--allow [ROLE:]FILE`, repeatable: the CURVE client keys a node admits (bridge.md §12.2),
/// each a `NAME.pub` from `iom keygen`, with the role its holder acts in (default `service`).
/// The principal id is the file name without `.pub`.
///
/// ```sh
/// iom serve --secret-key node.key --allow service:replica.pub --allow analyst:alice.pub
/// ```
struct AllowOptions: ParsableArguments {
    @Option(name: .customLong("allow"), parsing: .singleValue,
            help: ArgumentHelp("Admit this CURVE client (repeatable): [ROLE:]FILE, FILE a NAME.pub from iom keygen, ROLE one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")) (default service; it decides the client's view and rights). The principal id is NAME.",
                               valueName: "role:file"))
    var entries: [String] = []

    /// `(role, path)` of each `--allow`, checked for syntax only.
    func parsed() throws -> [(role: Role, path: String)] {
        try entries.map { entry in
            if let colon = entry.firstIndex(of: ":"), let role = Role(rawValue: String(entry[..<colon])) {
                return (role, String(entry[entry.index(after: colon)...]))
            }
            if let colon = entry.firstIndex(of: ":"), !entry[..<colon].contains("/") {
                throw ValidationError("--allow \(entry): unknown role \"\(entry[..<colon])\"; use one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return (.service, entry)
        }
    }

    /// The allow-list of every `--allow` key.
    func allowList() throws -> ClientAllowList {
        var keys: [String: Principal] = [:]
        for (role, path) in try parsed() {
            let key = try KeyFiles.curvePublicKey(path, option: "--allow")
            let id = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let principal: Principal = switch role {
            case .caseworker: .caseworker(id)
            case .supervisor: .supervisor(id)
            case .analyst: .analyst(id)
            case .serviceProvider: .serviceProvider(id)
            case .auditor: .auditor(id)
            case .service: .service(id)
            }
            keys[key.z85] = principal
        }
        do { return try ClientAllowList(keys) } catch {
            throw CommandFailure(.usage, "--allow: \(error)")
        }
    }
}
