import ArgumentParser
import Foundation
import IOMKit
import IOMStore
import Logging

/// `iom stats`: CTDC-style counts of protection cases by banded fields, every group smaller
/// than k suppressed (IOMSecurity's `StatisticsExport`), from a local store.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Export k-anonymised counts of protection cases by banded fields.",
        discussion: """
            Counts the protection cases of a store by the fields given with --by (banded fields \
            only: \(StatisticsDimension.allCases.map(\.rawValue).joined(separator: ", "))) and \
            publishes only groups of at least k cases (default 11, the Counter Trafficking Data \
            Collaborative's threshold); the number of suppressed groups and the cases they hold are \
            reported in total, never per group. Runs as an analyst for the statistics purpose; the \
            export is recorded in the store's audit trail.

            The store's protection cases are sealed with the host's keys: pass the same --host-key \
            files the node uses.

            Example:
              iom stats --store iom.sqlite --host-key /etc/iom/data-2026-11.key --by gender,ageBand
            """
    )

    @Option(name: .long, help: ArgumentHelp("The store's SQLite file (must exist).", valueName: "path"))
    var store: String = "iom.sqlite"

    @Option(name: .long, help: ArgumentHelp("Comma-separated banded fields to group by (repeatable).", valueName: "fields"))
    var by: [String] = ["gender,ageBand"]

    @Option(name: .customLong("k"), help: ArgumentHelp("The smallest group published (at least 2).", valueName: "k"))
    var k: Int = StatisticsExport.defaultK

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var keyRing: KeyRingOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        _ = try dimensions()
        guard k >= 2 else { throw ValidationError("--k \(k) would publish single cases; use at least 2 (CTDC uses 11)") }
    }

    /// The `--by` fields; kebab-case and snake_case spellings are accepted too.
    func dimensions() throws -> [StatisticsDimension] {
        var result: [StatisticsDimension] = []
        for name in by.flatMap({ $0.split(separator: ",") }).map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            let folded = name.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
            guard let dimension = StatisticsDimension.allCases.first(where: { $0.rawValue.lowercased() == folded }) else {
                throw ValidationError("--by \(name) is not a banded field; use \(StatisticsDimension.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !result.contains(dimension) else { throw ValidationError("--by lists \(dimension.rawValue) twice") }
            result.append(dimension)
        }
        guard !result.isEmpty else { throw ValidationError("--by needs at least one field, e.g. --by gender,ageBand") }
        return result
    }

    func run() async throws {
        let logger = logging.bootstrap()
        guard FileManager.default.fileExists(atPath: store) else {
            throw CommandFailure(.noInput, "\(store): no such store; pass the SQLite file of a node with --store")
        }
        let iom = try await keyRing.open(store: store, logger: logger, hint: "")
        let dimensions = try dimensions()
        let result: Result<StatisticsTable, IOMError>
        do { result = .success(try await iom.statistics(as: .analyst("iom-cli"), by: dimensions, k: k)) } catch {
            result = .failure(error)
        }
        do { try await iom.close() } catch {
            logger.error("closing the store failed", metadata: ["store": "\(store)", "error": "\(error)"])
        }
        switch result {
        case .success(let table):
            FileHandle.standardOutput.write(Data((json ? Self.json(table) : Self.text(table)).utf8))
        case .failure(let error):
            switch error.code {
            case .security, .corrupted:
                throw CommandFailure(.dataError, "cannot read the protection cases of \(store): \(error). Pass the node's --host-key files")
            case .forbidden:
                throw CommandFailure(.noPermission, "\(error)")
            default:
                throw CommandFailure(.ioError, "statistics failed: \(error)")
            }
        }
    }

    /// Aligned columns, then one line about what was suppressed.
    static func text(_ table: StatisticsTable) -> String {
        let header = table.dimensions.map(\.rawValue) + ["count"]
        let rows = table.rows.map { $0.values + [String($0.count)] }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }
        var lines = [line(header)] + rows.map(line)
        if rows.isEmpty { lines.append("(no group has at least \(table.k) cases)") }
        lines.append("suppressed: \(table.suppressedGroups) group\(table.suppressedGroups == 1 ? "" : "s") below k=\(table.k) (\(table.suppressedCount) counted case\(table.suppressedCount == 1 ? "" : "s"))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `{"k":11,"dimensions":[…],"rows":[{"gender":"woman","ageBand":"18-20","count":12}],"suppressedGroups":2,"suppressedCount":7}`
    static func json(_ table: StatisticsTable) -> String {
        let rows = table.rows.map { row in
            "{" + zip(table.dimensions, row.values).map { "\(ChangeLine.quoted($0.rawValue)):\(ChangeLine.quoted($1))" }.joined(separator: ",")
                + ",\"count\":\(row.count)}"
        }
        return "{\"k\":\(table.k),\"dimensions\":[\(table.dimensions.map { ChangeLine.quoted($0.rawValue) }.joined(separator: ","))],"
            + "\"rows\":[\(rows.joined(separator: ","))],\"suppressedGroups\":\(table.suppressedGroups),\"suppressedCount\":\(table.suppressedCount)}\n"
    }
}
