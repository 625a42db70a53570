import ArgumentParser
import Foundation
import ZeroMQ

/// `iom keygen`: a new CURVE key pair as `NAME.pub` and `NAME.key` (mode 0600).
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create a CURVE key pair: NAME.pub (share it) and NAME.key (secret, mode 0600).",
        discussion: """
            Each file holds the key's 40 Z85 characters and a newline. The secret file is created \
            with mode 0600 from the start; IOMKit refuses a secret key file that group or others \
            may read. Give a server's NAME.pub to its clients and each client's NAME.pub to the server.

            Example:
              iom keygen --out /etc/iom --name node-rabat
            """
    )

    @Option(name: .long, help: ArgumentHelp("Directory to write the two files into (must exist).", valueName: "dir"))
    var out: String = "."

    @Option(name: .long, help: ArgumentHelp("Base name of the files: NAME.pub and NAME.key.", valueName: "name"))
    var name: String = "iom"

    @Flag(name: .long, help: "Replace an existing key pair of that name (the old secret key is lost).")
    var force = false

    func validate() throws {
        do { _ = try CurveKeyFile.paths(directory: out, name: name) } catch {
            throw ValidationError("--name: \(error)")
        }
    }

    func run() throws {
        guard Context.has("curve") else {
            throw CommandFailure(.unavailable, "this libzmq was built without CURVE; install a libzmq built with libsodium (Debian: apt-get install libzmq3-dev)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure(.cannotCreate, "directory \(out) does not exist; create it first (mkdir -p \(out)) or pass another --out")
        }
        let pair: CurveKeyPair
        do { pair = try CurveKeyPair.generate() } catch {
            throw CommandFailure(.unavailable, "could not generate a key pair: \(error)")
        }
        let paths: CurveKeyFile.Paths
        do { paths = try CurveKeyFile.write(pair, directory: out, name: name, overwrite: force) } catch {
            switch error.code {
            case .exists:
                throw CommandFailure(.cannotCreate, "\(error.path ?? "the key file") already exists; refusing to overwrite a key. Pass --force to replace the pair, or choose another --name or --out")
            default:
                throw CommandFailure(.cannotCreate, "\(error)")
            }
        }
        print("public key  \(paths.publicKeyPath)  (share it)")
        print("secret key  \(paths.secretKeyPath)  (mode 0600, keep it private)")
        print("public key Z85: \(pair.publicKey.z85)")
    }
}
