/// The command line, parsed by hand to keep the example free of other dependencies.
struct Options {
    var events = "tcp://127.0.0.1:5670"     // iom serve's default --publish
    var sync = "tcp://127.0.0.1:5671"       // iom serve's default --replay
    var serverKey = "keys/node.pub"         // the node's public key (iom keygen --name node)
    var secretKey = "keys/replica.key"      // this service's key (iom keygen --name replica)
    var insecure = false                    // for a node started with --insecure
    var once = false                        // answer once after joining, then exit

    static let usage = """
        usage: CaseReplica [--events EP] [--sync EP] [--server-key FILE] [--secret-key FILE] [--insecure] [--once]
        """

    init(_ arguments: [String]) throws(UsageError) {
        var rest = arguments[...]
        func value(_ name: String) throws(UsageError) -> String {
            guard let value = rest.popFirst() else { throw UsageError("\(name) needs a value\n\(Options.usage)") }
            return value
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--events": events = try value(argument)
            case "--sync": sync = try value(argument)
            case "--server-key": serverKey = try value(argument)
            case "--secret-key": secretKey = try value(argument)
            case "--insecure": insecure = true
            case "--once": once = true
            default: throw UsageError("unknown argument \(argument)\n\(Options.usage)")
            }
        }
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
