import IOMDomain
import Testing

@Suite("Identifier validation")
struct IdentifierTests {
    @Test("1…128 characters without whitespace are accepted, ASCII or not", arguments: [
        "a", "mission-ma", "case-fictional-0001", String(repeating: "x", count: 128), "état-maroc", String(repeating: "é", count: 128), "日本-1",
    ])
    func valid(_ text: String) throws {
        #expect(try Identifier<Mission>(text).rawValue == text)
    }

    @Test("empty, too long, or with whitespace or line breaks (ASCII and Unicode) is refused, naming the field", arguments: [
        "", String(repeating: "x", count: 129), String(repeating: "é", count: 129), "a b", "a\tb", "a\nb", "a\rb", "a\u{0B}b", "a\u{0C}b",
        "a\u{00A0}b", "a\u{2028}b", "a\u{0085}b", "é b", "\r\n",
    ])
    func invalid(_ text: String) {
        #expect(throws: ValidationError.self) { try Identifier<Mission>(text, path: "mission.id") }
        do { _ = try Identifier<Mission>(text, path: "mission.id") } catch { #expect(error.issues.first?.path == "mission.id") }
    }
}
