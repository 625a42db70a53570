import ArgumentParser
import Logging
import Synchronization

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// `--log-level`, shared by every command that logs. Logs go to standard error, so standard
/// output stays for results.
struct LoggingOptions: ParsableArguments {
    @Option(help: "How much to log on standard error.")
    var logLevel: Logger.Level = .notice

    /// Bootstraps the process-wide logging system (once) and returns the command's logger,
    /// which the command passes down to the libraries it calls.
    func bootstrap(label: String = "iom") -> Logger {
        LoggingBootstrap.once(level: logLevel)
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        return logger
    }
}

/// `LoggingSystem.bootstrap` may only be called once per process.
enum LoggingBootstrap {
    private static let done = Mutex(false)

    static func once(level: Logger.Level) {
        done.withLock { done in
            guard !done else { return }
            done = true
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
