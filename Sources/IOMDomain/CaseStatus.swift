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
/// ```swift
/// do { _ = try c.transition(to: .closed, at: now, by: who) }
/// catch CaseTransitionError.illegal(let from, let to) { print(from, to) }
/// ```
public enum CaseTransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The workflow has no such edge.
    case illegal(from: CaseStatus, to: CaseStatus)
    /// A minor's case needs a best-interests assessment before the case plan.
    case bestInterestsAssessmentRequired
    /// A referral or transfer without recorded consent to disclosure and without an override.
    case consentRequired(CaseStatus)
    /// The override does not cover this step (e.g. a referral override used for a transfer).
    case overrideScopeMismatch(expected: OverrideScope, got: OverrideScope)
    /// A transfer must name the receiving organisation.
    case transferDestinationRequired
    /// The resulting record broke a domain rule.
    case invalid(ValidationError)

    public var description: String {
        switch self {
        case .illegal(let from, let to): "protectionCase.status: \"\(to.rawValue)\" cannot follow \"\(from.rawValue)\""
        case .bestInterestsAssessmentRequired: "protectionCase.children.bestInterestsAssessment: a minor needs a best-interests assessment before the case plan"
        case .consentRequired(let to): "protectionCase.consent: \"\(to.rawValue)\" needs recorded consent to disclosure or an explicit override"
        case .overrideScopeMismatch(let expected, let got): "override: scope \"\(got.rawValue)\" does not cover a \(expected.rawValue)"
        case .transferDestinationRequired: "protectionCase.transferredTo: a transfer needs the receiving organisation"
        case .invalid(let e): e.description
        }
    }
}
