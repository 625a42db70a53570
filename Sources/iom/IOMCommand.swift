import ArgumentParser

/// `iom`: the IOMKit command line.
@main
struct IOMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iom",
        abstract: "IOMKit: typed change events of an intergovernmental migration organisation's data, over ZeroMQ.",
        subcommands: [DemoCommand.self]
    )
}
