import Foundation
import KubeModels
import Testing
@testable import KubeSim

/// How one RBAC rule matches a request: verbs, API groups, resources and subresources (incl.
/// `*/scale`), resourceNames, wildcards and nonResourceURLs, as the real authorizer's `RuleAllows`.
@Suite("RBAC: rule matching")
struct RBACRuleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var method: String
        var uri: String
        var allowed: Bool
        var testDescription: String { "\(method) \(uri) with \(rule) → \(allowed ? "allowed" : "denied")" }
    }

    static let cases: [Case] = [
        Case(rule: #"{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}"#, method: "GET", uri: "/api/v1/namespaces/a/secrets/s", allowed: true),
        Case(rule: #"{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}"#, method: "GET", uri: "/api/v1/namespaces/a/secrets", allowed: false),
        Case(rule: #"{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}"#, method: "GET", uri: "/api/v1/namespaces/a/secrets?watch=true", allowed: false),
        Case(rule: #"{"apiGroups":["apps"],"resources":["deployments"],"verbs":["list"]}"#, method: "GET", uri: "/apis/apps/v1/deployments", allowed: true),
        Case(rule: #"{"apiGroups":[""],"resources":["deployments"],"verbs":["list"]}"#, method: "GET", uri: "/apis/apps/v1/deployments", allowed: false),
        Case(rule: #"{"apiGroups":["*"],"resources":["deployments"],"verbs":["list"]}"#, method: "GET", uri: "/apis/apps/v1/deployments", allowed: true),
        Case(rule: #"{"apiGroups":["apps"],"resources":["deployments"],"verbs":["patch"]}"#, method: "PATCH", uri: "/apis/apps/v1/namespaces/a/deployments/d/scale", allowed: false),
        Case(rule: #"{"apiGroups":["apps"],"resources":["deployments/scale"],"verbs":["patch"]}"#, method: "PATCH", uri: "/apis/apps/v1/namespaces/a/deployments/d/scale", allowed: true),
        Case(rule: #"{"apiGroups":["apps"],"resources":["deployments/scale"],"verbs":["patch"]}"#, method: "PATCH", uri: "/apis/apps/v1/namespaces/a/deployments/d", allowed: false),
        Case(rule: #"{"apiGroups":["apps"],"resources":["*/scale"],"verbs":["patch"]}"#, method: "PATCH", uri: "/apis/apps/v1/namespaces/a/deployments/d/scale", allowed: true),
        Case(rule: #"{"apiGroups":["apps"],"resources":["*"],"verbs":["*"]}"#, method: "DELETE", uri: "/apis/apps/v1/namespaces/a/deployments/d", allowed: true),
        Case(rule: #"{"apiGroups":["apps"],"resources":["*"],"verbs":["*"]}"#, method: "PUT", uri: "/apis/apps/v1/namespaces/a/deployments/d/status", allowed: true),
        Case(rule: #"{"apiGroups":["cutover.dev"],"resources":["rollouts/status"],"verbs":["update"]}"#, method: "PUT", uri: "/apis/cutover.dev/v1alpha1/namespaces/a/rollouts/r/status", allowed: true),
        Case(rule: #"{"apiGroups":["cutover.dev"],"resources":["rollouts/status"],"verbs":["update"]}"#, method: "PATCH", uri: "/apis/cutover.dev/v1alpha1/namespaces/a/rollouts/r/status", allowed: false),
        Case(rule: #"{"apiGroups":["coordination.k8s.io"],"resources":["leases"],"resourceNames":["mine"],"verbs":["get","update"]}"#, method: "GET", uri: "/apis/coordination.k8s.io/v1/namespaces/a/leases/mine", allowed: true),
        Case(rule: #"{"apiGroups":["coordination.k8s.io"],"resources":["leases"],"resourceNames":["mine"],"verbs":["get","update"]}"#, method: "GET", uri: "/apis/coordination.k8s.io/v1/namespaces/a/leases/other", allowed: false),
        Case(rule: #"{"apiGroups":["coordination.k8s.io"],"resources":["leases"],"resourceNames":["mine"],"verbs":["create"]}"#, method: "POST", uri: "/apis/coordination.k8s.io/v1/namespaces/a/leases", allowed: false),
        Case(rule: #"{"apiGroups":[""],"resources":["pods"],"resourceNames":["p"],"verbs":["watch"]}"#, method: "GET", uri: "/api/v1/namespaces/a/pods?watch=true&fieldSelector=metadata.name%3Dp", allowed: true),
        Case(rule: #"{"apiGroups":[""],"resources":["namespaces"],"verbs":["delete"]}"#, method: "DELETE", uri: "/api/v1/namespaces/a", allowed: true),
        Case(rule: #"{"apiGroups":[""],"resources":["services"],"verbs":["deletecollection"]}"#, method: "DELETE", uri: "/api/v1/namespaces/a/services", allowed: true),
        Case(rule: #"{"apiGroups":[""],"resources":["services"],"verbs":["delete"]}"#, method: "DELETE", uri: "/api/v1/namespaces/a/services", allowed: false),
        Case(rule: #"{"nonResourceURLs":["/metrics"],"verbs":["get"]}"#, method: "GET", uri: "/metrics", allowed: true),
        Case(rule: #"{"nonResourceURLs":["/logs/*"],"verbs":["get"]}"#, method: "GET", uri: "/logs/kube.log", allowed: true),
        Case(rule: #"{"nonResourceURLs":["/logs/*"],"verbs":["get"]}"#, method: "GET", uri: "/debug", allowed: false),
        Case(rule: #"{"nonResourceURLs":["/metrics"],"verbs":["get"]}"#, method: "GET", uri: "/api/v1/pods", allowed: false),
    ]

    @Test(arguments: cases)
    func ruleMatches(_ testCase: Case) throws {
        let rule = try JSONParser.parse(Array(testCase.rule.utf8))
        let request = HTTPRequest(method: testCase.method, uri: testCase.uri, headers: [:], body: [])
        let attributes = RequestAttributes(request, APIPath(request.path))
        #expect(RBACAuthorizer.rule(rule, allows: attributes) == testCase.allowed)
    }

    @Test("bindings: ServiceAccount, User and Group subjects; a Role applies only in its namespace")
    func bindings() async throws {
        try await withSim(tls: true) { sim, _ in
            let reader: JSONValue = ["rules": [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["list"]]]]
            var role = reader
            role["metadata"] = ["name": "reader"]
            var clusterRole = reader
            clusterRole["metadata"] = ["name": "cm-reader"]
            for (path, body): (String, JSONValue) in [
                ("/api/v1/namespaces", ["metadata": ["name": "b"]]),
                ("/api/v1/namespaces/default/serviceaccounts", ["metadata": ["name": "one"]]),
                ("/api/v1/namespaces/b/serviceaccounts", ["metadata": ["name": "two"]]),
                ("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", role),
                ("/apis/rbac.authorization.k8s.io/v1/clusterroles", clusterRole),
                // A User subject naming the service account's user name, in default only.
                ("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", [
                    "metadata": ["name": "by-user"], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"],
                    "subjects": [["kind": "User", "name": "system:serviceaccount:default:one"]],
                ]),
                // Every service account of namespace b, through a ClusterRole bound in b only.
                ("/apis/rbac.authorization.k8s.io/v1/namespaces/b/rolebindings", [
                    "metadata": ["name": "by-group"], "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cm-reader"],
                    "subjects": [["kind": "Group", "name": "system:serviceaccounts:b"]],
                ]),
            ] {
                let (status, response) = await sim.request("POST", path, body: body)
                try #require(status == 201, "\(path): \(response)")
            }
            let one = try TestClient(sim, token: try await sim.createServiceAccountToken(namespace: "default", name: "one"))
            let two = try TestClient(sim, token: try await sim.createServiceAccountToken(namespace: "b", name: "two"))
            #expect(try await one.get("/api/v1/namespaces/default/configmaps").status == 200)
            #expect(try await one.get("/api/v1/namespaces/b/configmaps").status == 403)
            #expect(try await one.get("/api/v1/configmaps").status == 403)
            #expect(try await two.get("/api/v1/namespaces/b/configmaps").status == 200)
            #expect(try await two.get("/api/v1/namespaces/default/configmaps").status == 403)
            // The admin token is never subject to RBAC.
            #expect(try await TestClient(sim).get("/api/v1/configmaps").status == 200)
        }
    }
}
