import IOMSecurity

/// Sums audited accesses per principal (or client key), action and outcome over one window
/// (a minute by default), so that a flood adds at most ``keysPerWindow`` + 1 audit entries and
/// log lines a window, whatever its rate (`Protocols/bridge.md` §12.3). Pure: the caller
/// brings the time and writes what ``close(before:)`` returns.
struct AccessTally: Sendable {
    /// What one aggregated entry is about.
    struct Key: Hashable, Sendable {
        /// The principal id, or `unknown-key:<z85>` / `no-key:<address>` for a refused connection.
        var principal: String
        var role: Role
        /// `sync.snapshot`, `sync.replay`, `connection.refused`, `node.save`.
        var action: String
        var outcome: AuditOutcome
        /// The view the data was prepared for, or the refusal reason / ZAP domain.
        var detail: String
    }

    /// The sum over one window.
    struct Sum: Sendable, Hashable {
        /// Requests (or connections) counted.
        var requests = 0
        /// Protection-case items sent (records or changes).
        var items = 0
        /// Lowest and highest journal sequence read (REPLAY), or snapshot sequence (SNAPSHOT).
        var lowest: UInt64?
        var highest: UInt64?
    }

    /// One closed window's entry.
    struct Entry: Sendable, Hashable {
        var key: Key
        var sum: Sum
        /// Start of the window, milliseconds since 1970.
        var windowStart: Int64
    }

    /// Length of a window in milliseconds.
    let window: Int64
    /// Distinct keys per window; later ones are summed under one `others` key.
    let keysPerWindow: Int
    private var start: Int64?
    private var sums: [Key: Sum] = [:]

    init(window: Duration = .seconds(60), keysPerWindow: Int = 256) {
        self.window = max(1, Int64(window.components.seconds * 1000 + window.components.attoseconds / 1_000_000_000_000_000))
        self.keysPerWindow = keysPerWindow
    }

    /// Adds one access at `nowMs`. Returns whether it is the first of its key in the window
    /// (the caller logs only those).
    @discardableResult
    mutating func add(_ key: Key, items: Int = 0, range: ClosedRange<UInt64>? = nil, nowMs: Int64) -> Bool {
        let windowStart = nowMs - nowMs % window
        if start == nil { start = windowStart }
        var key = key
        if sums[key] == nil && sums.count >= keysPerWindow {
            key = Key(principal: "others", role: key.role, action: key.action, outcome: key.outcome, detail: "more than \(keysPerWindow) keys in the window")
        }
        var sum = sums[key] ?? Sum()
        let first = sum.requests == 0
        sum.requests += 1
        sum.items += items
        if let range {
            sum.lowest = min(sum.lowest ?? range.lowerBound, range.lowerBound)
            sum.highest = max(sum.highest ?? range.upperBound, range.upperBound)
        }
        sums[key] = sum
        return first
    }

    /// The entries of the window, if it started before `nowMs`'s window (or always, with
    /// `force`), ordered by key; the tally starts again empty.
    mutating func close(before nowMs: Int64, force: Bool = false) -> [Entry] {
        guard let start, force || nowMs - nowMs % window > start else { return [] }
        let entries = sums.map { Entry(key: $0.key, sum: $0.value, windowStart: start) }
            .sorted { ($0.key.principal, $0.key.action, $0.key.detail) < ($1.key.principal, $1.key.action, $1.key.detail) }
        sums = [:]
        self.start = nil
        return entries
    }
}

extension AccessTally.Entry {
    /// The audit entry's detail: counts and ranges, never record contents.
    var auditDetail: String {
        var parts = ["\(key.detail)", "requests=\(sum.requests)"]
        if sum.items > 0 || key.action.hasPrefix("sync.") { parts.append("items=\(sum.items)") }
        if let lowest = sum.lowest, let highest = sum.highest { parts.append("sequences=\(lowest)-\(highest)") }
        parts.append("window=\(windowStart)")
        return parts.joined(separator: " ")
    }
}
