import Logging

extension Logger {
    /// The logger of a configuration the host gave none: it drops everything. IOMKit never
    /// decides where logs go; the host passes its own `Logger` to log.
    package static let disabled = Logger(label: "IOMKit", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Whether this logger drops everything (the default of the configurations).
    package var isDisabled: Bool { handler is SwiftLogNoOpLogHandler }
}
