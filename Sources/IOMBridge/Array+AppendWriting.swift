extension Array where Element == UInt8 {
    /// Appends `count` octets that `write` writes at the pointer it is given: one append of a
    /// stack buffer instead of one per octet (each with a capacity and uniqueness check).
    @inline(__always)
    mutating func append(writing count: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer in
            write(buffer.baseAddress!)
            append(contentsOf: UnsafeBufferPointer(buffer))
        }
    }
}
