import Foundation
import Testing

@Suite("iom --help and argument errors", .timeLimit(.minutes(2)))
struct HelpTests {
    @Test("iom --help lists every command and the exit codes")
    func rootHelp() throws {
        let outcome = try iom("--help")
        #expect(outcome.status == 0, "\(outcome)")
        for command in ["serve", "tail", "stats", "keygen", "save", "proxy", "demo"] { #expect(outcome.stdout.contains(command), "\(outcome)") }
        #expect(outcome.stdout.contains("Exit codes"))
        #expect(outcome.stdout.contains("75 conflict"))
    }

    @Test("every command has --help with its usage and flags, exit 0",
          arguments: [
              ("keygen", ["--out", "--name", "--force"]),
              ("save", ["<type>", "--file", "--store", "--log-level", "protobuf JSON", "--node", "--host-key", "--timeout"]),
              ("proxy", ["--frontend", "--backend", "--curve-secret-key", "--curve-publisher-key", "--insecure", "--log-level", "SIGTERM"]),
              ("demo", ["--burst", "--size"]),
              ("serve", ["--store", "--publish", "--replay", "--accept", "--view", "--secret-key", "--insecure", "--host-key", "--no-seed", "--allow", "serving events=", "SIGTERM"]),
              ("tail", ["<endpoint>", "--sync", "--from", "--count", "--type", "--kind", "--json", "--timeout", "--server-key", "--secret-key", "--insecure", "replayed"]),
              ("stats", ["--store", "--by", "--k", "--json", "--host-key", "ageBand"]),
          ])
    func commandHelp(command: String, flags: [String]) throws {
        for arguments in [[command, "--help"], ["help", command]] {
            let outcome = try iom(arguments)
            #expect(outcome.status == 0, "\(outcome)")
            #expect(outcome.stdout.contains("USAGE: iom \(command)"), "\(outcome)")
            for flag in flags { #expect(outcome.stdout.contains(flag), "\(command) help lacks \(flag)") }
        }
    }

    @Test("an unknown command or option is a usage error (64) that points to --help")
    func unknown() throws {
        let command = try iom("launch")
        #expect(command.status == 64, "\(command)")
        #expect(command.stderr.contains("launch"))
        let option = try iom("keygen", "--colour", "blue")
        #expect(option.status == 64, "\(option)")
        #expect(option.stderr.contains("--colour"))
        #expect(option.stderr.contains("iom keygen --help"))
    }

    @Test("a bad --log-level names the accepted levels")
    func badLogLevel() throws {
        let outcome = try iom("save", "mission", "--file", "x.json", "--log-level", "loud")
        #expect(outcome.status == 64, "\(outcome)")
        #expect(outcome.stderr.contains("loud"))
        #expect(outcome.stderr.contains("warning"))
    }
}
