import IOMDomain
import Testing

@Suite("Identifier validation")
struct IdentifierTests {
    @Test("1…128 bytes of visible characters are accepted, ASCII or not", arguments: [
        "a", "mission-ma", "case-fictional-0001", String(repeating: "x", count: 128), "état-maroc", String(repeating: "é", count: 64), "日本-1",
    ])
    func valid(_ text: String) throws {
        #expect(try Identifier<Mission>(text).rawValue == text)
    }

    @Test("empty, too long, or with whitespace or line breaks (ASCII and Unicode) is refused, naming the field", arguments: [
        "", String(repeating: "x", count: 129), String(repeating: "é", count: 129), "a b", "a\tb", "a\nb", "a\rb", "a\u{0B}b", "a\u{0C}b",
        "a\u{00A0}b", "a\u{2028}b", "a\u{0085}b", "é b", "\r\n", String(repeating: "é", count: 65),
    ])
    func invalid(_ text: String) {
        #expect(throws: ValidationError.self) { try Identifier<Mission>(text, path: "mission.id") }
        do { _ = try Identifier<Mission>(text, path: "mission.id") } catch { #expect(error.issues.first?.path == "mission.id") }
    }

    @Test("control and format characters — NUL included — are refused, naming the field and the character", arguments: [
        "case\u{0}1", "\u{0}", "case-1\u{0}", "a\u{1}b", "a\u{1B}b", "a\u{7F}b", "a\u{9B}b", "é\u{0}", "a\u{200B}b", "a\u{202E}b", "a\u{FEFF}b",
    ])
    func controlCharacters(_ text: String) throws {
        let error = try #require(throws: ValidationError.self) { try Identifier<ProtectionCase>(text, path: "protectionCase.id") }
        #expect(error.issues.first?.path == "protectionCase.id")
        let reason = error.issues.first?.reason ?? ""
        #expect(reason.contains("control character U+") || reason.contains("format character U+"), "\(reason)")
        // The reported value never holds the raw control character (a log line must not be cut).
        #expect(!(error.issues.first?.value ?? "").unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test("principal ids and key names: the same grammar with single inner spaces")
    func names() {
        #expect(IdentifierGrammar.problem(in: "FICTIONAL caseworker A", allowingSpaces: true) == nil)
        #expect(IdentifierGrammar.problem(in: "FICTIONAL caseworker A", allowingSpaces: false) != nil)
        for bad in ["", " lead", "trail ", "two  spaces", "nul\u{0}", "tab\tx", "line\nx", String(repeating: "x", count: 129)] {
            #expect(IdentifierGrammar.problem(in: bad, allowingSpaces: true) != nil, "\(bad.debugDescription)")
        }
    }
}
