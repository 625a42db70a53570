/// The bounds of every value a record may hold (`Protocols/README.md`, "Bounds"), checked by
/// every record's initialiser — so by every save and by every wire decode.
///
/// They keep one record, and so one change (its `before` and `after`), well below the
/// bridge's message limits (`Protocols/bridge.md` §11.2: 16 MiB per event message, 1 MiB per
/// node-save request, 1 MiB per sync chunk); the facade also refuses a change whose encoding
/// is larger than ``maximumChangeBytes``.
///
/// ```swift
/// var v = Validator()
/// v.bound(text: narrative, "protectionCase.identifying.narrative")
/// try v.finish()   // protectionCase.identifying.narrative: "921600 bytes" is longer than 65536 bytes
/// ```
package enum RecordBounds {
    /// The longest text value (a name, a title in one language, a narrative), in bytes of UTF-8.
    package static let maximumTextBytes = 65_536
    /// The most entries of any list (documents, participants, referrals, audit entries…).
    package static let maximumListCount = 1_000
    /// The earliest instant: 1970-01-01T00:00:00.000Z (milliseconds since the Unix epoch).
    package static let earliestInstant: Int64 = 0
    /// The latest instant: 9999-12-31T23:59:59.999Z, the last one RFC 3339 can write.
    package static let latestInstant: Int64 = 253_402_300_799_999
    /// The largest encoded change (`iom.v1.Change`, protobuf binary) the facade saves: 4 MiB.
    package static let maximumChangeBytes = 4 << 20
}

extension Validator {
    /// Fails when `text` is longer than ``RecordBounds/maximumTextBytes``. The value
    /// is the length, never the text (which may be identifying).
    package mutating func bound(text: String?, _ path: @autoclosure () -> String) {
        guard let text else { return }
        let bytes = text.utf8.count
        if bytes > RecordBounds.maximumTextBytes {
            fail(path(), "\(bytes) bytes", "is longer than \(RecordBounds.maximumTextBytes) bytes")
        }
    }

    /// ``bound(text:_:)`` for a ``NonEmptyString``.
    package mutating func bound(text: NonEmptyString?, _ path: @autoclosure () -> String) {
        bound(text: text?.value, path())
    }

    /// ``bound(text:_:)`` for each language of a ``LocalizedText`` (`path.fr`, `path.en`, `path.ar`).
    package mutating func bound(text: LocalizedText?, _ path: @autoclosure () -> String) {
        guard let text else { return }
        let limit = RecordBounds.maximumTextBytes
        if (text.fr?.utf8.count ?? 0) > limit { bound(text: text.fr, "\(path()).fr") }
        if (text.en?.utf8.count ?? 0) > limit { bound(text: text.en, "\(path()).en") }
        if (text.ar?.utf8.count ?? 0) > limit { bound(text: text.ar, "\(path()).ar") }
    }

    /// Fails when `list` has more than ``RecordBounds/maximumListCount`` entries; returns
    /// whether it is within bounds (check the entries only then).
    @discardableResult
    package mutating func bound(count list: some Collection, _ path: @autoclosure () -> String) -> Bool {
        let count = list.count
        guard count > RecordBounds.maximumListCount else { return true }
        fail(path(), "\(count) entries", "has more than \(RecordBounds.maximumListCount) entries")
        return false
    }

    /// Fails when `instant` is outside 1970-01-01T00:00:00.000Z … 9999-12-31T23:59:59.999Z.
    package mutating func bound(instant: Instant, _ path: @autoclosure () -> String) {
        let ms = instant.millisecondsSince1970
        if ms < RecordBounds.earliestInstant || ms > RecordBounds.latestInstant {
            fail(path(), "\(ms)", "is not an instant in \(RecordBounds.earliestInstant)...\(RecordBounds.latestInstant) ms (1970-01-01T00:00:00Z...9999-12-31T23:59:59.999Z)")
        }
    }
}
