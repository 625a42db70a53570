import Crypto
import Foundation

/// AES-256-GCM with the keys of a ``KeyRing``: seals bytes for one context (e.g. a record id,
/// authenticated but not encrypted, so sealed bytes cannot be moved to another record).
///
/// Format: `0x01`, key-id length (1 octet), key id (UTF-8), 12-octet nonce, ciphertext,
/// 16-octet tag. A fresh random nonce per seal.
///
/// ```swift
/// let cipher = FieldCipher(keyRing: ring)
/// let sealed = try cipher.seal(Array("FICTIONAL Given".utf8), context: Array("case-1".utf8))
/// let plain = try cipher.open(sealed, context: Array("case-1".utf8))
/// ```
package struct FieldCipher: Sendable {
    /// The keys.
    package let keyRing: KeyRing

    /// Creates a cipher over `keyRing`.
    package init(keyRing: KeyRing) { self.keyRing = keyRing }

    static let version: UInt8 = 1

    /// Encrypts with the current key.
    package func seal(_ plaintext: [UInt8], context: [UInt8]) throws(SecurityError) -> [UInt8] {
        let current = keyRing.current
        let box: AES.GCM.SealedBox
        do { box = try AES.GCM.seal(plaintext, using: current.key, authenticating: context) } catch {
            throw .authenticationFailed("seal: \(error)")
        }
        guard let combined = box.combined else { throw .authenticationFailed("seal: no combined representation") }
        let id = Array(current.id.utf8)
        var out: [UInt8] = [Self.version, UInt8(id.count)]
        out.reserveCapacity(2 + id.count + combined.count)
        out += id
        out += combined
        return out
    }

    /// The id of the key `sealed` was sealed with, or `nil` when it is not sealed data.
    package static func keyID(of sealed: [UInt8]) -> String? {
        guard sealed.count >= 2, sealed[0] == version, sealed.count >= 2 + Int(sealed[1]) + 28 else { return nil }
        return String(decoding: sealed[2..<2 + Int(sealed[1])], as: UTF8.self)
    }

    /// Decrypts.
    ///
    /// - Throws: ``SecurityError/Code/unknownKey`` when the ring lacks the key,
    ///   ``SecurityError/Code/authenticationFailed`` when the bytes or the context differ.
    package func open(_ sealed: [UInt8], context: [UInt8]) throws(SecurityError) -> [UInt8] {
        guard let id = Self.keyID(of: sealed) else { throw .authenticationFailed("not sealed data") }
        guard let key = keyRing.key(id: id) else { throw .unknownKey(id) }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed[(2 + Int(sealed[1]))...])
            return Array(try AES.GCM.open(box, using: key, authenticating: context))
        } catch {
            throw .authenticationFailed("key \"\(id)\": \(error)")
        }
    }

    /// Re-encrypts `sealed` with the current key (unchanged when it already uses it).
    package func reencrypt(_ sealed: [UInt8], context: [UInt8]) throws(SecurityError) -> [UInt8] {
        if Self.keyID(of: sealed) == keyRing.current.id { return sealed }
        return try seal(open(sealed, context: context), context: context)
    }
}
