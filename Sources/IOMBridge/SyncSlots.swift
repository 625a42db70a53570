/// Who may hold the sync endpoint's request slots (`Protocols/bridge.md` §9.2): the decisions
/// of the sync server, with no I/O and no clock of its own, so they can be tested alone.
///
/// A request takes a slot when it is admitted and gives it back when it ends (END, ERROR,
/// CANCEL) or is abandoned. A new request is admitted only if all of these hold:
///
/// - its connection holds fewer than ``Limits/perConnection`` slots;
/// - its principal (all its connections together) holds fewer than ``Limits/perPrincipal``;
/// - fewer than ``Limits/total`` slots are taken;
/// - for a principal that does not replicate (any role but `service`): fewer than
///   `total − reservedForReplication` slots are taken by such principals, so replicas always
///   find ``Limits/reservedForReplication`` slots that no analyst or caseworker can hold.
///
/// A request that has used up its credit and received none for ``Limits/idleTimeout`` is
/// abandoned (``expire(now:)``): a client cannot keep a slot by not reading.
struct SyncSlots<Key: Hashable, Connection: Hashable> {
    /// The bounds; the defaults are those of §9.2.
    struct Limits: Sendable, Hashable {
        var perConnection = 8
        var perPrincipal = 16
        var total = 64
        var reservedForReplication = 16
        var idleTimeout: Duration = .seconds(10)
    }

    /// Why a request was refused a slot (the `BUSY` reply says which).
    enum Refusal: String, Sendable, Hashable {
        case connection = "too many active requests on this connection"
        case principal = "too many active requests for this principal"
        case total = "too many active requests"
        case reserved = "the remaining request slots are reserved for replication"
    }

    private struct Holder {
        var connection: Connection
        var principal: String
        var replicates: Bool
        /// When its credit ran out; `nil` while it has credit.
        var idleSince: ContinuousClock.Instant?
    }

    let limits: Limits
    private var holders: [Key: Holder] = [:]
    private var byConnection: [Connection: Int] = [:]
    private var byPrincipal: [String: Int] = [:]
    private var nonReplicating = 0

    init(limits: Limits) { self.limits = limits }

    /// Slots taken.
    var count: Int { holders.count }

    /// Whether `key` holds a slot.
    func holds(_ key: Key) -> Bool { holders[key] != nil }

    /// Takes a slot for `key` (a request with credit), or says why not.
    mutating func admit(_ key: Key, connection: Connection, principal: String, replicates: Bool) -> Refusal? {
        guard holders[key] == nil else { return nil }
        if byConnection[connection, default: 0] >= limits.perConnection { return .connection }
        if byPrincipal[principal, default: 0] >= limits.perPrincipal { return .principal }
        if holders.count >= limits.total { return .total }
        if !replicates && nonReplicating >= limits.total - limits.reservedForReplication { return .reserved }
        holders[key] = Holder(connection: connection, principal: principal, replicates: replicates, idleSince: nil)
        byConnection[connection, default: 0] += 1
        byPrincipal[principal, default: 0] += 1
        if !replicates { nonReplicating += 1 }
        return nil
    }

    /// Gives `key`'s slot back (the request ended). Nothing happens for a key without one.
    mutating func release(_ key: Key) {
        guard let holder = holders.removeValue(forKey: key) else { return }
        func decrement<K: Hashable>(_ map: inout [K: Int], _ k: K) {
            let n = map[k, default: 1] - 1
            map[k] = n == 0 ? nil : n
        }
        decrement(&byConnection, holder.connection)
        decrement(&byPrincipal, holder.principal)
        if !holder.replicates { nonReplicating -= 1 }
    }

    /// Notes that `key` has credit left (`true`) or has used it all up at `now` (`false`).
    mutating func credit(_ key: Key, available: Bool, now: ContinuousClock.Instant) {
        guard var holder = holders[key] else { return }
        if available {
            holder.idleSince = nil
        } else if holder.idleSince == nil {
            holder.idleSince = now
        }
        holders[key] = holder
    }

    /// Releases and returns the requests idle on credit for longer than ``Limits/idleTimeout``.
    mutating func expire(now: ContinuousClock.Instant) -> [Key] {
        let expired = holders.compactMap { key, holder in
            holder.idleSince.map { now - $0 > limits.idleTimeout } == true ? key : nil
        }
        for key in expired { release(key) }
        return expired
    }
}
