import Foundation
import IOMKit
import ZeroMQ

/// Reads the key files named on the command line, turning each failure into the exit code
/// and message `iom proxy` uses (66 missing, 77 readable by others, 65 malformed).
enum KeyFiles {
    /// A CURVE key pair from a secret key file written by `iom keygen` (`NAME.key`).
    static func curveKeyPair(_ path: String, option: String) throws -> CurveKeyPair {
        try requireCurve()
        return try load(option: option) { try CurveKeyFile.readKeyPair(secretKeyPath: path) }
    }

    /// A CURVE public key from a `NAME.pub` file.
    static func curvePublicKey(_ path: String, option: String) throws -> CurveKey {
        try requireCurve()
        return try load(option: option) { try CurveKeyFile.readPublicKey(at: path) }
    }

    static func requireCurve() throws {
        guard Context.has("curve") else {
            throw CommandFailure(.unavailable, "this libzmq was built without CURVE; install a libzmq built with libsodium (Debian: apt-get install libzmq3-dev), or pass --insecure on a trusted machine")
        }
    }

    private static func load<Key>(option: String, _ read: () throws -> Key) throws -> Key {
        do { return try read() } catch let error as CurveKeyFileError {
            switch error.code {
            case .insecurePermissions: throw CommandFailure(.noPermission, "\(option): \(error)")
            case .notFound: throw CommandFailure(.noInput, "\(option): \(error.path ?? "the key file") does not exist; create a key pair with iom keygen")
            default: throw CommandFailure(.dataError, "\(option): \(error)")
            }
        }
    }
}
