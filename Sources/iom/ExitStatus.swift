/// The exit codes of `iom` (BSD `sysexits.h` values, so scripts can tell failures apart).
enum ExitStatus: Int32, Sendable {
    /// Everything worked.
    case success = 0
    /// Something unexpected failed.
    case failure = 1
    /// Bad arguments (also what swift-argument-parser uses for validation errors).
    case usage = 64
    /// The input is not valid: a record that breaks a rule, malformed JSON.
    case dataError = 65
    /// An input file does not exist or cannot be read.
    case noInput = 66
    /// A network endpoint or a needed service is unavailable (address in use, no CURVE).
    case unavailable = 69
    /// An output file exists (and overwriting was not asked for) or cannot be created.
    case cannotCreate = 73
    /// The store or the file system failed.
    case ioError = 74
    /// A transient refusal: someone else changed the record; read it again and retry.
    case temporaryFailure = 75
    /// A file's permissions are unsafe (a secret key readable by others).
    case noPermission = 77
}

/// A failure the user can act on: its message says what happened and what to do, and it
/// ends the command with ``status``.
struct CommandFailure: Error, CustomStringConvertible {
    let status: ExitStatus
    let message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }
}
