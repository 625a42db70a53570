/// Writes protobuf binary straight into one buffer, byte for byte as SwiftProtobuf writes it.
///
/// The publisher's encoder (``WireCodec/encode(_:)-(Change)``): the functions of
/// `WireWriter+Messages.swift` know the schema and write the domain types field by field, so
/// no generated message is built, no size pass runs and no visitor is called. SwiftProtobuf's
/// `serializedBytes()` of the generated messages the `.wire` getters build stays the
/// reference: this writer's bytes are the same (`WireWriterDifferentialTests` checks it),
/// which means:
///
/// - fields in field-number order, each element of a repeated field with its own tag;
/// - a proto3 scalar without presence is left out at its default (0, "", false, enum 0); an
///   `optional` one is written whenever it is set, default or not;
/// - an embedded message is written whenever the `.wire` getter assigns it, even empty (tag
///   and length 0);
/// - int32, int64 and enum values as the varint of their 64-bit two's complement (a negative
///   value takes 10 bytes), uint32 and uint64 as plain varints, strings as their UTF-8 bytes.
///
/// An embedded message's length goes before its body but is known only after it: one byte is
/// reserved (``beginMessage(_:)``), and when the body turns out to be 128 bytes or longer it is
/// moved right to make room for the longer varint (``endMessage(_:)``).
struct WireWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8]

    /// Wire types.
    static let varint: UInt8 = 0, lengthDelimited: UInt8 = 2

    /// An empty writer whose buffer holds `capacity` bytes before it grows.
    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: Raw values

    /// A varint (7 bits per byte, least significant first).
    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v &>>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// The number of bytes of `value` as a varint (1…10).
    static func varintSize(_ value: UInt64) -> Int {
        var size = 1, v = value
        while v >= 0x80 { size += 1; v &>>= 7 }
        return size
    }

    /// A field's tag: its number and wire type.
    @inline(__always)
    mutating func tag(_ field: Int, _ wireType: UInt8) {
        varint(UInt64(field) << 3 | UInt64(wireType))
    }

    /// A string's length and UTF-8 bytes (contiguous native strings copied in one go).
    @inline(__always)
    private mutating func appendString(_ value: String) {
        let utf8 = value.utf8
        varint(UInt64(utf8.count))
        let copied: Void? = utf8.withContiguousStorageIfAvailable { bytes.append(contentsOf: $0) }
        if copied == nil { bytes.append(contentsOf: utf8) }
    }

    // MARK: Scalar fields

    /// A `uint64` field without presence: left out when 0.
    @inline(__always)
    mutating func uint64(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        tag(field, Self.varint)
        varint(value)
    }

    /// A `uint32` field without presence: left out when 0.
    @inline(__always)
    mutating func uint32(_ field: Int, _ value: UInt32) {
        uint64(field, UInt64(value))
    }

    /// An `int64` field without presence: left out when 0, negative values in 10 bytes.
    @inline(__always)
    mutating func int64(_ field: Int, _ value: Int64) {
        uint64(field, UInt64(bitPattern: value))
    }

    /// An `int32` field without presence: left out when 0, negative values sign-extended to
    /// 64 bits (10 bytes), as SwiftProtobuf writes them.
    @inline(__always)
    mutating func int32(_ field: Int, _ value: Int32) {
        uint64(field, UInt64(bitPattern: Int64(value)))
    }

    /// An `optional int32` field: written whenever set, 0 included.
    @inline(__always)
    mutating func int32(_ field: Int, set value: Int32?) {
        guard let value else { return }
        tag(field, Self.varint)
        varint(UInt64(bitPattern: Int64(value)))
    }

    /// A `bool` field without presence: left out when false.
    @inline(__always)
    mutating func bool(_ field: Int, _ value: Bool) {
        guard value else { return }
        tag(field, Self.varint)
        bytes.append(1)
    }

    /// An enum field by its proto number: left out when 0 (`…_UNSPECIFIED`).
    @inline(__always)
    mutating func enumValue(_ field: Int, _ number: Int) {
        uint64(field, UInt64(bitPattern: Int64(number)))
    }

    // MARK: Length-delimited fields

    /// A `string` field without presence: left out when empty.
    @inline(__always)
    mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        tag(field, Self.lengthDelimited)
        appendString(value)
    }

    /// An `optional string` field, or an element of a `repeated string` one: written whenever
    /// set, empty included.
    @inline(__always)
    mutating func string(_ field: Int, set value: String?) {
        guard let value else { return }
        tag(field, Self.lengthDelimited)
        appendString(value)
    }

    /// An embedded message already serialized (`body`), with its tag and length.
    mutating func message(_ field: Int, serialized body: [UInt8]) {
        tag(field, Self.lengthDelimited)
        varint(UInt64(body.count))
        bytes.append(contentsOf: body)
    }

    /// An embedded message: its tag, then the fields `body` writes, then its length in front of
    /// them (``beginMessage(_:)`` and ``endMessage(_:)`` around `body`).
    @inline(__always)
    mutating func message(_ field: Int, _ body: (inout WireWriter) -> Void) {
        let start = beginMessage(field)
        body(&self)
        endMessage(start)
    }

    /// Starts an embedded message: writes its tag and reserves one byte for its length.
    ///
    /// - Returns: where the body starts, to hand to ``endMessage(_:)`` once it is written.
    @inline(__always)
    private mutating func beginMessage(_ field: Int) -> Int {
        tag(field, Self.lengthDelimited)
        bytes.append(0)
        return bytes.count
    }

    /// Ends the embedded message whose body starts at `start` (from ``beginMessage(_:)``):
    /// writes its length in the reserved byte, or, for a body of 128 bytes or more, moves the
    /// body right by the bytes the longer varint needs and writes it there.
    @inline(__always)
    private mutating func endMessage(_ start: Int) {
        let length = bytes.count - start
        if length < 0x80 {
            bytes[start - 1] = UInt8(truncatingIfNeeded: length)
        } else {
            widenLength(start, length)
        }
    }

    /// ``endMessage(_:)`` for a body of 128 bytes or more: one `memmove` of the body.
    private mutating func widenLength(_ start: Int, _ length: Int) {
        let extra = Self.varintSize(UInt64(length)) - 1
        for _ in 0..<extra { bytes.append(0) }
        bytes.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            // Overlapping ranges: `copyMemory` is a memmove.
            UnsafeMutableRawPointer(base + start + extra).copyMemory(from: base + start, byteCount: length)
            var p = base + start - 1
            var v = UInt64(length)
            while v >= 0x80 {
                p.pointee = UInt8(truncatingIfNeeded: v) | 0x80
                p += 1
                v &>>= 7
            }
            p.pointee = UInt8(truncatingIfNeeded: v)
        }
    }
}
