import Crypto
import Foundation

extension HostKey {
    /// Reads a host key from a file the host keeps **outside** the data directory: 64 hexadecimal
    /// characters or 44 characters of base64 (32 bytes; surrounding whitespace ignored). The
    /// file must not be readable or writable by group or others (mode 0600 or 0400), like a
    /// CURVE secret key file (bridge.md §12.1).
    ///
    /// ```sh
    /// umask 077; head -c 32 /dev/urandom | xxd -p -c 64 > /etc/iom/data-2026-11.key
    /// ```
    /// ```swift
    /// let ring = try KeyRing([HostKey.load(id: "2026-11", path: "/etc/iom/data-2026-11.key")])
    /// ```
    ///
    /// - Throws: ``SecurityError/Code/invalidKey`` naming the file: missing, too open, or not a 256-bit key.
    public static func load(id: String, path: String) throws(SecurityError) -> HostKey {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw .invalidKey("key file \(path) cannot be read: \(error.localizedDescription)")
        }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0o777
        guard mode & 0o077 == 0 else {
            throw .invalidKey("key file \(path) has mode \(String(mode, radix: 8)); others can read it: chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw .invalidKey("key file \(path) cannot be read") }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Self.hex(text) ?? Data(base64Encoded: text).map({ [UInt8]($0) }), bytes.count == 32 else {
            throw .invalidKey("key file \(path) does not hold 32 bytes as 64 hex characters or base64")
        }
        return try HostKey(id: id, key: SymmetricKey(data: bytes))
    }

    static func hex(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count == 64 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var i = 0
        while i < 64 {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
