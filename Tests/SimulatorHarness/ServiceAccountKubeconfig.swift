import Foundation
import KubeAPI
import KubeSim

// Credentials of a service account in a KubeSim, for running a controller under RBAC.

/// Mints a token for the ServiceAccount `namespace/serviceAccount` (it must exist, e.g. from
/// `kubectl apply -k manifests/`), writes a kubeconfig that uses it to `path` and returns the
/// token. Requests made with that kubeconfig are authorized by the RBAC objects in the simulator.
@discardableResult
public func writeServiceAccountKubeconfig(
    for sim: KubeSim, namespace: String, serviceAccount: String, to path: String
) async throws -> String {
    let token = try await sim.createServiceAccountToken(namespace: namespace, name: serviceAccount)
    try sim.writeKubeconfig(to: path, token: token, namespace: namespace)
    return token
}

/// A client configuration for `sim` that authenticates with `token` (a service-account token).
public func serviceAccountConfig(for sim: KubeSim, token: String) -> KubeConfig {
    KubeConfig(
        server: sim.baseURL, trust: .certificateAuthority(pem: Array(sim.caCertificatePEM.utf8)),
        credentials: .bearerToken(token))
}
