import Foundation
import IOMDomain
import SwiftProtobuf

/// Encrypts and decrypts the identifying-class fields of protection cases at rest.
///
/// IOMWire does no cryptography itself: IOMSecurity's `CaseSealer` implements this with
/// AES-256-GCM and per-case data keys. `recordID` must be bound to the ciphertext (as
/// additional authenticated data) so sealed bytes cannot be moved to another case.
package protocol FieldSealer: Sendable {
    /// The `SealedFields.scheme` this sealer writes and reads.
    var scheme: String { get }
    /// Encrypts `plaintext` for the case `recordID`.
    func seal(_ plaintext: [UInt8], recordID: String) throws -> [UInt8]
    /// Decrypts; `nil` when the case's key was destroyed (crypto-shredded). Throws when the
    /// bytes were tampered with or the key is unknown.
    func open(_ ciphertext: [UInt8], recordID: String) throws -> [UInt8]?
}

extension WireCodec {
    /// Encodes a change for the store: every protection-case state in it has its identifying
    /// data (`identifying` and the best-interests summaries) replaced by `sealed`
    /// (`iom.v1.SealedFields`). Other record types are encoded as by ``encode(_:)-(Change)``.
    ///
    /// ```swift
    /// let payload = try WireCodec.encode(change, sealingWith: sealer)   // no name in clear
    /// let back = try WireCodec.decodeChange(payload, openingWith: sealer) // == change
    /// ```
    package static func encode(_ change: Change, sealingWith sealer: any FieldSealer) throws -> [UInt8] {
        var w = change.wire
        if w.hasBefore, case .protectionCase(var c) = w.before.record {
            try seal(&c, recordID: change.recordID, sealer)
            w.before.protectionCase = c
        }
        if w.hasAfter, case .protectionCase(var c) = w.after.record {
            try seal(&c, recordID: change.recordID, sealer)
            w.after.protectionCase = c
        }
        return bytes(w)
    }

    /// Decodes a change written by ``encode(_:sealingWith:)``, opening sealed fields with
    /// `sealer`. Without a sealer, or for a crypto-shredded case, protection cases come back
    /// without identifying data (as if redacted). Plain changes decode as with ``decodeChange(_:)``.
    ///
    /// - Throws: ``WireError`` for malformed bytes or sealed fields that fail authentication.
    package static func decodeChange(_ bytes: [UInt8], openingWith sealer: (any FieldSealer)?) throws -> Change {
        var w: Iom_V1_Change = try message(bytes)
        if w.hasBefore, case .protectionCase(var c) = w.before.record {
            try open(&c, recordID: w.recordID, sealer)
            w.before.protectionCase = c
        }
        if w.hasAfter, case .protectionCase(var c) = w.after.record {
            try open(&c, recordID: w.recordID, sealer)
            w.after.protectionCase = c
        }
        return try Change(wire: w)
    }

    /// Whether an encoded change carries sealed protection-case fields.
    package static func isSealed(_ bytes: [UInt8]) -> Bool {
        guard let w: Iom_V1_Change = try? message(bytes) else { return false }
        return w.before.protectionCase.hasSealed || w.after.protectionCase.hasSealed
    }

    static func seal(_ c: inout Iom_V1_ProtectionCase, recordID: String, _ sealer: any FieldSealer) throws {
        var plain = Iom_V1_IdentifyingFields()
        var any = false
        if c.hasIdentifying { plain.identifying = c.identifying; c.clearIdentifying(); any = true }
        if c.hasChildren {
            if c.children.hasBestInterestsAssessment, c.children.bestInterestsAssessment.hasSummary {
                plain.bestInterestsAssessmentSummary = c.children.bestInterestsAssessment.summary
                c.children.bestInterestsAssessment.clearSummary(); any = true
            }
            if c.children.hasBestInterestsDetermination, c.children.bestInterestsDetermination.hasSummary {
                plain.bestInterestsDeterminationSummary = c.children.bestInterestsDetermination.summary
                c.children.bestInterestsDetermination.clearSummary(); any = true
            }
        }
        guard any else { return }
        var sealed = Iom_V1_SealedFields()
        sealed.scheme = sealer.scheme
        sealed.ciphertext = Data(try sealer.seal(Self.bytes(plain), recordID: recordID))
        c.sealed = sealed
    }

    static func open(_ c: inout Iom_V1_ProtectionCase, recordID: String, _ sealer: (any FieldSealer)?) throws {
        guard c.hasSealed else { return }
        let sealed = c.sealed
        c.clearSealed()
        guard let sealer else { return }
        guard sealed.scheme == sealer.scheme else {
            throw WireError.malformed("protectionCase.sealed.scheme \"\(sealed.scheme)\" is not \"\(sealer.scheme)\"")
        }
        guard let plainBytes = try sealer.open([UInt8](sealed.ciphertext), recordID: recordID) else { return }
        let plain: Iom_V1_IdentifyingFields = try message(plainBytes)
        if plain.hasIdentifying { c.identifying = plain.identifying }
        if plain.hasBestInterestsAssessmentSummary, c.hasChildren, c.children.hasBestInterestsAssessment {
            c.children.bestInterestsAssessment.summary = plain.bestInterestsAssessmentSummary
        }
        if plain.hasBestInterestsDeterminationSummary, c.hasChildren, c.children.hasBestInterestsDetermination {
            c.children.bestInterestsDetermination.summary = plain.bestInterestsDeterminationSummary
        }
    }
}
