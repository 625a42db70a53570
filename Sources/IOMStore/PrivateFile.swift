#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates the files IOMKit keeps data in readable by their owner only, whatever the umask.
///
/// SQLite creates a database's `-wal`, `-shm` and `-journal` files with the mode of the
/// database file itself, so a store file created here `0600` keeps all of them `0600`.
///
/// ```swift
/// try PrivateFile.create(atPath: "iom.sqlite")   // 0600, or left alone when it exists
/// ```
package enum PrivateFile {
    /// The mode of a file IOMKit creates: read and write for the owner only.
    package static let fileMode: mode_t = 0o600
    /// The mode of a directory IOMKit creates: the owner only.
    package static let directoryMode: mode_t = 0o700

    /// Creates an empty file at `path` with mode `0600` (set explicitly, so the umask does not
    /// widen or narrow it). An existing file is left as it is.
    ///
    /// - Throws: ``StoreError/storage(_:)`` when the file cannot be created.
    package static func create(atPath path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        if fd < 0 {
            let code = errno
            if code == EEXIST { return }
            throw StoreError.storage("cannot create \(path): \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        guard fchmod(fd, fileMode) == 0 else {
            throw StoreError.storage("cannot make \(path) private (chmod 600): \(String(cString: strerror(errno)))")
        }
    }

    /// Creates the directory at `path` (and missing parents, also `0700`) with mode `0700`
    /// whatever the umask. An existing directory is left as it is.
    ///
    /// - Throws: ``StoreError/storage(_:)`` when it cannot be created.
    package static func createDirectory(atPath path: String) throws {
        var isDirectory = stat()
        if stat(path, &isDirectory) == 0 { return }
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !parent.isEmpty, parent != path { try createDirectory(atPath: parent) }
        if mkdir(path, directoryMode) != 0 {
            let code = errno
            if code == EEXIST { return }
            throw StoreError.storage("cannot create the directory \(path): \(String(cString: strerror(code)))")
        }
        guard chmod(path, directoryMode) == 0 else {
            throw StoreError.storage("cannot make the directory \(path) private (chmod 700): \(String(cString: strerror(errno)))")
        }
    }
}
