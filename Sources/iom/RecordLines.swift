import Foundation
import IOMKit
import Synchronization

/// The JSON lines `iom save --node` reads for a stream of records: one object per line,
/// `{"type": TYPE, "record": {…protobuf JSON…}}` with an optional `"id"` (the request id;
/// `RUN-LINE` by default). Blank lines are skipped.
enum RecordLines {
    /// A line that is a record to send.
    struct Line: Sendable {
        var line: Int
        var request: NodeSavePipeline.Request
    }

    /// The records of `text` and its bad lines (line number → what is wrong).
    static func parse(_ text: String, runID: String) -> (requests: [Line], bad: [Int: String]) {
        var requests: [Line] = []
        var bad: [Int: String] = [:]
        var seen: [String: Int] = [:]
        var number = 0
        text.enumerateLines { line, _ in
            number += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return }
            let object: [String: Any]
            do {
                guard let parsed = try JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
                    bad[number] = "not a JSON object; each line is {\"type\": TYPE, \"record\": {…}}"
                    return
                }
                object = parsed
            } catch {
                bad[number] = "not JSON: \((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error.localizedDescription)"
                return
            }
            guard let typeName = object["type"] as? String,
                  let type = RecordType(rawValue: typeName) ?? RecordTypeArgument(argument: typeName)?.recordType else {
                bad[number] = "\"type\" must be one of \(RecordTypeArgument.allCases.map(\.rawValue).joined(separator: ", ")), got \(object["type"].map { "\($0)" } ?? "nothing")"
                return
            }
            guard let record = object["record"] as? [String: Any],
                  let json = try? JSONSerialization.data(withJSONObject: record) else {
                bad[number] = "\"record\" must be the \(type.rawValue) as a JSON object (protobuf JSON, as in Protocols/vectors)"
                return
            }
            let id = (object["id"] as? String) ?? "\(runID)-\(number)"
            guard NodeSave.isValidRequestID(id) else {
                bad[number] = "\"id\" must be 1 to \(NodeSave.maximumRequestIDLength) printable ASCII characters without space"
                return
            }
            if let first = seen[id] {
                bad[number] = "request id \(id) is already used on line \(first)"
                return
            }
            seen[id] = number
            requests.append(Line(line: number, request: .init(id: id, type: type, json: String(decoding: json, as: UTF8.self))))
        }
        return (requests, bad)
    }

    /// What a stream's results add up to.
    struct Summary: Sendable {
        var total = 0, saved = 0, refused = 0, bad = 0, unanswered = 0
        /// The exit status: `nil` when every record was saved.
        var status: ExitStatus?
    }

    /// Prints one result line per input line, in input order, as results arrive.
    final class Printer: Sendable {
        private enum Entry { case bad(String), request(Int) }
        private struct State {
            var entries: [(line: Int, entry: Entry)]
            var results: [NodeSavePipeline.Reply?]
            var types: [RecordType]
            var cursor = 0
            var summary = Summary()
        }
        private let state: Mutex<State>

        init(bad: [Int: String], lines: [(line: Int, type: RecordType)]) {
            var entries: [(line: Int, entry: Entry)] = bad.map { ($0.key, .bad($0.value)) }
            entries += lines.enumerated().map { ($0.element.line, .request($0.offset)) }
            entries.sort { $0.line < $1.line }
            var summary = Summary()
            summary.total = entries.count
            summary.bad = bad.count
            if !bad.isEmpty { summary.status = .dataError }
            state = Mutex(State(entries: entries, results: Array(repeating: nil, count: lines.count),
                                     types: lines.map(\.type), summary: summary))
        }

        /// Prints the lines that are ready (bad lines before the first unanswered record).
        func flush() { state.withLock { Self.advance(&$0, unanswered: false) } }

        /// Records the answer to request `index` and prints what is ready.
        func record(_ index: Int, _ reply: NodeSavePipeline.Reply) {
            state.withLock { state in
                state.results[index] = reply
                switch reply {
                case .saved: state.summary.saved += 1
                case .refused(let code, _):
                    state.summary.refused += 1
                    let status = code?.exitStatus ?? .ioError
                    // A bad record (65) outranks a failing store (74), which outranks a conflict (75).
                    let rank: [ExitStatus: Int] = [.dataError: 3, .ioError: 2, .temporaryFailure: 1]
                    if (rank[status] ?? 0) > (state.summary.status.flatMap { rank[$0] } ?? 0) { state.summary.status = status }
                }
                Self.advance(&state, unanswered: false)
            }
        }

        /// Prints the rest (unanswered records as such) and returns the summary.
        func finish(unanswered: Bool) -> Summary {
            state.withLock { state in
                Self.advance(&state, unanswered: true)
                return state.summary
            }
        }

        private static func advance(_ state: inout State, unanswered: Bool) {
            var out = ""
            while state.cursor < state.entries.count {
                let (line, entry) = state.entries[state.cursor]
                switch entry {
                case .bad(let message):
                    out += "line \(line): bad line: \(message)\n"
                case .request(let index):
                    guard let reply = state.results[index] else {
                        guard unanswered else { break }
                        state.summary.unanswered += 1
                        out += "line \(line): no answer from the node\n"
                        state.cursor += 1
                        continue
                    }
                    switch reply {
                    case let .saved(record, version, sequence, repeated):
                        out += "line \(line): saved \(state.types[index].rawValue) \(record): version \(version), sequence \(sequence)\(repeated ? " (saved before: request id repeated)" : "")\n"
                    case let .refused(code, message):
                        out += "line \(line): refused \(code?.rawValue ?? "INTERNAL"): \(message.replacingOccurrences(of: "\n", with: " | "))\n"
                    }
                }
                if case .request(let index) = entry, state.results[index] == nil { break }
                state.cursor += 1
            }
            if !out.isEmpty { FileHandle.standardOutput.write(Data(out.utf8)) }
        }
    }
}
