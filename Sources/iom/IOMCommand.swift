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

    /// How this process's SQLite library runs: `multi-thread` when ``main()`` configured it
    /// before the first connection (every connection is used by one thread at a time: GRDB
    /// serializes each), `serialized` when SQLite was in use already and kept its defaults.
    nonisolated(unsafe) private(set) static var sqliteMode = "serialized"

    /// Runs the command; a ``CommandFailure`` becomes its message on standard error and its exit code.
    static func main() async {
        // Before anything opens a store: without a mutex per connection call and the global one
        // per allocation (memory statistics), a node's writer thread saves about 3 % more per
        // second (`NodeSave/pipelined/IOMKit`). The process is ours; a library's host is not.
        if iom_sqlite_configure_process() == 1 { sqliteMode = "multi-thread" }
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
