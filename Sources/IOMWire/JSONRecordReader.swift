#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftProtobuf

/// Reads protobuf JSON (proto3 JSON mapping) straight into the generated record messages: a
/// fast path in front of SwiftProtobuf's JSON decoder, never a replacement for it.
///
/// The node's save requests (``WireCodec/decodeRecord(jsonUTF8:type:)``) are read once, byte by
/// byte, by the per-message functions of `JSONRecordReader+Messages.swift`: keys are matched
/// against each message's names by length and bytes (no dictionary, no `String` per key), values
/// go straight into the generated fields. The reader never fails: it returns the message, or
/// `nil` ("not handled here"), and the caller then decodes the same bytes with SwiftProtobuf,
/// whose errors and edge cases stay the reference. Whenever it returns a message, SwiftProtobuf
/// (default `JSONDecodingOptions`) accepts the same bytes and decodes a message with the same
/// binary encoding (`JSONRecordReaderTests` and the libFuzzer target check it) — escaped
/// surrogate pairs above plane 1 repaired first (``JSONSurrogates``), since SwiftProtobuf 1.39
/// misreads them; this reader decodes them right. It takes what clients write:
///
/// - objects, arrays, whitespace (space, tab, CR, LF) between tokens;
/// - keys by their JSON name (lowerCamelCase) or their proto name, without escapes;
/// - strings with every JSON escape, surrogate pairs included, and valid UTF-8;
/// - integers as plain JSON integers or quoted decimal strings (`-?(0|[1-9][0-9]*)`, in range);
/// - `true`/`false`; doubles as plain JSON numbers (parsed by `strtod`, as SwiftProtobuf does);
/// - enums by name; messages, repeated fields and `oneof` members.
///
/// It declines (returns nil) on anything else, among which: `null`, a key seen twice in one
/// object (either name), an unknown key, two members of one `oneof`, enums by number, integers
/// with a fraction or an exponent, `-0`, quoted doubles (`"NaN"`, `"Infinity"`, `"1.5"`), a
/// double that is not finite or longer than 99 bytes, escaped keys, control characters, lone
/// surrogates, invalid UTF-8, trailing commas or bytes, and `ProtectionCase.sealed` (at rest only).
struct JSONRecordReader {
    /// Why a read stopped: nothing more (SwiftProtobuf decodes the bytes again and explains).
    struct Decline: Error {}

    private let base: UnsafeRawPointer
    private var position: Int
    private let end: Int

    /// A reader over `bytes` (not empty), which must stay valid while it is used.
    private init(base: UnsafeRawPointer, count: Int) {
        self.base = base
        position = 0
        end = count
    }

    /// Reads all of `bytes` as one message with `body`: the message, or nil when declined.
    ///
    /// `body` is one of the message functions (`organisation(_:)`, …): one call per input.
    @inline(__always)
    static func read<M: SwiftProtobuf.Message>(_ bytes: UnsafeRawBufferPointer, _: M.Type = M.self,
                                               _ body: (inout JSONRecordReader, inout M) throws(Decline) -> Void) -> M? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
        var reader = JSONRecordReader(base: base, count: bytes.count)
        var message = M()
        do {
            try body(&reader, &message)
            reader.skipWhitespace()
            guard reader.position == reader.end else { return nil }  // trailing bytes
        } catch { return nil }
        return message
    }

    // MARK: Bytes

    /// The byte at the current position (the caller checked `position < end`).
    @inline(__always)
    private func byte() -> UInt8 { base.load(fromByteOffset: position, as: UInt8.self) }

    /// The byte `offset` bytes ahead, or nil past the end.
    @inline(__always)
    private func peek(_ offset: Int = 0) -> UInt8? {
        position + offset < end ? base.load(fromByteOffset: position + offset, as: UInt8.self) : nil
    }

    /// Skips JSON whitespace: space, tab, LF, CR (SwiftProtobuf's `skipWhitespace`).
    @inline(__always)
    private mutating func skipWhitespace() {
        while position < end {
            switch byte() {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Skips whitespace, then `c`, or declines.
    @inline(__always)
    private mutating func expect(_ c: UInt8) throws(Decline) {
        skipWhitespace()
        guard position < end, byte() == c else { throw Decline() }
        position += 1
    }

    // MARK: Structure

    /// Starts an object: `{`. Then call ``nextField(_:seen:first:)`` until it returns nil.
    @inline(__always)
    mutating func beginObject() throws(Decline) { try expect(UInt8(ascii: "{")) }

    /// The next key of the object, as the index of its field in `names` (JSON name or proto
    /// name), with its `:` read; nil at the closing `}`.
    ///
    /// Declines on an unknown key, an escaped one, a trailing comma, and a field whose bit in
    /// `seen` is already set (a key repeated, by either of its names).
    @inline(__always)
    mutating func nextField(_ names: FieldNames, seen: inout UInt32, first: inout Bool) throws(Decline) -> Int? {
        skipWhitespace()
        guard position < end else { throw Decline() }
        if byte() == UInt8(ascii: "}") { position += 1; return nil }
        if first { first = false } else { try expect(UInt8(ascii: ",")); skipWhitespace() }
        guard position < end, byte() == UInt8(ascii: "\"") else { throw Decline() }
        position += 1
        let key = try name()
        try expect(UInt8(ascii: ":"))
        guard let index = names.index(of: key) else { throw Decline() }
        let bit: UInt32 = 1 << UInt32(index)
        guard seen & bit == 0 else { throw Decline() }
        seen |= bit
        return index
    }

    /// Starts an array: `[`. Then call ``nextElement(first:)`` before each element.
    @inline(__always)
    mutating func beginArray() throws(Decline) { try expect(UInt8(ascii: "[")) }

    /// Whether another element follows (its `,` read); false at the closing `]`.
    @inline(__always)
    mutating func nextElement(first: inout Bool) throws(Decline) -> Bool {
        skipWhitespace()
        guard position < end else { throw Decline() }
        if byte() == UInt8(ascii: "]") { position += 1; return false }
        if first { first = false } else { try expect(UInt8(ascii: ",")) }
        return true
    }

    // MARK: Values

    /// A JSON string: escapes decoded (as SwiftProtobuf's `decodeString`), UTF-8 checked.
    mutating func string() throws(Decline) -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        var ascii = true
        while true {
            guard position < end else { throw Decline() }
            let c = byte()
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") { return try escapedString(from: start) }
            guard c >= 0x20 else { throw Decline() }  // unescaped control character
            if c >= 0x80 { ascii = false }
            position += 1
        }
        let bytes = UnsafeRawBufferPointer(start: base + start, count: position - start)
        position += 1
        guard ascii || WireReader.isValidUTF8(bytes) else { throw Decline() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The rest of a string that has an escape at `position`, its bytes from `start` on.
    ///
    /// The escapes' UTF-8 is complete scalars, so checking the decoded bytes as UTF-8 refuses
    /// exactly what checking the raw bytes (SwiftProtobuf's order) refuses.
    private mutating func escapedString(from start: Int) throws(Decline) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(position - start + 16)
        out.append(contentsOf: UnsafeRawBufferPointer(start: base + start, count: position - start))
        while true {
            guard position < end else { throw Decline() }
            let c = byte()
            position += 1
            switch c {
            case UInt8(ascii: "\""):
                guard out.withUnsafeBytes({ WireReader.isValidUTF8($0) }) else { throw Decline() }
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position < end else { throw Decline() }
                let e = byte()
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate: a `\u` low surrogate must follow. (SwiftProtobuf
                        // 1.39 misreads pairs above plane 1; its reference reading repairs them
                        // first: `JSONSurrogates`.)
                        guard peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u") else { throw Decline() }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw Decline() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw Decline()  // a lone low surrogate
                    }
                    try Self.appendUTF8(scalar, to: &out)
                default: throw Decline()  // not a JSON escape
                }
            default:
                guard c >= 0x20 else { throw Decline() }
                out.append(c)
            }
        }
    }

    /// Appends a scalar's UTF-8 (a surrogate is declined: it is no scalar).
    private static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) throws(Decline) {
        guard let s = Unicode.Scalar(scalar) else { throw Decline() }
        let v = s.value
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(0xC0 | UInt8(v >> 6)); out.append(0x80 | UInt8(v & 0x3F))
        case 0x800..<0x10000:
            out.append(0xE0 | UInt8(v >> 12)); out.append(0x80 | UInt8(v >> 6 & 0x3F)); out.append(0x80 | UInt8(v & 0x3F))
        default:
            out.append(0xF0 | UInt8(v >> 18)); out.append(0x80 | UInt8(v >> 12 & 0x3F))
            out.append(0x80 | UInt8(v >> 6 & 0x3F)); out.append(0x80 | UInt8(v & 0x3F))
        }
    }

    /// Four hex digits of a `\u` escape.
    private mutating func hex4() throws(Decline) -> UInt32 {
        guard end - position >= 4 else { throw Decline() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Self.hexDigit(byte()) else { throw Decline() }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// The value of a hex digit (either case), or nil.
    @inline(__always)
    static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// An integer's sign and magnitude, plain or quoted: `-?(0|[1-9][0-9]*)` below 2⁶⁴.
    ///
    /// SwiftProtobuf's `nextSInt`/`nextUInt` read both forms with the same digits; forms this
    /// declines (a fraction, an exponent, `-0`, leading zeros, escapes) go to it instead.
    private mutating func integer() throws(Decline) -> (negative: Bool, magnitude: UInt64) {
        skipWhitespace()
        guard position < end else { throw Decline() }
        let quoted = byte() == UInt8(ascii: "\"")
        if quoted { position += 1 }
        var negative = false
        if peek() == UInt8(ascii: "-") { negative = true; position += 1 }
        guard let first = peek(), first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { throw Decline() }
        var n: UInt64 = 0
        if first == UInt8(ascii: "0") {
            position += 1
            guard !negative else { throw Decline() }  // -0
        } else {
            while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                let (times10, o1) = n.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(c - UInt8(ascii: "0")))
                guard !o1, !o2 else { throw Decline() }
                n = sum
                position += 1
            }
        }
        if let c = peek() {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                throw Decline()  // a leading zero, or floating-point notation
            default: break
            }
        }
        if quoted {
            guard peek() == UInt8(ascii: "\"") else { throw Decline() }
            position += 1
        }
        return (negative, n)
    }

    /// An `int64` (or, with narrower bounds, `int32`) in `min...max`.
    @inline(__always)
    mutating func int64(min: Int64 = .min, max: Int64 = .max) throws(Decline) -> Int64 {
        let (negative, magnitude) = try integer()
        let value: Int64
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw Decline() }
            value = magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
        } else {
            guard magnitude <= UInt64(Int64.max) else { throw Decline() }
            value = Int64(magnitude)
        }
        guard value >= min, value <= max else { throw Decline() }
        return value
    }

    /// An `int32`.
    @inline(__always)
    mutating func int32() throws(Decline) -> Int32 {
        Int32(truncatingIfNeeded: try int64(min: Int64(Int32.min), max: Int64(Int32.max)))
    }

    /// A `uint64` (or, with a narrower bound, `uint32`) up to `max`.
    @inline(__always)
    mutating func uint64(max: UInt64 = .max) throws(Decline) -> UInt64 {
        let (negative, magnitude) = try integer()
        guard !negative, magnitude <= max else { throw Decline() }
        return magnitude
    }

    /// A `uint32`.
    @inline(__always)
    mutating func uint32() throws(Decline) -> UInt32 {
        UInt32(truncatingIfNeeded: try uint64(max: UInt64(UInt32.max)))
    }

    /// `true` or `false` (SwiftProtobuf takes no quoted booleans for fields).
    mutating func bool() throws(Decline) -> Bool {
        skipWhitespace()
        if literal("true") { return true }
        if literal("false") { return false }
        throw Decline()
    }

    /// Reads `word` if it is next (what follows is checked by the caller's next token).
    private mutating func literal(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard end - position >= n, memcmp(base + position, word.utf8Start, n) == 0 else { return false }
        position += n
        return true
    }

    /// A double written as a plain JSON number (RFC 8259's grammar), converted by C's `strtod`
    /// exactly as SwiftProtobuf's `DoubleParser` does, so the values are the same bits.
    mutating func double() throws(Decline) -> Double {
        skipWhitespace()
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        try digits(allowLeadingZero: false)
        if peek() == UInt8(ascii: ".") { position += 1; try digits(allowLeadingZero: true) }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            position += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            try digits(allowLeadingZero: true)
        }
        let count = position - start
        guard count < 100 else { throw Decline() }  // DoubleParser takes fewer than 128 bytes
        let source = base + start
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 128) { buffer -> Double? in
            guard let work = buffer.baseAddress else { return nil }
            UnsafeMutableRawPointer(work).copyMemory(from: source, byteCount: count)
            work[count] = 0
            var stop: UnsafeMutablePointer<CChar>? = work
            let d = strtod(work, &stop)
            return stop == work + count ? d : nil
        }
        guard let value, value.isFinite else { throw Decline() }
        return value
    }

    /// One or more decimal digits; without `allowLeadingZero`, a `0` must be the only one.
    private mutating func digits(allowLeadingZero: Bool) throws(Decline) {
        guard let first = peek(), first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { throw Decline() }
        position += 1
        if first == UInt8(ascii: "0") && !allowLeadingZero {
            if let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { throw Decline() }
            return
        }
        while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { position += 1 }
    }

    /// The bytes of a key or an enum name up to its closing quote (the opening one is read),
    /// which is passed. Such names are ASCII letters, digits and '_': anything else (an escape,
    /// a control character, non-ASCII) is no name of ours.
    @inline(__always)
    private mutating func name() throws(Decline) -> UnsafeRawBufferPointer {
        let start = position
        while true {
            guard position < end else { throw Decline() }
            let c = byte()
            if c == UInt8(ascii: "\"") { break }
            guard c >= 0x20, c < 0x80, c != UInt8(ascii: "\\") else { throw Decline() }
            position += 1
        }
        defer { position += 1 }
        return UnsafeRawBufferPointer(start: base + start, count: position - start)
    }

    /// An enum value by its name (``JSONEnumNames``); numbers and unknown names are declined.
    mutating func enumValue<E: SwiftProtobuf.Enum & JSONEnumNames>(_: E.Type = E.self) throws(Decline) -> E where E.RawValue == Int {
        try expect(UInt8(ascii: "\""))
        let spelled = try name()
        let names = E.jsonNames
        for i in names.indices where Self.equal(spelled, names[i]) {
            guard let value = E(rawValue: i) else { throw Decline() }
            return value
        }
        throw Decline()
    }

    /// A repeated enum field: an array of names.
    mutating func enumValues<E: SwiftProtobuf.Enum & JSONEnumNames>(_: E.Type = E.self) throws(Decline) -> [E] where E.RawValue == Int {
        var values: [E] = []
        try beginArray()
        var first = true
        while try nextElement(first: &first) { values.append(try enumValue()) }
        return values
    }

    /// A repeated string field: an array of strings.
    mutating func strings() throws(Decline) -> [String] {
        var values: [String] = []
        try beginArray()
        var first = true
        while try nextElement(first: &first) { values.append(try string()) }
        return values
    }

    /// Whether `bytes` are `name`'s bytes.
    @inline(__always)
    static func equal(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        let n = name.utf8CodeUnitCount
        guard bytes.count == n, let b = bytes.baseAddress else { return false }
        return memcmp(b, name.utf8Start, n) == 0
    }
}

/// The names a message's fields go by in JSON, in the order of the switch that reads them.
struct FieldNames: Sendable {
    /// lowerCamelCase JSON names (`json_name`), what SwiftProtobuf and Python write.
    let json: [StaticString]
    /// The proto names, which SwiftProtobuf also accepts (the same where there is one word).
    let proto: [StaticString]

    /// A message's fields, each as its JSON name and its proto name.
    init(_ names: [(json: StaticString, proto: StaticString)]) {
        precondition(names.count <= 32)  // `seen` is a 32-bit mask
        json = names.map(\.json)
        proto = names.map(\.proto)
    }

    /// The index of the field named `key`, by either name.
    @inline(__always)
    func index(of key: UnsafeRawBufferPointer) -> Int? {
        for i in json.indices where JSONRecordReader.equal(key, json[i]) || JSONRecordReader.equal(key, proto[i]) { return i }
        return nil
    }
}

/// An enum's value names in JSON, indexed by raw value (every enum of the schema is dense from 0).
protocol JSONEnumNames {
    /// The names, `jsonNames[rawValue]`.
    static var jsonNames: [StaticString] { get }
}
