/// The lines of an attributes or params frame (§5.2), read in place in one pass over the bytes.
///
/// ``next()`` checks each line's grammar as it reads it — names `[a-z0-9]{1,20}`, no control
/// characters, well-formed `%XX`, lines ≤ 1024 octets — and the frame's size and final LF are
/// checked when the cursor is made. Whether a name repeats is the caller's check (see
/// ``isRepeated(_:)``): the event decoder keeps the names it knows in a bit set. No closure,
/// no allocation, no string.
struct AttributeLines {
    /// One line: the name and the value (still percent-encoded) point into the frame.
    struct Line {
        var name: UnsafeRawBufferPointer
        var value: UnsafeRawBufferPointer
        /// The value is ASCII without `%`: its bytes are its text.
        var isPlain: Bool
    }

    let frame: UnsafeRawBufferPointer
    /// The start of the line ``next()`` returned last.
    private(set) var lineStart = 0
    private var position = 0

    init(_ frame: UnsafeRawBufferPointer) throws(MalformedReason) {
        guard frame.count <= BridgeProtocol.maximumAttributesSize else { throw .tooLarge }
        if !frame.isEmpty { guard frame[frame.count - 1] == 0x0A else { throw .attributes } }
        self.frame = frame
    }

    /// The next line, its grammar checked; nil after the last.
    @inline(__always)
    mutating func next() throws(MalformedReason) -> Line? {
        let count = frame.count
        guard position < count else { return nil }
        let bytes = frame.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let start = position
        var i = start
        // The name, up to `=` (a line without one ends at its LF, which is not a name octet).
        while true {
            let c = bytes[i]
            if c == 0x3D { break }
            guard (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39), i - start < 20 else { throw .attributes }
            i += 1
        }
        guard i > start else { throw .attributes }
        let equals = i
        i += 1
        // The value, up to LF (the frame ends with one).
        var plain = true
        while true {
            // Eight plain octets at a time (the usual value): none below 0x20 (LF among them),
            // none `%`, DEL or ≥ 0x80. A word with any of those is read octet by octet below.
            while i + 8 <= count && !Self.hasSpecialOctet(UnsafeRawPointer(bytes + i).loadUnaligned(as: UInt64.self)) { i += 8 }
            let c = bytes[i]
            if c == 0x0A { break }
            if c < 0x20 || c == 0x7F { throw .attributes }
            if c == 0x25 {
                // Both hex digits are before the LF: an LF is not a hex digit.
                guard Self.isUpperHex(bytes[i + 1]), Self.isUpperHex(bytes[i + 2]) else { throw .attributes }
                plain = false
                i += 3
            } else {
                if c >= 0x80 { plain = false }
                i += 1
            }
        }
        guard i - start + 1 <= BridgeProtocol.maximumLineSize else { throw .attributes }
        lineStart = start
        position = i + 1
        return Line(name: UnsafeRawBufferPointer(start: bytes + start, count: equals - start),
                    value: UnsafeRawBufferPointer(start: bytes + equals + 1, count: i - equals - 1), isPlain: plain)
    }

    /// Whether a line before the current one has the name `name`.
    func isRepeated(_ name: UnsafeRawBufferPointer) -> Bool {
        let base = frame.baseAddress!
        var start = 0
        while start < lineStart {
            let line = base + start
            // Lines before the current one are known to be well formed: `=` and LF are there.
            let equals = memchr(line, 0x3D, lineStart - start)!
            if line.distance(to: UnsafeRawPointer(equals)) == name.count && memcmp(line, name.baseAddress!, name.count) == 0 {
                return true
            }
            let lf = memchr(equals, 0x0A, lineStart - start)!
            start = base.distance(to: UnsafeRawPointer(lf)) + 1
        }
        return false
    }

    /// Whether any octet of `word` is below 0x20, `%` (0x25), DEL (0x7F) or ≥ 0x80: exact for
    /// "any" (which octet is not needed).
    @inline(__always)
    static func hasSpecialOctet(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let below20 = (word &- ones &* 0x20) & ~word & highs
        return (below20 | hasZero(word ^ (ones &* 0x25)) | hasZero(word ^ (ones &* 0x7F)) | (word & highs)) != 0
    }

    @inline(__always)
    static func isUpperHex(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) }
}

/// Parses attributes and params frames (§5.2) in place, without copying the frame.
enum AttributesParser {
    /// Calls `visit` with the raw name and (still percent-encoded) value of every line, after
    /// checking the frame's grammar: final LF, names `[a-z0-9]{1,20}`, no control characters,
    /// well-formed `%XX`, no duplicate name, frame ≤ 4096 and lines ≤ 1024 octets.
    ///
    /// For heartbeats, markers and params; the event decoder reads ``AttributeLines`` itself.
    static func forEach(
        _ frame: UnsafeRawBufferPointer,
        _ visit: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws(MalformedReason) -> Void
    ) throws(MalformedReason) {
        var lines = try AttributeLines(frame)
        while let line = try lines.next() {
            if lines.isRepeated(line.name) { throw .attributes }
            try visit(line.name, line.value)
        }
    }

    /// Every line as a dictionary of decoded strings (heartbeats, sync params: not the hot path).
    static func dictionary(_ frame: UnsafeRawBufferPointer) throws(MalformedReason) -> [String: String] {
        var result: [String: String] = [:]
        try forEach(frame) { (name, value) throws(MalformedReason) in
            result[String(decoding: name, as: UTF8.self)] = try decode(value)
        }
        return result
    }

    static func dictionary(_ frame: [UInt8]) throws(MalformedReason) -> [String: String] {
        try withBytes(frame) { (buffer) throws(MalformedReason) in try dictionary(buffer) }
    }

    /// The value with `%XX` decoded; must be valid UTF-8.
    static func decode(_ value: UnsafeRawBufferPointer) throws(MalformedReason) -> String {
        if !value.contains(0x25) {
            guard let text = String(validating: value, as: UTF8.self) else { throw .attributes }
            return text
        }
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var i = 0
        while i < value.count {
            if value[i] == 0x25 {
                out.append(hexValue(value[i + 1]) << 4 | hexValue(value[i + 2]))
                i += 3
            } else {
                out.append(value[i])
                i += 1
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw .attributes }
        return text
    }

    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { lit in
            lit.count == bytes.count && (lit.count == 0 || memcmp(lit.baseAddress!, bytes.baseAddress!, lit.count) == 0)
        }
    }

    static func equals(_ bytes: UnsafeRawBufferPointer, _ other: UnsafeRawBufferPointer) -> Bool {
        other.count == bytes.count && (other.count == 0 || memcmp(other.baseAddress!, bytes.baseAddress!, other.count) == 0)
    }

    static func equals(_ bytes: UnsafeRawBufferPointer, _ other: [UInt8]) -> Bool {
        other.count == bytes.count && other.withUnsafeBytes { o in o.count == 0 || memcmp(o.baseAddress!, bytes.baseAddress!, o.count) == 0 }
    }

    /// Exactly 20 decimal digits (events and withheld) → the value; or, when `padded` is
    /// false, 1…20 digits (request params). 2^64 − 1 is reserved (§3): `nil`, so that a
    /// receiver can always name the sequence after one it holds.
    static func sequence(_ value: UnsafeRawBufferPointer, padded: Bool = true) -> UInt64? {
        if padded { guard value.count == 20 else { return nil } } else { guard value.count >= 1, value.count <= 20 else { return nil } }
        var result: UInt64 = 0
        for c in value {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (times10, o1) = result.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(c - 0x30))
            if o1 || o2 { return nil }
            result = sum
        }
        return result == .max ? nil : result
    }

    /// A sequence in a reply's params (plain decimal text), with the same reserved value.
    static func sequence(_ text: String?) -> UInt64? {
        guard let text, let value = UInt64(text), value != .max else { return nil }
        return value
    }

    private static func hexValue(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : c - 0x41 + 10 }
}

/// `Array.withUnsafeBytes` with a typed error.
func withBytes<R>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(MalformedReason) -> R) throws(MalformedReason) -> R {
    let result: Result<R, MalformedReason> = array.withUnsafeBytes { buffer in Result { () throws(MalformedReason) in try body(buffer) } }
    return try result.get()
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
