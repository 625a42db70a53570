#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// CURVE keys as files: the public key in `NAME.pub`, the secret key in `NAME.key`, each the
/// key's 40 Z85 characters followed by a newline.
///
/// The secret file is created with mode `0600` in the same system call that creates it
/// (`open` with `O_CREAT | O_EXCL`), so it is never readable by anyone else, not even for an
/// instant. Reading a secret key file that group or others may read or write is refused with
/// ``CurveKeyFileError/Code/insecurePermissions``, whose message says to run
/// `chmod 600 PATH`.
///
/// ```swift
/// let pair = try CurveKeyPair.generate()
/// let files = try CurveKeyFile.write(pair, directory: "keys", name: "node")  // keys/node.pub, keys/node.key
/// let again = try CurveKeyFile.readKeyPair(secretKeyPath: files.secretKeyPath)   // == pair
/// let serverKey = try CurveKeyFile.readPublicKey(at: "keys/node.pub")
/// ```
public enum CurveKeyFile {
    /// The file name extension of a public key file.
    public static let publicExtension = "pub"
    /// The file name extension of a secret key file.
    public static let secretExtension = "key"
    /// Key files are tiny; anything larger than this is not a key file.
    static let maximumFileSize = 4096

    /// The paths of a key pair's two files.
    public struct Paths: Sendable, Hashable {
        /// `DIRECTORY/NAME.pub`.
        public let publicKeyPath: String
        /// `DIRECTORY/NAME.key`.
        public let secretKeyPath: String
    }

    /// The paths `directory/name.pub` and `directory/name.key`.
    ///
    /// - Throws: ``CurveKeyFileError/Code/invalidName`` when `name` is empty, contains `/`, or
    ///   starts with `.`.
    public static func paths(directory: String, name: String) throws(CurveKeyFileError) -> Paths {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), !name.contains("\0") else {
            throw .invalidName(name)
        }
        let base = directory.isEmpty ? name : (directory.hasSuffix("/") ? directory + name : directory + "/" + name)
        return Paths(publicKeyPath: base + "." + publicExtension, secretKeyPath: base + "." + secretExtension)
    }

    /// Writes `pair` as `directory/name.pub` (mode 0644 less the umask) and `directory/name.key`
    /// (mode 0600). The directory must exist.
    ///
    /// Without `overwrite`, nothing is written when either file already exists. With it, each
    /// file is replaced atomically (written beside it, then renamed over it), so a reader sees
    /// the old key or the new one, never a mix.
    ///
    /// - Throws: ``CurveKeyFileError/Code/exists``, ``CurveKeyFileError/Code/io``.
    @discardableResult
    public static func write(_ pair: CurveKeyPair, directory: String, name: String, overwrite: Bool = false)
        throws(CurveKeyFileError) -> Paths
    {
        let paths = try paths(directory: directory, name: name)
        if !overwrite {
            // Refuse before writing anything, so an existing pair is never half replaced.
            for path in [paths.secretKeyPath, paths.publicKeyPath] where exists(path) {
                throw .exists(path: path)
            }
        }
        try writeSecretKey(pair.secretKey, to: paths.secretKeyPath, overwrite: overwrite)
        do {
            try writePublicKey(pair.publicKey, to: paths.publicKeyPath, overwrite: overwrite)
        } catch {
            if !overwrite { unlink(paths.secretKeyPath) }
            throw error
        }
        return paths
    }

    /// Writes a secret key file with mode 0600, created that way (never widened, never chmod-ed).
    ///
    /// - Throws: ``CurveKeyFileError/Code/exists`` when the file exists and `overwrite` is
    ///   false, ``CurveKeyFileError/Code/io`` when it cannot be written.
    public static func writeSecretKey(_ key: CurveKey, to path: String, overwrite: Bool = false) throws(CurveKeyFileError) {
        try writeFile(Array((key.z85 + "\n").utf8), to: path, mode: 0o600, overwrite: overwrite)
    }

    /// Writes a public key file (mode 0644 less the umask).
    public static func writePublicKey(_ key: CurveKey, to path: String, overwrite: Bool = false) throws(CurveKeyFileError) {
        try writeFile(Array((key.z85 + "\n").utf8), to: path, mode: 0o644, overwrite: overwrite)
    }

    /// Reads a public key file (40 Z85 characters; surrounding whitespace is ignored).
    ///
    /// - Throws: ``CurveKeyFileError/Code/notFound``, ``CurveKeyFileError/Code/malformed``,
    ///   ``CurveKeyFileError/Code/io``.
    public static func readPublicKey(at path: String) throws(CurveKeyFileError) -> CurveKey {
        try parse(readFile(path, secret: false), path: path)
    }

    /// Reads a secret key file, refusing one that group or others may read or write.
    ///
    /// The permission check is made on the opened file (`fstat`), so the file checked is the
    /// file read.
    ///
    /// - Throws: ``CurveKeyFileError/Code/insecurePermissions`` (run `chmod 600 PATH`),
    ///   ``CurveKeyFileError/Code/notFound``, ``CurveKeyFileError/Code/malformed``.
    public static func readSecretKey(at path: String) throws(CurveKeyFileError) -> CurveKey {
        try parse(readFile(path, secret: true), path: path)
    }

    /// Reads a key pair from its secret key file; the public key is derived from the secret one.
    /// When the matching `.pub` file exists beside it, it must hold that public key.
    ///
    /// - Throws: as ``readSecretKey(at:)``, and ``CurveKeyFileError/Code/mismatch``
    ///   when the `.pub` file beside it belongs to another key.
    public static func readKeyPair(secretKeyPath: String) throws(CurveKeyFileError) -> CurveKeyPair {
        let secret = try readSecretKey(at: secretKeyPath)
        let pair: CurveKeyPair
        do { pair = try CurveKeyPair(secretKey: secret) } catch {
            throw .malformed(path: secretKeyPath, reason: "not a CURVE secret key (\(error))")
        }
        let suffix = "." + secretExtension
        if secretKeyPath.hasSuffix(suffix) {
            let publicPath = String(secretKeyPath.dropLast(suffix.count)) + "." + publicExtension
            if exists(publicPath), try readPublicKey(at: publicPath) != pair.publicKey {
                throw .mismatch(secretKeyPath: secretKeyPath, publicKeyPath: publicPath)
            }
        }
        return pair
    }

    // MARK: Files

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private static func writeFile(_ bytes: [UInt8], to path: String, mode: mode_t, overwrite: Bool) throws(CurveKeyFileError) {
        guard overwrite else {
            // O_EXCL: fails if the path exists (even as a dangling symbolic link).
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            guard fd >= 0 else {
                let code = errno
                if code == EEXIST { throw .exists(path: path) }
                throw .io(path: path, operation: "create", code: code)
            }
            do { try writeAll(bytes, fd: fd, path: path) } catch {
                close(fd)
                unlink(path)
                throw error
            }
            close(fd)
            return
        }
        // Overwrite: a fresh file beside the target (same directory, so rename is atomic).
        var temporary = ""
        var fd: Int32 = -1
        for attempt in 0..<100 {
            temporary = "\(path).tmp-\(getpid())-\(attempt)"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw .io(path: temporary, operation: "create", code: errno) }
        do { try writeAll(bytes, fd: fd, path: temporary) } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .io(path: path, operation: "replace", code: code)
        }
    }

    private static func writeAll(_ bytes: [UInt8], fd: Int32, path: String) throws(CurveKeyFileError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "write", code: errno)
            }
            offset += written
        }
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "fsync", code: errno) }
    }

    private static func readFile(_ path: String, secret: Bool) throws(CurveKeyFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw .notFound(path: path) }
            throw .io(path: path, operation: "open", code: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, operation: "stat", code: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .malformed(path: path, reason: "is not a regular file")
        }
        if secret, info.st_mode & 0o077 != 0 {
            throw .insecurePermissions(path: path, mode: UInt32(info.st_mode & 0o777))
        }
        guard Int(info.st_size) <= maximumFileSize else {
            throw .malformed(path: path, reason: "is \(info.st_size) bytes long; a key file holds 40 characters")
        }
        var buffer = [UInt8](repeating: 0, count: maximumFileSize + 1)
        var count = 0
        while count < buffer.count {
            let got = buffer[count...].withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "read", code: errno)
            }
            if got == 0 { break }
            count += got
        }
        return Array(buffer[..<count])
    }

    private static func parse(_ bytes: [UInt8], path: String) throws(CurveKeyFileError) -> CurveKey {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformed(path: path, reason: "is not text")
        }
        let trimmed = text.trimmingWhitespace
        guard trimmed.utf8.count == 40 else {
            throw .malformed(path: path, reason: "holds \(trimmed.utf8.count) characters; a CURVE key file holds 40 Z85 characters")
        }
        do { return try CurveKey(z85: trimmed) } catch {
            throw .malformed(path: path, reason: "is not valid Z85")
        }
    }
}

// `read`/`write` are shadowed inside types that have members of those names; these name the C calls.
@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}

@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// Why a CURVE key file could not be written or read, with what to do about it.
///
/// Its ``code`` says what happened, ``path`` which file. New codes may come in any release, so a
/// `switch` over codes ends with `default:`.
///
/// ```swift
/// do { keys = try CurveKeyFile.readKeyPair(secretKeyPath: "node.key") } catch {
///     if error.code == .insecurePermissions { print("run chmod 600 \(error.path!)") }
/// }
/// ```
public struct CurveKeyFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Compare with `==` or `switch` over the static members; a `switch`
    /// needs a `default:` (codes may be added).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The file exists and overwriting was not asked for.
        public static let exists = Code("exists")
        /// There is no such file.
        public static let notFound = Code("notFound")
        /// A secret key file that group or others may read or write (``CurveKeyFileError/mode`` is its permission bits).
        public static let insecurePermissions = Code("insecurePermissions")
        /// The file is not a key file (wrong length, not Z85, not a regular file).
        public static let malformed = Code("malformed")
        /// The public key file beside a secret key file belongs to another key.
        public static let mismatch = Code("mismatch")
        /// A key pair name that is empty, contains `/` or starts with `.`.
        public static let invalidName = Code("invalidName")
        /// The operating system refused (``CurveKeyFileError/errno``).
        public static let io = Code("io")
        /// The code's name, as in `CurveKeyFileError.Code.exists`.
        public var description: String { name }
    }

    /// What went wrong.
    public let code: Code
    /// The file concerned (for ``Code/mismatch``, the public key file; for ``Code/invalidName``, the name).
    public let path: String?
    /// The file's permission bits (``Code/insecurePermissions``).
    public let mode: UInt32?
    /// The `errno` the operating system reported (``Code/io``).
    public let errno: Int32?
    /// What happened and what to do, in words.
    public let description: String

    private init(_ code: Code, path: String?, mode: UInt32? = nil, errno: Int32? = nil, _ description: String) {
        self.code = code
        self.path = path
        self.mode = mode
        self.errno = errno
        self.description = description
    }

    package static func exists(path: String) -> CurveKeyFileError {
        CurveKeyFileError(.exists, path: path, "\(path) already exists; refusing to overwrite a key. Choose another name or directory, or remove the old key pair first")
    }

    package static func notFound(path: String) -> CurveKeyFileError {
        CurveKeyFileError(.notFound, path: path, "\(path): no such key file")
    }

    package static func insecurePermissions(path: String, mode: UInt32) -> CurveKeyFileError {
        CurveKeyFileError(.insecurePermissions, path: path, mode: mode,
                          "\(path) is a secret key file readable or writable by others (mode \(String(mode, radix: 8))); refusing to use it. Run `chmod 600 \(path)` and consider the key compromised if others could read it")
    }

    package static func malformed(path: String, reason: String) -> CurveKeyFileError {
        CurveKeyFileError(.malformed, path: path, "\(path) \(reason)")
    }

    package static func mismatch(secretKeyPath: String, publicKeyPath: String) -> CurveKeyFileError {
        CurveKeyFileError(.mismatch, path: publicKeyPath,
                          "\(publicKeyPath) does not hold the public key of \(secretKeyPath); regenerate the pair or put the right .pub file beside the .key file")
    }

    package static func invalidName(_ name: String) -> CurveKeyFileError {
        CurveKeyFileError(.invalidName, path: name,
                          "\"\(name)\" is not a usable key name: use a plain file name without \"/\" that does not start with \".\"")
    }

    package static func io(path: String, operation: String, code: Int32) -> CurveKeyFileError {
        CurveKeyFileError(.io, path: path, errno: code, "\(path): \(operation) failed: \(String(cString: strerror(code))) (errno \(code))")
    }
}
