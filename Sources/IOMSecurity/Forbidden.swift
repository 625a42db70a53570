import IOMDomain

/// An access the ``AccessPolicy`` refuses: names the role, the action, the field (when one field
/// is the problem), the record and why.
///
/// ```swift
/// // forbidden: analyst "a-1" may not update protectionCase "case-1" (field protectionCase.identifying.givenName): …
/// ```
package struct Forbidden: Error, Sendable, Hashable, CustomStringConvertible {
    /// The principal refused.
    package let principal: Principal
    /// What it tried.
    package let action: Action
    /// For what purpose.
    package let purpose: Purpose
    /// The case, when one is concerned.
    package let recordID: String?
    /// The field that may not be touched, when the refusal is about one field.
    package let field: FieldPath?
    /// Why.
    package let reason: String

    /// Creates the error.
    package init(principal: Principal, action: Action, purpose: Purpose, recordID: String? = nil, field: FieldPath? = nil, reason: String) {
        self.principal = principal
        self.action = action
        self.purpose = purpose
        self.recordID = recordID
        self.field = field
        self.reason = reason
    }

    /// The role refused.
    package var role: Role { principal.role }

    package var description: String {
        var s = "forbidden: \(principal) may not \(action.rawValue)"
        if let recordID { s += " protectionCase \"\(recordID)\"" }
        if let field { s += " (field \(field))" }
        s += " for \(purpose.rawValue): \(reason)"
        return s
    }
}
