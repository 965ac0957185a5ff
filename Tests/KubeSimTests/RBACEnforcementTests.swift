import Foundation
import KubeModels
import Testing
@testable import KubeSim

/// RBAC for service-account tokens, with the repository's own `manifests/` applied by kubectl:
/// the controller's ServiceAccount can make exactly the calls its ClusterRole and Role grant and
/// gets the real 403 Forbidden Status for anything else.
@Suite("RBAC enforcement with manifests/", .serialized, .timeLimit(.minutes(3)))
struct RBACEnforcementTests {
    typealias Call = (method: String, path: String, body: String?)

    static let rollouts = "/apis/cutover.dev/v1alpha1/namespaces/demo/rollouts"
    static let deployments = "/apis/apps/v1/namespaces/demo/deployments"
    static let deployment = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"example/web:1"}]}}}}"#
    static let event = #"{"apiVersion":"v1","kind":"Event","metadata":{"name":"payment.1"},"involvedObject":{"kind":"Rollout","name":"payment","namespace":"demo"},"reason":"Test","message":"m","type":"Normal"}"#
    static let lease = #"{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"cutover-controller"},"spec":{"holderIdentity":"a"}}"#

    @Test("every call the controller makes is allowed, in the order a release makes them")
    func grantedCallsSucceed() async throws {
        try await InstalledManifests.with { installed in
            let calls: [(Call, Int)] = [
                (("GET", "/apis/cutover.dev/v1alpha1/rollouts?limit=500", nil), 200),
                (("GET", "/apis/cutover.dev/v1alpha1/rollouts?watch=true&timeoutSeconds=1", nil), 200),
                (("PUT", Self.rollouts + "/payment/status", #"{"apiVersion":"cutover.dev/v1alpha1","kind":"Rollout","metadata":{"name":"payment","resourceVersion":"1"}}"#), 404),
                // A promotion source in this cluster (spec.promotion.from): one GET each.
                (("GET", Self.rollouts + "/payment", nil), 404),
                (("GET", "/apis/cutover.dev/v1alpha1/namespaces/demo/releasegroups/shop", nil), 404),
                (("GET", "/apis/apps/v1/deployments?labelSelector=cutover.dev%2Frollout", nil), 200),
                (("GET", "/apis/apps/v1/namespaces/demo/deployments?watch=true&timeoutSeconds=1", nil), 200),
                (("POST", Self.deployments, Self.deployment), 201),
                (("PATCH", Self.deployments + "/web/scale", #"{"spec":{"replicas":2}}"#), 200),
                (("DELETE", Self.deployments + "/web", nil), 200),
                (("GET", "/api/v1/services", nil), 200),
                (("GET", "/api/v1/services?watch=true&timeoutSeconds=1", nil), 200),
                (("PATCH", "/api/v1/namespaces/demo/services/payment", #"{"spec":{"selector":{"cutover.dev/revision":"abc"}}}"#), 200),
                (("POST", "/api/v1/namespaces/demo/events", Self.event), 201),
                (("PATCH", "/api/v1/namespaces/demo/events/payment.1", #"{"count":2}"#), 200),
                (("GET", "/api/v1/namespaces/demo/secrets/prometheus-token", nil), 200),
                (("GET", "/apis/coordination.k8s.io/v1/namespaces/cutover-system/leases/cutover-controller", nil), 404),
                (("POST", "/apis/coordination.k8s.io/v1/namespaces/cutover-system/leases", Self.lease), 201),
                (("PUT", "/apis/coordination.k8s.io/v1/namespaces/cutover-system/leases/cutover-controller", Self.lease), 200),
                // Discovery and OpenAPI: the default system:discovery binding.
                (("GET", "/apis", nil), 200),
                (("GET", "/api/v1", nil), 200),
                (("GET", "/openapi/v3", nil), 200),
            ]
            for ((method, path, body), expected) in calls {
                let response = try await installed.client.send(method, path, body: body, contentType: Self.contentType(method, path), maxTime: 5)
                #expect(response.status == expected, "\(method) \(path): \(response.status) \(response.body.prefix(300))")
            }
        }
    }

    @Test("anything else gets 403 Forbidden with the real Status body")
    func everythingElseIsForbidden() async throws {
        let user = InstalledManifests.user
        try await InstalledManifests.with { installed in
            let denied: [(Call, String)] = [
                (("GET", "/api/v1/namespaces/demo/secrets", nil),
                 #"secrets is forbidden: User "\#(user)" cannot list resource "secrets" in API group "" in the namespace "demo""#),
                (("GET", "/api/v1/secrets?watch=true", nil),
                 #"secrets is forbidden: User "\#(user)" cannot watch resource "secrets" in API group "" at the cluster scope"#),
                (("DELETE", "/api/v1/namespaces/demo/secrets/prometheus-token", nil),
                 #"secrets "prometheus-token" is forbidden: User "\#(user)" cannot delete resource "secrets" in API group "" in the namespace "demo""#),
                (("DELETE", "/api/v1/namespaces/demo/services/payment", nil),
                 #"services "payment" is forbidden: User "\#(user)" cannot delete resource "services" in API group "" in the namespace "demo""#),
                (("GET", "/api/v1/configmaps", nil),
                 #"configmaps is forbidden: User "\#(user)" cannot list resource "configmaps" in API group "" at the cluster scope"#),
                (("PATCH", "/apis/batch/v1/namespaces/demo/jobs/migrate", #"{"spec":{}}"#),
                 #"jobs.batch "migrate" is forbidden: User "\#(user)" cannot patch resource "jobs" in API group "batch" in the namespace "demo""#),
                (("GET", "/api/v1/namespaces/demo/configmaps/settings", nil),
                 #"configmaps "settings" is forbidden: User "\#(user)" cannot get resource "configmaps" in API group "" in the namespace "demo""#),
                (("DELETE", Self.rollouts + "/payment", nil),
                 #"rollouts.cutover.dev "payment" is forbidden: User "\#(user)" cannot delete resource "rollouts" in API group "cutover.dev" in the namespace "demo""#),
                (("PATCH", Self.rollouts + "/payment", #"{"spec":{}}"#),
                 #"rollouts.cutover.dev "payment" is forbidden: User "\#(user)" cannot patch resource "rollouts" in API group "cutover.dev" in the namespace "demo""#),
                (("PUT", Self.deployments + "/web", Self.deployment),
                 #"deployments.apps "web" is forbidden: User "\#(user)" cannot update resource "deployments" in API group "apps" in the namespace "demo""#),
                (("PATCH", Self.deployments + "/web/status", #"{"status":{}}"#),
                 #"deployments.apps "web" is forbidden: User "\#(user)" cannot patch resource "deployments/status" in API group "apps" in the namespace "demo""#),
                (("GET", "/apis/coordination.k8s.io/v1/namespaces/cutover-system/leases/someone-else", nil),
                 #"leases.coordination.k8s.io "someone-else" is forbidden: User "\#(user)" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "cutover-system""#),
                (("GET", "/apis/coordination.k8s.io/v1/namespaces/demo/leases/cutover-controller", nil),
                 #"leases.coordination.k8s.io "cutover-controller" is forbidden: User "\#(user)" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "demo""#),
                (("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", #"{"metadata":{"name":"escalate"}}"#),
                 #"clusterrolebindings.rbac.authorization.k8s.io is forbidden: User "\#(user)" cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope"#),
            ]
            for ((method, path, body), message) in denied {
                let response = try await installed.client.send(method, path, body: body, contentType: Self.contentType(method, path), maxTime: 5)
                #expect(response.status == 403, "\(method) \(path): \(response.status) \(response.body.prefix(300))")
                #expect(response.json["message"]?.stringValue == message, "\(method) \(path)")
                #expect(response.json["reason"] == "Forbidden")
            }
            // The whole body, field for field, as a real API server writes it.
            let secret = try await installed.client.get("/api/v1/namespaces/demo/secrets")
            #expect(secret.json == [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                "message": .string(#"secrets is forbidden: User "\#(user)" cannot list resource "secrets" in API group "" in the namespace "demo""#),
                "reason": "Forbidden", "details": ["kind": "secrets"], "code": 403,
            ])
            // Nothing was deleted by the refused calls.
            let (status, _) = await installed.sim.request("GET", "/api/v1/namespaces/demo/services/payment")
            #expect(status == 200)
        }
    }

    @Test("kubectl as the controller: allowed reads work, a refused one prints the server's message")
    func kubectlAsTheServiceAccount() async throws {
        try await InstalledManifests.with { installed in
            let services = try await installed.controller("get", "services", "-n", "demo")
            #expect(services.status == 0, "\(services.stderr)")
            #expect(services.stdout.contains("payment"))
            let secrets = try await installed.controller("get", "secrets", "-n", "demo")
            #expect(secrets.status != 0)
            #expect(secrets.stderr.contains(
                #"Error from server (Forbidden): secrets is forbidden: User "\#(InstalledManifests.user)" cannot list resource "secrets" in API group "" in the namespace "demo""#),
                "\(secrets.stderr)")
            let configMaps = try await installed.controller("get", "configmaps", "-A")
            #expect(configMaps.stderr.contains("Error from server (Forbidden): configmaps is forbidden"), "\(configMaps.stderr)")
            // kubectl auth can-i (a SelfSubjectAccessReview) answers from the same rules.
            for (arguments, answer) in [
                (["get", "secrets", "-n", "demo"], "yes"), (["list", "secrets", "-n", "demo"], "no"),
                (["patch", "deployments", "--subresource=scale", "-n", "demo"], "yes"),
                (["update", "deployments", "-n", "demo"], "no"),
                (["update", "leases/cutover-controller", "-n", "cutover-system"], "yes"),
                (["update", "leases/cutover-controller", "-n", "demo"], "no"),
            ] {
                let canI = try await installed.controller.run(["auth", "can-i"] + arguments)
                #expect(canI.stdout == answer + "\n", "can-i \(arguments): \(canI.stdout)\(canI.stderr)")
            }
        }
    }

    static func contentType(_ method: String, _ path: String) -> String {
        guard method == "PATCH" else { return "application/json" }
        return "application/merge-patch+json"
    }
}
