import Crypto
import IOMWire

/// Seals the identifying fields of protection cases at rest with each case's own data key from
/// a ``CaseKeyVault`` (AES-256-GCM, the case id as additional authenticated data). Give it to
/// ``IOMWire/WireCodec/encode(_:sealingWith:)`` and ``IOMWire/WireCodec/decodeChange(_:openingWith:)``.
///
/// ```swift
/// let sealer = CaseSealer(vault: security.caseKeys)
/// let payload = try WireCodec.encode(change, sealingWith: sealer)
/// ```
package struct CaseSealer: FieldSealer {
    /// The data keys.
    package let vault: CaseKeyVault

    /// Creates a sealer over `vault`.
    package init(vault: CaseKeyVault) { self.vault = vault }

    package var scheme: String { "iomkit.case-key.aes256gcm.v1" }

    package func seal(_ plaintext: [UInt8], recordID: String) throws -> [UInt8] {
        guard let key = try vault.dataKey(for: recordID, create: true) else { throw SecurityError.shredded(caseID: recordID) }
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Array(recordID.utf8))
        guard let combined = box.combined else { throw SecurityError.authenticationFailed("seal") }
        return Array(combined)
    }

    package func open(_ ciphertext: [UInt8], recordID: String) throws -> [UInt8]? {
        guard let key = try vault.dataKey(for: recordID, create: false) else { return nil }
        do {
            return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: ciphertext), using: key, authenticating: Array(recordID.utf8)))
        } catch {
            throw SecurityError.authenticationFailed("protectionCase \"\(recordID)\": \(error)")
        }
    }
}
