import Foundation

/// Whose credentials a `cutover-controller` process runs with; one parameter of the harness so the
/// same suite can run the controller as the admin or as its least-privilege service account.
enum ControllerCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The admin token kube-sim wrote into its kubeconfig.
    case admin
    /// A token for this service account from `kubectl create token` (the TokenRequest API), in a
    /// kubeconfig that is otherwise kube-sim's. Its RBAC must be applied first (``setupManifests``).
    case serviceAccount(namespace: String, name: String)

    /// The service account `manifests/` installs, with exactly the RBAC it grants: what the suite
    /// runs as unless told otherwise, so every case also proves the install's rules suffice.
    static let installed = ControllerCredentials.serviceAccount(namespace: "cutover-system", name: "cutover-controller")

    /// The parts of `manifests/` that make the installed service account and its rules.
    static let installedRBAC = [
        "manifests/namespace.yaml", "manifests/serviceaccount.yaml", "manifests/clusterrole.yaml",
        "manifests/clusterrole-secrets.yaml", "manifests/clusterrolebinding.yaml",
        "manifests/role-leader-election.yaml", "manifests/rolebinding-leader-election.yaml",
    ]

    /// `$CUTOVER_E2E_SERVICE_ACCOUNT`: `<namespace>/<name>` selects another service account,
    /// `admin` kube-sim's admin token; unset, the service account of `manifests/`.
    static var fromEnvironment: ControllerCredentials {
        let value = ProcessInfo.processInfo.environment["CUTOVER_E2E_SERVICE_ACCOUNT"] ?? ""
        if value == "admin" { return .admin }
        let parts = value.split(separator: "/").map(String.init)
        guard parts.count == 2 else { return installed }
        return .serviceAccount(namespace: parts[0], name: parts[1])
    }

    /// Manifests applied with `kubectl apply -f` before a controller starts (its namespace, service
    /// account and RBAC): `$CUTOVER_E2E_SETUP`, comma-separated paths relative to the repository;
    /// unset, the RBAC of `manifests/` (nothing for the admin).
    static var setupManifests: [URL] {
        let environment = ProcessInfo.processInfo.environment
        let listed = environment["CUTOVER_E2E_SETUP"].map { $0.split(separator: ",").map(String.init) }
        let paths = listed ?? (fromEnvironment == .admin ? [] : installedRBAC)
        return paths.map {
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
