/// A growable FIFO ring of sequence-numbered values in one block of memory, written and read
/// in place.
///
/// Used for a subscription's pending changes, the batch its iterator is serving and the replay
/// window. It replaces `Deque` on the hot path because every operation works on the slot
/// itself: an append hands out the slot to initialise (one copy of the event), a pop moves the
/// value out, a drop deinitialises in place, the sequence numbers sit in their own array (read
/// without touching the values) and there is no copy-on-write uniqueness check.
///
/// Not thread-safe: the bus lock guards the rings a publisher touches; an iterator's own ring
/// is touched only by its consuming task. Rings change hands by swapping the references.
@usableFromInline
final class ElementRing<Value>: @unchecked Sendable {
    @exclusivity(unchecked) @usableFromInline var values: UnsafeMutablePointer<Value>?
    @exclusivity(unchecked) @usableFromInline var sequences: UnsafeMutablePointer<UInt64>?
    /// Slot count, a power of two (or 0 before the first append).
    @exclusivity(unchecked) @usableFromInline var slots: Int = 0
    @exclusivity(unchecked) @usableFromInline var head: Int = 0
    @exclusivity(unchecked) @usableFromInline var count: Int = 0

    /// Creates a ring that holds `minimumCapacity` values before it grows (0 allocates nothing).
    @usableFromInline
    init(minimumCapacity: Int = 0) {
        if minimumCapacity > 0 { resize(to: ElementRing.slotCount(for: minimumCapacity)) }
    }

    deinit {
        removeAll()
        values?.deallocate()
        sequences?.deallocate()
    }

    @usableFromInline
    static func slotCount(for capacity: Int) -> Int {
        var n = 16
        while n < capacity { n &<<= 1 }
        return n
    }

    @inlinable @inline(__always)
    var isEmpty: Bool { count == 0 }

    @inlinable @inline(__always)
    func index(_ offset: Int) -> Int { (head &+ offset) & (slots &- 1) }

    /// The value at `offset` from the front (`0 ..< count`), in place.
    @inlinable @inline(__always)
    func value(at offset: Int) -> UnsafeMutablePointer<Value> { values.unsafelyUnwrapped + index(offset) }

    /// The sequence number of the value at `offset` from the front (`0 ..< count`).
    @inlinable @inline(__always)
    func sequence(at offset: Int) -> UInt64 { sequences.unsafelyUnwrapped[index(offset)] }

    /// Appends a slot for `sequence` and returns it, **uninitialised**: the caller must
    /// initialise it at once. Grows the ring (doubling) if every slot is taken.
    @inlinable @inline(__always)
    func appendSlot(sequence: UInt64) -> UnsafeMutablePointer<Value> {
        if count == slots { resize(to: slots == 0 ? 16 : slots &<< 1) }
        let i = index(count)
        sequences.unsafelyUnwrapped[i] = sequence
        count &+= 1
        return values.unsafelyUnwrapped + i
    }

    /// Removes and returns the first value.
    @inlinable @inline(__always)
    func popFirst() -> Value? {
        guard count > 0 else { return nil }
        let value = (values.unsafelyUnwrapped + head).move()
        head = (head &+ 1) & (slots &- 1)
        count &-= 1
        return value
    }

    /// Removes and returns the first value; the ring must not be empty.
    @inlinable @inline(__always)
    func removeFirstUnchecked() -> Value {
        let value = (values.unsafelyUnwrapped + head).move()
        head = (head &+ 1) & (slots &- 1)
        count &-= 1
        return value
    }

    /// Drops the first value in place.
    @inlinable @inline(__always)
    func removeFirst() {
        precondition(count > 0, "removeFirst on an empty ring")
        (values.unsafelyUnwrapped + head).deinitialize(count: 1)
        head = (head &+ 1) & (slots &- 1)
        count &-= 1
    }

    /// Exchanges everything (values, memory, positions) with `other`: O(1), no copy.
    @inlinable @inline(__always)
    func swapContents(with other: ElementRing) {
        swap(&values, &other.values)
        swap(&sequences, &other.sequences)
        swap(&slots, &other.slots)
        swap(&head, &other.head)
        swap(&count, &other.count)
    }

    /// Drops every value and frees the memory.
    @usableFromInline
    func release() {
        removeAll()
        values?.deallocate()
        sequences?.deallocate()
        values = nil
        sequences = nil
        slots = 0
    }

    /// Drops every value; keeps the memory for reuse.
    @usableFromInline
    func removeAll() {
        while count > 0 { removeFirst() }
        head = 0
    }

    /// Moves the values, in order, to a new block of `newSlots` slots (≥ count, a power of two).
    @usableFromInline
    func resize(to newSlots: Int) {
        let newValues = UnsafeMutablePointer<Value>.allocate(capacity: newSlots)
        let newSequences = UnsafeMutablePointer<UInt64>.allocate(capacity: newSlots)
        if let values, let sequences {
            // The (up to two) contiguous runs go to the front of the new block, in order.
            let firstRun = Swift.min(count, slots - head)
            newValues.moveInitialize(from: values + head, count: firstRun)
            (newValues + firstRun).moveInitialize(from: values, count: count - firstRun)
            newSequences.update(from: sequences + head, count: firstRun)
            (newSequences + firstRun).update(from: sequences, count: count - firstRun)
            values.deallocate()
            sequences.deallocate()
        }
        values = newValues
        sequences = newSequences
        slots = newSlots
        head = 0
    }
}
