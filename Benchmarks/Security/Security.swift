import Benchmark
import IOMDomain
import IOMFixtures
import IOMSecurity
import IOMWire

// Pairs (same scaling factor on both sides):
// - Security/encode-change/plain vs /sealed: what sealing identifying fields at rest costs per save.
// - Security/decode-change/plain vs /sealed: what opening them costs per read or replay.
// - Security/encode-change/full vs Security/redact+encode-change/redacted: what preparing the
//   analyst's view costs per published change (the bridge does it once per view, not per subscriber).
// - Security/audit-append/in-memory: one hash-chained audit entry.

let before = FictionalCases.complete
let after = try! before.transition(to: .serviceProvision, at: before.updatedAt, by: .init("FICTIONAL caseworker B"))
let change = try! Change(kind: .updated, before: before.anyRecord, after: after.anyRecord)
let security = try! SecurityStore.open(.inMemory, keyRing: .ephemeral())
let sealer = CaseSealer(vault: security.caseKeys)
let plainBytes = WireCodec.encode(change)
let sealedBytes = try! WireCodec.encode(change, sealingWith: sealer)

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(metrics: [.throughput, .mallocCountTotal, .peakMemoryResident], scalingFactor: .kilo,
                                                maxDuration: .seconds(3), maxIterations: 100)

    Benchmark("Security/encode-change/plain", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(WireCodec.encode(change)) }
    }
    Benchmark("Security/encode-change/sealed", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try WireCodec.encode(change, sealingWith: sealer)) }
    }
    Benchmark("Security/decode-change/plain", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try WireCodec.decodeChange(plainBytes)) }
    }
    Benchmark("Security/decode-change/sealed", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try WireCodec.decodeChange(sealedBytes, openingWith: sealer)) }
    }
    Benchmark("Security/encode-change/full", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(WireCodec.encode(Redactor.redact(change, for: .full)!)) }
    }
    Benchmark("Security/redact+encode-change/redacted", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(WireCodec.encode(Redactor.redact(change, for: .redacted)!)) }
    }
    Benchmark("Security/audit-append/in-memory", configuration: configuration) { benchmark in
        let store = try SecurityStore.open(.inMemory, keyRing: .ephemeral())
        for _ in benchmark.scaledIterations {
            blackHole(try store.auditTrail.append(principal: .caseworker("cw-1"), action: .read, purpose: .caseManagement,
                                                  recordID: "case-1", fields: ["protectionCase.status"], outcome: .allowed))
        }
    }
}
