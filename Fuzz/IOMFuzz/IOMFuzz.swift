// The libFuzzer target over the bridge's receive-side decoders and the wire → domain mapping.
//
// Built by `Scripts/fuzz.sh` with SwiftPM's fuzzer sanitizer and `-D IOM_LIBFUZZER`: libFuzzer
// supplies `main` and calls `LLVMFuzzerTestOneInput` with each input. In a normal
// `swift build` the same file builds a small replay tool instead (`@main` below), so the
// package builds in both modes:
//
//     swift run IOMFuzz Tests/Fuzz/corpus      # every file through the same decoders
//
// Input format (see `FuzzInput`): the first byte selects the path, the rest is either one
// blob or a list of frames, each a 2-byte big-endian length and that many bytes.
import IOMBridge
import IOMWire

/// How a fuzz input is split and which decoder it reaches.
enum FuzzInput {
    /// What the first byte selects (its value modulo the number of paths).
    enum Path: UInt8, CaseIterable {
        /// Frames of one events-endpoint message → `BridgeFuzzing.decodeEventsMessage`.
        case eventsMessage = 0
        /// Frames of one sync reply → `BridgeFuzzing.decodeSyncReply`.
        case syncReply = 1
        /// One blob → `WireCodec.decodeChange`, `decodeEnvelope` and `decodeRecord` (every
        /// type), each beside its SwiftProtobuf reference (`WireCodec.disagreement`).
        case change = 2
        /// The same as `change` (kept so that the corpus's inputs keep their paths).
        case envelope = 3
        /// One blob → `BridgeFuzzing.parseAttributes`.
        case attributes = 4
        /// One blob of protobuf JSON → the JSON fast path of `WireCodec.decodeRecord(jsonUTF8:)`
        /// for each record type, beside SwiftProtobuf's JSON decoder (`WireCodec.jsonDisagreement`;
        /// every other path's blob is checked the same way too, see `run`).
        case json = 5
    }

    /// Splits `bytes` into frames: a 2-byte big-endian length, then that many bytes (or what
    /// is left). A single byte left over is a frame of its own.
    static func frames(_ bytes: UnsafeBufferPointer<UInt8>) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            guard bytes.count - i >= 2 else {
                frames.append(Array(bytes[i...]))
                break
            }
            let length = Int(bytes[i]) << 8 | Int(bytes[i + 1])
            i += 2
            let end = i + min(length, bytes.count - i)
            frames.append(Array(bytes[i..<end]))
            i = end
        }
        return frames
    }

    /// Runs one input through the decoder its first byte selects. Never traps on its own.
    static func run(_ input: UnsafeBufferPointer<UInt8>) {
        guard let selector = input.first else { return }
        let rest = UnsafeBufferPointer(rebasing: input[1...])
        switch Path(rawValue: selector % UInt8(Path.allCases.count))! {
        case .eventsMessage:
            BridgeFuzzing.decodeEventsMessage(frames(rest))
        case .syncReply:
            BridgeFuzzing.decodeSyncReply(frames(rest))
        case .change, .envelope:
            // The hand-written reader and SwiftProtobuf must agree on every input, decoded as a
            // change, an envelope and each record type: a disagreement is a crash.
            if let disagreement = WireCodec.disagreement(Array(rest)) {
                fatalError("WireReader and SwiftProtobuf disagree: \(disagreement)")
            }
        case .attributes:
            BridgeFuzzing.parseAttributes(Array(rest))
        case .json:
            break  // checked below, as for every path
        }
        // The JSON fast path (JSONRecordReader) on every input: it declines, or SwiftProtobuf
        // accepts the same bytes and decodes an equal message. Declining costs a byte or two on
        // input that is no JSON object, so every path's blob goes through it.
        if let disagreement = WireCodec.jsonDisagreement(Array(rest)) {
            fatalError("the JSON fast path and SwiftProtobuf disagree: \(disagreement)")
        }
    }
}

/// libFuzzer's entry point: one input per call; returns 0 (the input may join the corpus).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

#if !IOM_LIBFUZZER
import Foundation

/// Without libFuzzer: runs every file named on the command line (directories: every file in
/// them) through the same decoders, e.g. the corpus or a crash file, and prints the count.
@main
enum ReplayInputs {
    static func main() throws {
        let manager = FileManager.default
        var count = 0
        for argument in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("IOMFuzz: no such file: \(argument)\n".utf8))
                exit(2)
            }
            let paths = isDirectory.boolValue
                ? try manager.contentsOfDirectory(atPath: argument).sorted().map { "\(argument)/\($0)" }
                : [argument]
            for path in paths {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                bytes.withUnsafeBufferPointer { FuzzInput.run($0) }
                count += 1
            }
        }
        print("IOMFuzz: \(count) inputs decoded without a crash")
    }
}
#endif
