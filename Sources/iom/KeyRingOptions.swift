import ArgumentParser
import CoreMetrics
import Foundation
import IOMKit
import IOMStore
import Logging

/// `--host-key FILE`, repeatable: the host's AES-256 keys that seal protection cases'
/// identifying fields at rest (IOMSecurity's `KeyRing`). Shared by the commands that open a
/// store holding protection cases (`serve`, `save`, `stats`).
///
/// Each file holds 32 bytes as 64 hexadecimal characters or base64, mode 0600; the key's id is
/// the file name without its extension (`data-2026-11.key` → `data-2026-11`), so keep names
/// stable: a case sealed under an id needs a key of that id to be read. The last key given is
/// the current one (new cases are sealed with it).
///
/// ```sh
/// umask 077; head -c 32 /dev/urandom | xxd -p -c 64 > /etc/iom/data-2026-11.key
/// iom serve --host-key /etc/iom/data-2026-11.key --secret-key node.key
/// ```
struct KeyRingOptions: ParsableArguments {
    @Option(name: .customLong("host-key"), parsing: .singleValue,
            help: ArgumentHelp("A host key file sealing protection cases at rest (repeat to add older keys first, the current one last; id = file name without extension).",
                               valueName: "file"))
    var hostKeys: [String] = []

    /// The key ring, or `nil` when no `--host-key` was given.
    func keyRing() throws -> KeyRing? {
        guard !hostKeys.isEmpty else { return nil }
        var keys: [HostKey] = []
        for path in hostKeys {
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure(.noInput, "--host-key: \(path) does not exist; create one with: umask 077; head -c 32 /dev/urandom | xxd -p -c 64 > \(path)")
            }
            let id = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            do { keys.append(try HostKey.load(id: id, path: path)) } catch {
                let status: ExitStatus = "\(error)".contains("chmod") ? .noPermission : .dataError
                throw CommandFailure(status, "--host-key: \(error)")
            }
        }
        do { return try KeyRing(keys) } catch {
            throw CommandFailure(.usage, "--host-key: \(error)")
        }
    }

    /// Opens the IOMKit store at `path` with these host keys and `logger`; a failure is an
    /// I/O error (74) naming the path, followed by `hint`.
    func open(store path: String, logger: Logger, hint: String = ", or pass another --store",
              metricsFactory: (any MetricsFactory)? = nil) async throws -> IOM {
        var configuration = IOMConfiguration(store: StoreConfiguration(location: .file(path: path)))
        configuration.logger = logger
        if let metricsFactory { configuration.metricsFactory = metricsFactory }
        configuration.security.keyRing = try keyRing()
        do { return try await IOM.open(configuration) } catch {
            throw CommandFailure(.ioError, "cannot open the store \(path): \(error). Check the path and its permissions\(hint)")
        }
    }
}
