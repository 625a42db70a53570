@testable import IOMBridge
import Testing

/// The sync endpoint's slot accounting alone (§9.2): who gets a slot, who gets BUSY, when an
/// idle request is dropped.
@Suite("Sync request slots: per connection, per principal, reserved for replication, idle timeout")
struct SyncSlotsTests {
    typealias Slots = SyncSlots<Int, String>
    let limits = Slots.Limits(perConnection: 8, perPrincipal: 16, total: 64, reservedForReplication: 16, idleTimeout: .seconds(10))

    @Test("one analyst key on many connections gets its share and no more; a replica still gets every reserved slot")
    func analystCannotLockOutReplicas() {
        var slots = Slots(limits: limits)
        var key = 0
        // The analyst opens 8 connections of 8 requests each: 16 admitted, then BUSY.
        var admitted = 0
        for connection in 0..<8 {
            for _ in 0..<8 {
                key += 1
                if slots.admit(key, connection: "analyst-\(connection)", principal: "an-1", replicates: false) == nil { admitted += 1 }
            }
        }
        #expect(admitted == 16)
        #expect(slots.admit(key + 1, connection: "analyst-9", principal: "an-1", replicates: false) == .principal)
        // Two more non-replicating principals fill what is not reserved: 48 in all.
        for p in 0..<4 {
            for c in 0..<2 {
                for _ in 0..<8 {
                    key += 1
                    _ = slots.admit(key, connection: "other-\(p)-\(c)", principal: "other-\(p)", replicates: false)
                }
            }
        }
        #expect(slots.count == 48)
        key += 1
        #expect(slots.admit(key, connection: "late", principal: "late", replicates: false) == .reserved)
        // Replicas have 16 slots left that nobody else could take.
        var replicas = 0
        for r in 0..<4 {
            for _ in 0..<8 {
                key += 1
                if slots.admit(key, connection: "replica-\(r)", principal: "replica-\(r)", replicates: true) == nil { replicas += 1 }
            }
        }
        #expect(replicas == 16)
        #expect(slots.admit(key + 1, connection: "replica-9", principal: "replica-9", replicates: true) == .total)
    }

    @Test("a connection holds at most 8 requests, and a released slot can be taken again")
    func perConnectionAndRelease() {
        var slots = Slots(limits: limits)
        for k in 0..<8 { #expect(slots.admit(k, connection: "c", principal: "p", replicates: true) == nil) }
        #expect(slots.admit(8, connection: "c", principal: "p", replicates: true) == .connection)
        slots.release(3)
        slots.release(3)  // twice: no effect
        #expect(slots.admit(8, connection: "c", principal: "p", replicates: true) == nil)
        #expect(slots.count == 8)
    }

    @Test("a request idle on credit past the timeout is released; one granted credit in time is kept")
    func idleTimeout() {
        var slots = Slots(limits: limits)
        let t0 = ContinuousClock.now
        _ = slots.admit(1, connection: "a", principal: "an-1", replicates: false)
        _ = slots.admit(2, connection: "a", principal: "an-1", replicates: false)
        _ = slots.admit(3, connection: "r", principal: "replica", replicates: true)
        slots.credit(1, available: false, now: t0)
        slots.credit(2, available: false, now: t0)
        // Request 2 gets credit after 5 s; request 3 never runs out.
        slots.credit(2, available: true, now: t0 + .seconds(5))
        #expect(slots.expire(now: t0 + .seconds(9)).isEmpty)
        #expect(slots.expire(now: t0 + .seconds(11)) == [1])
        #expect(!slots.holds(1) && slots.holds(2) && slots.holds(3))
        #expect(slots.expire(now: t0 + .seconds(60)).isEmpty)
    }
}

@Suite("Audit sums per key and minute")
struct AccessTallyTests {
    func key(_ principal: String, _ action: String = "sync.replay") -> AccessTally.Key {
        .init(principal: principal, role: .analyst, action: action, outcome: .allowed, detail: "view=redacted")
    }

    @Test("a flood of one key within a minute is one entry with its count and range; a new minute closes it")
    func floodIsOneEntry() {
        var tally = AccessTally(window: .seconds(60))
        let t = Int64(1_800_000_000_000)  // a minute boundary
        var firsts = 0
        for i in 0..<10_000 where tally.add(key("an-1"), items: 2, range: UInt64(i + 1)...UInt64(i + 2), nowMs: t + Int64(i % 59_000)) { firsts += 1 }
        #expect(firsts == 1)
        #expect(tally.close(before: t + 59_999).isEmpty)
        let entries = tally.close(before: t + 60_000)
        #expect(entries.count == 1)
        #expect(entries[0].sum == .init(requests: 10_000, items: 20_000, lowest: 1, highest: 10_001))
        #expect(entries[0].auditDetail.contains("requests=10000"))
    }

    @Test("fresh keys beyond the per-minute cap are summed under one others entry")
    func distinctKeysAreCapped() {
        var tally = AccessTally(window: .seconds(60), keysPerWindow: 4)
        for i in 0..<1000 { tally.add(key("unknown-key:\(i)", "connection.refused"), nowMs: 0) }
        let entries = tally.close(before: 0, force: true)
        #expect(entries.count == 5)
        #expect(entries.first { $0.key.principal == "others" }?.sum.requests == 996)
    }
}
