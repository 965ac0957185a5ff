import Foundation
import KubeModels

/// Service-account credentials for tests and the demo: what `kubectl create token` returns, and a
/// kubeconfig that authenticates with it (so RBAC applies to its user).
extension KubeSim {
    /// Mints a token for the ServiceAccount `namespace/name` through the TokenRequest API (as the
    /// admin). The server accepts it as `system:serviceaccount:NAMESPACE:NAME` until it expires
    /// or the ServiceAccount is deleted. Throws when the ServiceAccount does not exist.
    public func createServiceAccountToken(namespace: String, name: String, expirationSeconds: Int = 3600) async throws -> String {
        let body: JSONValue = [
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "spec": ["expirationSeconds": .int(Int64(expirationSeconds))],
        ]
        let (status, response) = await request("POST", "/api/v1/namespaces/\(namespace)/serviceaccounts/\(name)/token", body: body)
        guard status == 201, let token = response[path: ["status", "token"]]?.stringValue else {
            throw KubeSimTokenError(namespace: namespace, name: name, status: status, message: response["message"]?.stringValue ?? "")
        }
        return token
    }
}

/// A TokenRequest the simulator refused (typically: no such ServiceAccount).
public struct KubeSimTokenError: Error, CustomStringConvertible {
    public var namespace: String
    public var name: String
    public var status: Int
    public var message: String

    public var description: String {
        "no token for ServiceAccount \(namespace)/\(name) (\(status)): \(message)"
    }
}
