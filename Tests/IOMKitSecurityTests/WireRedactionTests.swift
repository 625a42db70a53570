import Foundation
import IOMDomain
import IOMFixtures
@testable import IOMKit
import IOMWire
import Testing
import ZeroMQ

@Suite("The security pieces end to end over ZeroMQ (the bridge's pattern)", .serialized)
struct WireRedactionTests {
    /// A CURVE PUB on `iom.events.redacted` guarded by ZAP + allow-list, publishing redacted changes.
    @Test("an analyst's raw frames never hold identifying data; an unknown key and a caseworker get nothing")
    func analystStream() throws {
        let context = try Context()
        let server = try CurveKeyPair.generate()
        let analyst = try CurveKeyPair.generate()
        let caseworker = try CurveKeyPair.generate()
        let stranger = try CurveKeyPair.generate()
        let allowList = try ClientAllowList([analyst.publicKey.z85: .analyst("an-1"), caseworker.publicKey.z85: .caseworker("cw-1")])
        let zap = try ZAPHandler(context: context) { request in
            switch allowList.admission(clientKey: request.clientKey?.z85, domain: request.domain) {
            case .admit(let p, let metadata): .allow(userID: p.id, metadata: metadata)
            case .refuse(let reason): .deny(reason: reason)
            }
        }
        defer { zap.stop() }
        let view = BridgeView.redacted
        let pub = try context.socket(.pub)
        try pub.set(.curveServer, true)
        try pub.set(.curveSecretKey, server.secretKey)
        try pub.set(.zapDomain, view.zapDomain)
        try pub.bind("tcp://127.0.0.1:*")
        func subscriber(_ keys: CurveKeyPair) throws -> Socket {
            let sub = try context.socket(.sub)
            try sub.set(.curveServerKey, server.publicKey)
            try sub.set(.curvePublicKey, keys.publicKey)
            try sub.set(.curveSecretKey, keys.secretKey)
            try sub.set(.subscribe, [])
            try sub.connect(try pub.lastEndpoint)
            return sub
        }
        let subs = try [analyst, caseworker, stranger].map(subscriber)
        let c = FictionalCases.complete
        let next = try c.transition(to: .serviceProvision, at: c.updatedAt, by: .init("FICTIONAL caseworker B"))
        let change = try Change(kind: .updated, before: c.anyRecord, after: next.anyRecord)
        let frame = WireCodec.encode(try #require(Redactor.redact(change, for: view)))
        // Publish until the analyst has it (slow joiner), bounded.
        var got: [[UInt8]]?
        for _ in 0..<300 where got == nil {
            try pub.send([Array("protectionCase".utf8), frame])
            got = try subs[0].receive(timeout: .milliseconds(10))
        }
        let frames = try #require(got)
        let raw = frames.flatMap { $0 }
        for s in secrets { #expect(!contains(raw, s), "\(s)") }
        #expect(!containsBytes(raw, birthDateBytes))
        let decoded = try WireCodec.decodeChange(frames[1])
        #expect(decoded.after?.typed(as: ProtectionCase.self)?.status == .serviceProvision)
        #expect(decoded.before?.typed(as: ProtectionCase.self)?.identifying == nil)
        #expect(try subs[1].receive(timeout: .milliseconds(200)) == nil)  // caseworker: not this view
        #expect(try subs[2].receive(timeout: .milliseconds(200)) == nil)  // unknown key
        #expect(zap.deniedCount >= 2)
    }
}
