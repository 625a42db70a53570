/// The workflow states of a protection case (Primero's workflow with HTCDS statuses).
///
/// ```
/// identified → registered → assessment → casePlan → serviceProvision → followUp → closed | closedReferred
/// closed → reopened → assessment;   any open state → transferred
/// ```
///
/// ```swift
/// CaseStatus.identified.canMove(to: .registered) // true
/// CaseStatus.identified.canMove(to: .closed)     // false
/// ```
public enum CaseStatus: String, Sendable, Hashable, CaseIterable {
    /// The workflow's states (``successors`` gives the edges).
    case identified, registered, assessment, casePlan, serviceProvision, followUp, closed, closedReferred, reopened, transferred

    /// Whether work on the case is ongoing (it can still be transferred).
    public var isOpen: Bool {
        switch self {
        case .closed, .closedReferred, .transferred: false
        default: true
        }
    }

    /// States reachable in one step, ignoring consent and best-interests conditions.
    public var successors: Set<CaseStatus> {
        var next: Set<CaseStatus>
        switch self {
        case .identified: next = [.registered]
        case .registered: next = [.assessment]
        case .assessment: next = [.casePlan]
        case .casePlan: next = [.serviceProvision]
        case .serviceProvision: next = [.followUp]
        case .followUp: next = [.closed, .closedReferred]
        case .closed: next = [.reopened]
        case .reopened: next = [.assessment]
        case .closedReferred, .transferred: next = []
        }
        if isOpen { next.insert(.transferred) }
        return next
    }

    /// Whether the workflow has an edge from `self` to `next`.
    public func canMove(to next: CaseStatus) -> Bool { successors.contains(next) }
}

/// Why a case could not change state.
///
/// Its ``code`` says which rule refused the step; its ``description`` names the field, as
/// validation errors do (`protectionCase.status: "closed" cannot follow "identified"`). New codes
/// may come in any release, so a `switch` over codes ends with `default:`.
///
/// ```swift
/// do { _ = try c.transition(to: .closed, at: now, by: who) }
/// catch where error.code == .illegal { print(error.from!, error.to!) }
/// ```
public struct CaseTransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which rule refused the step. Compare with `==` or `switch` over the static members; a
    /// `switch` needs a `default:` (codes may be added).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The workflow has no edge from ``CaseTransitionError/from`` to ``CaseTransitionError/to``.
        public static let illegal = Code("illegal")
        /// A minor's case needs a best-interests assessment before the case plan.
        public static let bestInterestsAssessmentRequired = Code("bestInterestsAssessmentRequired")
        /// A referral or transfer (``CaseTransitionError/to``) without recorded consent to disclosure and without an override.
        public static let consentRequired = Code("consentRequired")
        /// The override does not cover this step (e.g. a referral override used for a transfer).
        public static let overrideScopeMismatch = Code("overrideScopeMismatch")
        /// A transfer must name the receiving organisation.
        public static let transferDestinationRequired = Code("transferDestinationRequired")
        /// The resulting record broke a domain rule (``CaseTransitionError/validation`` names the fields).
        public static let invalid = Code("invalid")
        /// The code's name, as in `CaseTransitionError.Code.illegal`.
        public var description: String { name }
    }

    /// Which rule refused the step.
    public let code: Code
    /// The status the case was in (``Code/illegal``).
    public let from: CaseStatus?
    /// The status asked for (``Code/illegal``, ``Code/consentRequired``).
    public let to: CaseStatus?
    /// The scope the step needs and the scope the override has (``Code/overrideScopeMismatch``).
    public let overrideScopes: (expected: OverrideScope, got: OverrideScope)?
    /// The fields the resulting record got wrong (``Code/invalid``).
    public let validation: ValidationError?
    /// The field path and what is wrong with it, in words.
    public let description: String

    private init(_ code: Code, from: CaseStatus? = nil, to: CaseStatus? = nil,
                 overrideScopes: (expected: OverrideScope, got: OverrideScope)? = nil, validation: ValidationError? = nil,
                 _ description: String) {
        self.code = code
        self.validation = validation
        self.from = from
        self.to = to
        self.overrideScopes = overrideScopes
        self.description = description
    }

    /// Two errors are equal when they have the same code, statuses and scopes.
    public static func == (a: CaseTransitionError, b: CaseTransitionError) -> Bool {
        a.code == b.code && a.from == b.from && a.to == b.to
            && a.overrideScopes?.expected == b.overrideScopes?.expected && a.overrideScopes?.got == b.overrideScopes?.got
            && a.validation == b.validation
    }

    /// Hashes the code and the statuses.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(from)
        hasher.combine(to)
    }

    package static func illegal(from: CaseStatus, to: CaseStatus) -> CaseTransitionError {
        CaseTransitionError(.illegal, from: from, to: to, "protectionCase.status: \"\(to.rawValue)\" cannot follow \"\(from.rawValue)\"")
    }

    package static var bestInterestsAssessmentRequired: CaseTransitionError {
        CaseTransitionError(.bestInterestsAssessmentRequired,
                            "protectionCase.children.bestInterestsAssessment: a minor needs a best-interests assessment before the case plan")
    }

    package static func consentRequired(_ to: CaseStatus) -> CaseTransitionError {
        CaseTransitionError(.consentRequired, to: to,
                            "protectionCase.consent: \"\(to.rawValue)\" needs recorded consent to disclosure or an explicit override")
    }

    package static func overrideScopeMismatch(expected: OverrideScope, got: OverrideScope) -> CaseTransitionError {
        CaseTransitionError(.overrideScopeMismatch, overrideScopes: (expected, got),
                            "override: scope \"\(got.rawValue)\" does not cover a \(expected.rawValue)")
    }

    package static var transferDestinationRequired: CaseTransitionError {
        CaseTransitionError(.transferDestinationRequired, "protectionCase.transferredTo: a transfer needs the receiving organisation")
    }

    package static func invalid(_ error: ValidationError) -> CaseTransitionError {
        CaseTransitionError(.invalid, validation: error, error.description)
    }
}
