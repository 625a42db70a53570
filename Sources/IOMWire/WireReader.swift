import SwiftProtobuf

/// Reads protobuf binary straight from the received bytes, with SwiftProtobuf's rules.
///
/// The subscriber's decoder (``WireCodec/decodeChange(_:)``): the generated message types are
/// filled field by field by the functions of `WireReader+Messages.swift`, which know the
/// schema, so no generic `Decoder` dispatch, no per-field closures, no storage class for
/// `iom.v1.Change` and no copies of unknown fields. SwiftProtobuf stays the reference: it
/// accepts and refuses exactly the inputs this reader does (`WireReaderDifferentialTests`
/// and the libFuzzer target check it), which means:
///
/// - a field whose wire type is not its declared one is an unknown field, and unknown fields
///   of every wire type (groups included, nested) are skipped after checking them;
/// - the last occurrence of a singular scalar wins; occurrences of a singular embedded
///   message are merged; a `oneof` member that repeats merges, another member replaces it;
/// - repeated scalars are accepted packed and unpacked;
/// - a tag is at most 5 bytes (field number ≠ 0, wire type 0…5), a varint at most 10,
///   a length below 2³¹ − 1 and within the input, strings valid UTF-8;
/// - messages and groups nest at most `BinaryDecodingOptions().messageDepthLimit` (100) deep,
///   the outermost message included.
///
/// Errors are SwiftProtobuf's own ``SwiftProtobuf/BinaryDecodingError`` cases.
struct WireReader {
    private let base: UnsafeRawPointer
    private var position: Int
    private let end: Int
    /// Messages and groups that may still be entered (SwiftProtobuf's recursion budget).
    private var budget: Int

    /// Wire types.
    static let varint: UInt8 = 0, fixed64: UInt8 = 1, lengthDelimited: UInt8 = 2
    static let startGroup: UInt8 = 3, endGroup: UInt8 = 4, fixed32: UInt8 = 5

    /// A reader over `bytes`, which must stay valid while it is used.
    init(_ bytes: UnsafeRawBufferPointer) {
        base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        position = 0
        end = bytes.count
        budget = BinaryDecodingOptions().messageDepthLimit
    }

    private init(base: UnsafeRawPointer, position: Int, end: Int, budget: Int) {
        self.base = base
        self.position = position
        self.end = end
        self.budget = budget
    }

    var isAtEnd: Bool { position == end }

    /// Counts one more level of nesting (call once at the start of every message).
    @inline(__always)
    mutating func enterMessage() throws(BinaryDecodingError) {
        budget -= 1
        if budget < 0 { throw .messageDepthLimit }
    }

    // MARK: Tags

    /// The next field's number and wire type, or nil at the end of the message.
    ///
    /// As SwiftProtobuf's `nextFieldNumber`: the wire type is checked on the first byte, the
    /// tag is at most 5 bytes, field 0 and an end-group tag outside a group are malformed.
    @inline(__always)
    mutating func next() throws(BinaryDecodingError) -> (field: Int, wireType: UInt8)? {
        if position == end { return nil }
        let available = end - position
        let c0 = byte(0)
        let wireType = c0 & 7
        guard wireType <= 5 else { throw .malformedProtobuf }
        var field: Int
        if c0 & 0x80 == 0 {
            position += 1
            field = Int(c0) >> 3
        } else {
            field = Int(c0 & 0x7F) >> 3
            guard available >= 2 else { throw .malformedProtobuf }
            let c1 = byte(1)
            if c1 & 0x80 == 0 {
                position += 2
                field |= Int(c1) << 4
            } else {
                field |= Int(c1 & 0x7F) << 4
                guard available >= 3 else { throw .malformedProtobuf }
                let c2 = byte(2)
                field |= Int(c2 & 0x7F) << 11
                if c2 & 0x80 == 0 {
                    position += 3
                } else {
                    guard available >= 4 else { throw .malformedProtobuf }
                    let c3 = byte(3)
                    field |= Int(c3 & 0x7F) << 18
                    if c3 & 0x80 == 0 {
                        position += 4
                    } else {
                        guard available >= 5 else { throw .malformedProtobuf }
                        let c4 = byte(4)
                        guard c4 <= 15 else { throw .malformedProtobuf }
                        field |= Int(c4) << 25
                        position += 5
                    }
                }
            }
        }
        guard field != 0, wireType != Self.endGroup else { throw .malformedProtobuf }
        return (field, wireType)
    }

    @inline(__always)
    private func byte(_ offset: Int) -> UInt8 {
        base.load(fromByteOffset: position + offset, as: UInt8.self)
    }

    // MARK: Values

    /// A varint (at most 10 bytes; bits beyond 64 are dropped, as SwiftProtobuf does).
    @inline(__always)
    mutating func varint() throws(BinaryDecodingError) -> UInt64 {
        guard position < end else { throw .truncated }
        var c = byte(0)
        position += 1
        if c & 0x80 == 0 { return UInt64(c) }
        var value = UInt64(c & 0x7F)
        var shift: UInt64 = 7
        while true {
            guard position < end, shift <= 63 else { throw .malformedProtobuf }
            c = byte(0)
            position += 1
            value |= UInt64(c & 0x7F) &<< shift
            if c & 0x80 == 0 { return value }
            shift &+= 7
        }
    }

    @inline(__always) mutating func int32() throws(BinaryDecodingError) -> Int32 { Int32(truncatingIfNeeded: try varint()) }
    @inline(__always) mutating func uint32() throws(BinaryDecodingError) -> UInt32 { UInt32(truncatingIfNeeded: try varint()) }
    @inline(__always) mutating func int64() throws(BinaryDecodingError) -> Int64 { Int64(bitPattern: try varint()) }
    @inline(__always) mutating func bool() throws(BinaryDecodingError) -> Bool { try varint() != 0 }

    /// An open enum's value: the varint truncated to 32 bits, as generated code reads it.
    @inline(__always)
    mutating func enumValue<E: SwiftProtobuf.Enum>(_: E.Type = E.self) throws(BinaryDecodingError) -> E where E.RawValue == Int {
        // Proto3 enums are open: every raw value has a case (`UNRECOGNIZED(n)`).
        E(rawValue: Int(Int32(truncatingIfNeeded: try varint())))!
    }

    mutating func double() throws(BinaryDecodingError) -> Double {
        guard end - position >= 8 else { throw .truncated }
        let bits = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        position += 8
        return Double(bitPattern: bits)
    }

    /// The body of a length-delimited field (SwiftProtobuf's `getFieldBodyBytes`).
    @inline(__always)
    private mutating func body() throws(BinaryDecodingError) -> (start: Int, count: Int) {
        let length = try varint()
        guard length < 0x7FFF_FFFF else { throw .malformedProtobuf }
        guard length <= UInt64(end - position) else { throw .truncated }
        let start = position
        position += Int(length)
        return (start, Int(length))
    }

    /// A reader over the body of a length-delimited field (an embedded message), with this
    /// reader's remaining depth.
    @inline(__always)
    mutating func message() throws(BinaryDecodingError) -> WireReader {
        let (start, count) = try body()
        return WireReader(base: base, position: start, end: start + count, budget: budget)
    }

    /// A string field: valid UTF-8 or an error.
    @inline(__always)
    mutating func string() throws(BinaryDecodingError) -> String {
        let (start, count) = try body()
        if count == 0 { return "" }
        let bytes = UnsafeRawBufferPointer(start: base + start, count: count)
        guard Self.isValidUTF8(bytes) else { throw .invalidUTF8 }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A bytes field.
    mutating func bytes() throws(BinaryDecodingError) -> UnsafeRawBufferPointer {
        let (start, count) = try body()
        return UnsafeRawBufferPointer(start: base + start, count: count)
    }

    /// Appends a repeated enum field's values: one (unpacked) or a packed run.
    mutating func appendEnums<E: SwiftProtobuf.Enum>(to values: inout [E], wireType: UInt8) throws(BinaryDecodingError) where E.RawValue == Int {
        if wireType == Self.varint {
            values.append(try enumValue())
        } else {
            var packed = try message()
            while !packed.isAtEnd { values.append(try packed.enumValue()) }
        }
    }

    /// SwiftProtobuf's UTF-8 check (`utf8ToString`), with a shortcut for ASCII.
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var ascii = true
        for b in bytes where b >= 0x80 { ascii = false; break }
        if ascii { return true }
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .error: return false
            case .emptyInput: return true
            }
        }
    }

    // MARK: Unknown fields

    /// Skips the body of a field this reader does not take (an unknown field, or a known
    /// one with another wire type), checking it as SwiftProtobuf's `skipOver` does.
    mutating func skip(field: Int, wireType: UInt8) throws(BinaryDecodingError) {
        switch wireType {
        case Self.varint:
            _ = try varint()
        case Self.fixed64:
            guard end - position >= 8 else { throw .truncated }
            position += 8
        case Self.lengthDelimited:
            let n = try varint()
            guard n <= UInt64(end - position) else { throw .truncated }
            position += Int(n)
        case Self.startGroup:
            budget -= 1
            if budget < 0 { throw .messageDepthLimit }
            while true {
                // Inside a group, tags are read as plain varints (SwiftProtobuf's
                // `getTagWithoutUpdatingFieldStart`).
                guard position < end else { throw .truncated }
                let t = try varint()
                guard t < UInt64(UInt32.max) else { throw .malformedProtobuf }
                let innerWireType = UInt8(t & 7)
                let innerField = Int(t >> 3)
                guard innerField != 0, innerWireType <= 5 else { throw .malformedProtobuf }
                if innerWireType == Self.endGroup {
                    guard innerField == field else { throw .malformedProtobuf }
                    budget += 1
                    return
                }
                try skip(field: innerField, wireType: innerWireType)
            }
        case Self.fixed32:
            guard end - position >= 4 else { throw .truncated }
            position += 4
        default:
            throw .truncated  // an end-group tag here (never reached: `next()` refuses it)
        }
    }
}
