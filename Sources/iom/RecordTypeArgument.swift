import ArgumentParser
import Foundation
import IOMKit

/// A record type on the command line: `mission`, `member-state`, `protection-case`, …
/// (the camelCase and snake_case spellings are accepted too).
enum RecordTypeArgument: String, CaseIterable, ExpressibleByArgument {
    case organisation
    case mission
    case memberState = "member-state"
    case event
    case protectionCase = "protection-case"

    init?(argument: String) {
        let folded = argument.lowercased().replacingOccurrences(of: "_", with: "-")
        switch folded {
        case "organisation", "organization": self = .organisation
        case "mission": self = .mission
        case "member-state", "memberstate": self = .memberState
        case "event", "public-event", "publicevent": self = .event
        case "protection-case", "protectioncase", "case": self = .protectionCase
        default: return nil
        }
    }

    /// The domain's record type.
    var recordType: RecordType {
        switch self {
        case .organisation: .organisation
        case .mission: .mission
        case .memberState: .memberState
        case .event: .event
        case .protectionCase: .protectionCase
        }
    }
}
