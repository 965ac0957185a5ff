/// Why the runner could not even ask Prometheus: the Rollout's connection settings point at
/// credentials that are not there. Each message names the Secret and key to fix.
enum AnalysisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The Secret could not be read (missing, forbidden, API server unreachable).
    case unreadableSecret(namespace: String, name: String, reason: String)
    /// The Secret exists but lacks a key the Rollout names.
    case missingSecretKey(namespace: String, name: String, key: String, field: String)

    var description: String {
        switch self {
        case .unreadableSecret(let namespace, let name, let reason):
            return "cannot read Secret \(namespace)/\(name): \(reason)"
        case .missingSecretKey(let namespace, let name, let key, let field):
            return "Secret \(namespace)/\(name) has no key \"\(key)\" (named by \(field))"
        }
    }
}
