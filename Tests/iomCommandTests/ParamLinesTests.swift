@testable import iom
import Testing

/// The params frame of `Protocols/node-save.md` (and bridge.md §5.2), read and written.
@Suite("ParamLines: name=value lines")
struct ParamLinesTests {
    @Test("decoding: lines without = and empty lines are skipped, a repeated name keeps its first value, %XX is decoded, a bad or short escape is kept as it is", arguments: [
        ("id=b-1\n", ["id": "b-1"]),
        ("id=b-1", ["id": "b-1"]),                                  // the last line needs no newline
        ("\n\nid=x\n\n", ["id": "x"]),
        ("noequals\nid=x\n", ["id": "x"]),
        ("id=first\nid=second\n", ["id": "first"]),
        ("a=\nb==c\n", ["a": "", "b": "=c"]),                         // an empty value; only the first = splits
        ("m=50%25%0Ax\n", ["m": "50%\nx"]),
        ("m=%zz%4\n", ["m": "%zz%4"]),                                // not hex, too short: kept
        ("m=%4a%4A\n", ["m": "JJ"]),
        ("=v\n", ["": "v"]),
        ("", [:]),
    ] as [(String, [String: String])])
    func decode(frame: String, expected: [String: String]) {
        #expect(ParamLines.decode(Array(frame.utf8)) == expected)
    }

    @Test("encoding escapes %, controls and DEL, and decodes back to the same pairs")
    func roundTrip() {
        let pairs = [("id", "a%b"), ("message", "line 1\nline 2\t\u{7F}"), ("type", "mission")]
        let frame = ParamLines.encode(pairs)
        #expect(String(decoding: frame, as: UTF8.self) == "id=a%25b\nmessage=line 1%0Aline 2%09%7F\ntype=mission\n")
        #expect(ParamLines.decode(frame) == Dictionary(uniqueKeysWithValues: pairs))
    }
}
