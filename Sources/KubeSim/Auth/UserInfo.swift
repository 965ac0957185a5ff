/// Who sent a request, as the authorizer sees it (`user.Info` of the real API server).
struct UserInfo: Sendable, Hashable {
    var name: String
    var groups: [String]

    /// The identity of a service-account token: `system:serviceaccount:NS:NAME` in the groups
    /// every service account of the namespace, every service account and every authenticated user share.
    static func serviceAccount(namespace: String, name: String) -> UserInfo {
        UserInfo(
            name: "system:serviceaccount:\(namespace):\(name)",
            groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"])
    }
}

/// The outcome of authentication: the admin token bypasses authorization (it stands for the
/// cluster-admin kubeconfig), a service-account token is authorized by RBAC.
enum Authentication: Sendable {
    /// No Authorization header (only public paths are allowed, see ``APIServer/handle(_:)``).
    case anonymous
    /// The server's own token: every request is allowed.
    case admin
    /// A valid service-account token.
    case user(UserInfo)
    /// A token the server did not issue, or one that expired.
    case rejected
}
