import Foundation

/// Builds an attributes or params frame (`name=value\n` lines, §5.2) in a reusable buffer.
///
/// The send path keeps one writer per socket and calls ``reset()`` per message, so writing a
/// frame allocates nothing once the buffer has grown.
struct AttributesWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    /// A value that never needs percent-encoding (ASCII the writer produced itself).
    mutating func add(_ name: StaticString, raw value: some Sequence<UInt8>) {
        appendName(name)
        bytes.append(contentsOf: value)
        bytes.append(0x0A)
    }

    mutating func add(_ name: StaticString, raw value: StaticString) {
        appendName(name)
        value.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x0A)
    }

    /// Any text: `%`, control characters and DEL are percent-encoded.
    mutating func add(_ name: StaticString, text value: String) {
        appendName(name)
        appendEncoded(value)
        bytes.append(0x0A)
    }

    /// A name given at run time (params of requests): `[a-z0-9]{1,20}`, the caller's duty.
    mutating func add(name: String, text value: String) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(0x3D)
        appendEncoded(value)
        bytes.append(0x0A)
    }

    private mutating func appendEncoded(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            // Most values need no escape: one copy.
            guard utf8.contains(where: Self.needsEscape) else { return bytes.append(contentsOf: utf8) }
            for byte in utf8 {
                if Self.needsEscape(byte) {
                    bytes.append(0x25)
                    bytes.append(Self.hex[Int(byte >> 4)])
                    bytes.append(Self.hex[Int(byte & 0x0F)])
                } else {
                    bytes.append(byte)
                }
            }
        }
    }

    /// `%`, control characters and DEL are percent-encoded.
    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool { byte == 0x25 || byte < 0x20 || byte == 0x7F }

    /// A sequence as exactly 20 decimal digits.
    mutating func add(_ name: StaticString, sequence value: UInt64) {
        appendName(name)
        bytes.append(writing: 20) { out in
            var rest = value
            for index in stride(from: 19, through: 0, by: -1) {
                out[index] = 0x30 + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
        }
        bytes.append(0x0A)
    }

    /// A decimal number without padding.
    mutating func add(_ name: StaticString, number value: Int) {
        appendName(name)
        bytes.append(contentsOf: String(value).utf8)
        bytes.append(0x0A)
    }

    /// `prefix` followed by the lowercase canonical form of `uuid`.
    mutating func add(_ name: StaticString, prefix: StaticString = "", uuid: UUID) {
        appendName(name)
        prefix.withUTF8Buffer { bytes.append(contentsOf: $0) }
        UUIDText.append(uuid, to: &bytes)
        bytes.append(0x0A)
    }

    /// An RFC 3339 UTC time with exactly three fraction digits.
    mutating func add(_ name: StaticString, time: Date) {
        appendName(name)
        RFC3339.append(time, to: &bytes)
        bytes.append(0x0A)
    }

    private mutating func appendName(_ name: StaticString) {
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x3D)
    }

    static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
}
