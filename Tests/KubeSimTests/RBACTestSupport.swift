import Foundation
import KubeModels
@testable import KubeSim

/// The repository's install manifests applied to a TLS simulator with the real kubectl, and the
/// controller's ServiceAccount token minted with `kubectl create token`.
struct InstalledManifests: Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let manifests = root + "/manifests"
    static let namespace = "cutover-system"
    static let serviceAccount = "cutover-controller"
    static let user = "system:serviceaccount:cutover-system:cutover-controller"

    let sim: KubeSim
    /// kubectl as the admin.
    let admin: Kubectl
    /// kubectl as the controller's ServiceAccount.
    let controller: Kubectl
    /// curl as the controller's ServiceAccount.
    let client: TestClient
    let token: String

    /// Runs `body` against a simulator where `kubectl apply -k manifests/` succeeded and a
    /// namespace `demo` holds a Secret `prometheus-token` and a Service `payment`.
    static func with(workloads: Bool = false, _ body: (InstalledManifests) async throws -> Void) async throws {
        try await withSim(tls: true, workloads: workloads) { sim, _ in
            let admin = try Kubectl(sim)
            let applied = try await admin("apply", "-k", manifests)
            guard applied.status == 0 else { throw SetupFailed(step: "kubectl apply -k manifests/", output: applied.stderr) }
            let minted = try await admin("create", "token", serviceAccount, "-n", namespace)
            let token = minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            guard minted.status == 0, !token.isEmpty else { throw SetupFailed(step: "kubectl create token", output: minted.stderr) }
            for object: JSONValue in [
                ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "demo"]],
                ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "prometheus-token", "namespace": "demo"],
                 "data": ["token": "c2VjcmV0"]],
                ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "payment", "namespace": "demo"],
                 "spec": ["selector": ["app": "payment"], "ports": [["port": 80]]]],
            ] {
                let path = object["kind"] == "Namespace" ? "/api/v1/namespaces" : "/api/v1/namespaces/demo/\(object["kind"]!.stringValue!.lowercased())s"
                let (status, response) = await sim.request("POST", path, body: object)
                guard status == 201 else { throw SetupFailed(step: "create \(path)", output: "\(response)") }
            }
            let controller = try Kubectl(sim, token: token, namespace: namespace)
            try await body(InstalledManifests(
                sim: sim, admin: admin, controller: controller, client: try TestClient(sim, token: token), token: token))
        }
    }

    struct SetupFailed: Error, CustomStringConvertible {
        var step: String
        var output: String
        var description: String { "\(step) failed: \(output)" }
    }
}

extension Kubectl {
    /// kubectl authenticating with `token` (a service-account token) instead of the admin token.
    init(_ sim: KubeSim, token: String, namespace: String) throws {
        self = try Kubectl(sim)
        try sim.writeKubeconfig(to: kubeconfig, token: token, namespace: namespace)
    }
}
