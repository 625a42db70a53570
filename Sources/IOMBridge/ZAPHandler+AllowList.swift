import IOMSecurity
import ZeroMQ

extension ZAPHandler {
    /// A ZAP handler answering from an allow-list (`Protocols/bridge.md` §12.2): admitted keys
    /// get `User-Id` = the principal and the role and view as metadata; any other client is
    /// refused and reported to `onRefusal` (request, reason) — to log and count it.
    ///
    /// ```swift
    /// let zap = try ZAPHandler(context: context, admitting: allowList) { request, reason in
    ///     logger.warning("refused \(request.address): \(reason)")
    /// }
    /// ```
    package convenience init(context: Context, admitting allowList: ClientAllowList,
                            onRefusal: @escaping @Sendable (ZAPRequest, String) -> Void) throws(ZMQError) {
        try self.init(context: context) { request in
            switch allowList.admission(clientKey: request.clientKey?.z85, domain: request.domain) {
            case .admit(let principal, let metadata):
                return .allow(userID: principal.id, metadata: metadata)
            case .refuse(let reason):
                onRefusal(request, reason)
                return .deny(reason: reason)
            }
        }
    }
}
