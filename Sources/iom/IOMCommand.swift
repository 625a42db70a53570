import ArgumentParser
import CSQLiteProcess
import Foundation

/// `iom`: the IOMKit command line.
@main
struct IOMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iom",
        abstract: "IOMKit: typed change events of an intergovernmental migration organisation's data, over ZeroMQ.",
        discussion: """
            Exit codes: 0 success, 1 unexpected failure, 64 bad arguments, 65 invalid record or input, \
            66 input file missing, 69 endpoint or service unavailable, 73 file exists or cannot be created, \
            74 store or I/O failure, 75 conflict (read again and retry), 77 key file permissions.
            """,
        subcommands: [ServeCommand.self, TailCommand.self, SaveCommand.self, StatsCommand.self, KeygenCommand.self, ProxyCommand.self, DemoCommand.self]
    )

    /// Whether this process's SQLite keeps memory statistics: `off` once ``main()`` turned them
    /// off before the first connection (no global mutex around each SQLite allocation), `on`
    /// when SQLite was in use already. Evaluated first thing in ``main()``.
    static let sqliteMemoryStatistics = iom_sqlite_disable_memory_statistics() == 1 ? "off" : "on"

    /// Runs the command; a ``CommandFailure`` becomes its message on standard error and its exit code.
    static func main() async {
        // Before anything opens a store: without the global mutex SQLite's memory statistics
        // take around each allocation, a node saves about 3 % more per second
        // (`NodeSave/pipelined/IOMKit`). The process is ours; a library's host is not.
        _ = sqliteMemoryStatistics
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data("Error: \(failure.message)\n".utf8))
            Foundation.exit(failure.status.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}
