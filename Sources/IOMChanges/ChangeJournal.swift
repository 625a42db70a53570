import IOMDomain

/// What a bridge publisher and its sync server read of a store: the journal of committed
/// changes (its own source's and, on a hub, those it holds of other sources) and snapshots of
/// current state.
///
/// IOMStore's `RecordStore` is the implementation; the bridge depends on this protocol only,
/// so it neither links the store's SQLite layer into a process that only subscribes nor calls
/// into the store's module. Sequences follow `Protocols/bridge.md` §3: from 1, no gaps.
package protocol ChangeJournal: Sendable {
    /// The source whose changes this journal commits.
    var source: SourceID { get }

    /// The last committed sequence of ``source`` (0 when nothing was ever written).
    func lastSequence() async throws -> UInt64
    /// The oldest sequence of ``source`` still in the journal (``lastSequence()`` + 1 when it is empty).
    func oldestAvailableSequence() async throws -> UInt64
    /// Up to `limit` entries of ``source`` from `sequence` on, in order; empty past the last.
    /// Throws when retention removed `sequence`.
    func journal(from sequence: UInt64, limit: Int) async throws -> [JournalEntry]

    /// The sources held besides ``source`` (a hub's upstreams), with their ranges.
    func heldSources() async throws -> [HeldSource]
    /// Up to `limit` held entries, of every held source, from held-journal position `position` on.
    func heldJournal(fromPosition position: UInt64, limit: Int) async throws -> [(position: UInt64, entry: JournalEntry)]
    /// Whether `source` is ``source`` or held.
    func holds(_ source: SourceID) async throws -> Bool
    /// ``lastSequence()`` of any source this journal has (its own or held).
    func lastSequence(of source: SourceID) async throws -> UInt64
    /// ``oldestAvailableSequence()`` of any source this journal has (its own or held).
    func oldestAvailableSequence(of source: SourceID) async throws -> UInt64
    /// ``journal(from:limit:)`` of any source this journal has (its own or held).
    func journal(of source: SourceID, from sequence: UInt64, limit: Int) async throws -> [JournalEntry]
    /// Current state of `source` (its own or held) with the sequence it corresponds to, read
    /// consistently; `types` (record type names) limits it, `nil` for all.
    func snapshot(of source: SourceID, types: Set<String>?) async throws -> Snapshot
}
