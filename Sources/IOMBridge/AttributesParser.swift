/// Parses attributes and params frames (§5.2) in place, without copying the frame.
enum AttributesParser {
    /// Calls `visit` with the raw name and (still percent-encoded) value of every line, after
    /// checking the frame's grammar: final LF, names `[a-z0-9]{1,20}`, no control characters,
    /// well-formed `%XX`, no duplicate name, frame ≤ 4096 and lines ≤ 1024 octets.
    static func forEach(
        _ frame: UnsafeRawBufferPointer,
        _ visit: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws(MalformedReason) -> Void
    ) throws(MalformedReason) {
        guard frame.count <= BridgeProtocol.maximumAttributesSize else { throw .tooLarge }
        if frame.isEmpty { return }
        guard frame[frame.count - 1] == 0x0A else { throw .attributes }
        // Name ranges seen so far, to refuse duplicates; at most 4096 / 3 lines fit in a frame.
        do {
        try withUnsafeTemporaryAllocation(of: (Int, Int).self, capacity: 64) { seen in
            var seenCount = 0
            var overflow: [(Int, Int)] = []
            var lineStart = 0
            while lineStart < frame.count {
                var end = lineStart
                while frame[end] != 0x0A { end += 1 }
                guard end - lineStart + 1 <= BridgeProtocol.maximumLineSize else { throw MalformedReason.attributes }
                var equals = lineStart
                while equals < end && frame[equals] != 0x3D { equals += 1 }
                let nameLength = equals - lineStart
                guard equals < end, nameLength >= 1, nameLength <= 20 else { throw MalformedReason.attributes }
                for i in lineStart..<equals {
                    let c = frame[i]
                    guard (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) else { throw MalformedReason.attributes }
                }
                var i = equals + 1
                while i < end {
                    let c = frame[i]
                    if c < 0x20 || c == 0x7F { throw MalformedReason.attributes }
                    if c == 0x25 {
                        guard i + 2 < end, isUpperHex(frame[i + 1]), isUpperHex(frame[i + 2]) else { throw MalformedReason.attributes }
                        i += 3
                    } else {
                        i += 1
                    }
                }
                let name = UnsafeRawBufferPointer(rebasing: frame[lineStart..<equals])
                for k in 0..<seenCount where equalBytes(name, frame, seen[k]) { throw MalformedReason.attributes }
                for range in overflow where equalBytes(name, frame, range) { throw MalformedReason.attributes }
                if seenCount < seen.count {
                    seen[seenCount] = (lineStart, nameLength)
                    seenCount += 1
                } else {
                    overflow.append((lineStart, nameLength))
                }
                try visit(name, UnsafeRawBufferPointer(rebasing: frame[(equals + 1)..<end]))
                lineStart = end + 1
            }
        }
        } catch let reason as MalformedReason {
            throw reason
        } catch {
            throw .attributes
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

    private static func isUpperHex(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) }
    private static func hexValue(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : c - 0x41 + 10 }

    private static func equalBytes(_ name: UnsafeRawBufferPointer, _ frame: UnsafeRawBufferPointer, _ range: (Int, Int)) -> Bool {
        range.1 == name.count && memcmp(name.baseAddress!, frame.baseAddress! + range.0, name.count) == 0
    }
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
