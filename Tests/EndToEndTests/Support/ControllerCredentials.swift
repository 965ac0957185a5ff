import Foundation

/// Whose credentials a `cutover-controller` process runs with; one parameter of the harness so the
/// same suite can run the controller as the admin or as its least-privilege service account.
enum ControllerCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The admin token kube-sim wrote into its kubeconfig.
    case admin
    /// A token for this service account from `kubectl create token` (the TokenRequest API), in a
    /// kubeconfig that is otherwise kube-sim's. Its RBAC must be applied first (``setupManifests``).
    case serviceAccount(namespace: String, name: String)

    /// `$CUTOVER_E2E_SERVICE_ACCOUNT=<namespace>/<name>` selects a service account; default admin.
    static var fromEnvironment: ControllerCredentials {
        let value = ProcessInfo.processInfo.environment["CUTOVER_E2E_SERVICE_ACCOUNT"] ?? ""
        let parts = value.split(separator: "/").map(String.init)
        guard parts.count == 2 else { return .admin }
        return .serviceAccount(namespace: parts[0], name: parts[1])
    }

    /// Manifests applied with `kubectl apply -f` before a controller starts (its namespace, service
    /// account and RBAC): `$CUTOVER_E2E_SETUP`, comma-separated paths relative to the repository.
    static var setupManifests: [URL] {
        (ProcessInfo.processInfo.environment["CUTOVER_E2E_SETUP"] ?? "").split(separator: ",").map {
            let path = String($0).trimmingCharacters(in: .whitespaces)
            return path.hasPrefix("/") ? URL(fileURLWithPath: path) : Binaries.repositoryRoot.appendingPathComponent(path)
        }
    }

    var description: String {
        switch self {
        case .admin: return "admin"
        case .serviceAccount(let namespace, let name): return "serviceaccount \(namespace)/\(name)"
        }
    }
}
