import Foundation
import KubeModels
import Testing
@testable import KubeSim

/// The TokenRequest API (`kubectl create token`) and how the server authenticates its tokens.
@Suite("RBAC: TokenRequest and service-account authentication", .serialized, .timeLimit(.minutes(2)))
struct RBACTokenRequestTests {
    @Test("kubectl create token returns a JWT the server accepts as the service account")
    func createToken() async throws {
        try await withSim(tls: true) { sim, admin in
            let kubectl = try Kubectl(sim)
            let created = try await kubectl("create", "serviceaccount", "robot", "-n", "default")
            #expect(created.status == 0, "\(created.stderr)")
            let minted = try await kubectl("create", "token", "robot", "-n", "default", "--duration", "20m")
            #expect(minted.status == 0, "\(minted.stderr)")
            let token = minted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let parts = token.split(separator: ".")
            try #require(parts.count == 3, "not a JWT: \(token)")
            let payload = try JSONParser.parse(try #require(ServiceAccountTokens.decodeBase64URL(String(parts[1]))))
            #expect(payload["sub"] == "system:serviceaccount:default:robot")
            #expect(payload[path: ["kubernetes.io", "serviceaccount", "name"]] == "robot")
            let lifetime = (payload["exp"]?.intValue ?? 0) - (payload["iat"]?.intValue ?? 0)
            #expect(lifetime == 1200)

            // Authenticated, but granted nothing yet: discovery works, resources are forbidden.
            let robot = try TestClient(sim, token: token)
            #expect(try await robot.get("/api/v1").status == 200)
            let denied = try await robot.get("/api/v1/namespaces/default/configmaps")
            #expect(denied.status == 403)
            #expect(denied.json["message"] == #"configmaps is forbidden: User "system:serviceaccount:default:robot" cannot list resource "configmaps" in API group "" in the namespace "default""#)

            // A token for a missing ServiceAccount is refused; too short a lifetime is invalid.
            let missing = try await admin.post("/api/v1/namespaces/default/serviceaccounts/nobody/token", ["spec": [:]])
            #expect(missing.status == 404)
            #expect(missing.json["message"] == #"serviceaccounts "nobody" not found"#)
            let short = try await admin.post(
                "/api/v1/namespaces/default/serviceaccounts/robot/token", ["spec": ["expirationSeconds": 60]])
            #expect(short.status == 422, "\(short.body)")

            // Deleting the ServiceAccount revokes its tokens; a tampered token never worked.
            let forged = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BB" : "AA")
            #expect(try await TestClient(sim, token: forged).get("/api/v1/namespaces/default/configmaps").status == 401)
            #expect(try await admin.delete("/api/v1/namespaces/default/serviceaccounts/robot").status == 200)
            let revoked = try await robot.get("/api/v1/namespaces/default/configmaps")
            #expect(revoked.status == 401)
            #expect(revoked.json["reason"] == "Unauthorized")
        }
    }

    @Test("discovery lists serviceaccounts/token and serves the four RBAC kinds to kubectl")
    func discovery() async throws {
        try await withSim(tls: true) { sim, client in
            let legacy = try await client.get("/api/v1")
            let tokenResource = legacy.json["resources"]?.arrayValue?.first { $0["name"] == "serviceaccounts/token" }
            #expect(tokenResource?["kind"] == "TokenRequest")
            #expect(tokenResource?["group"] == "authentication.k8s.io")
            #expect(tokenResource?["verbs"] == ["create"])
            let kubectl = try Kubectl(sim)
            let resources = try await kubectl("api-resources", "--api-group=rbac.authorization.k8s.io", "-o", "name")
            #expect(
                Set(resources.stdout.split(separator: "\n").map(String.init))
                    == ["clusterrolebindings.rbac.authorization.k8s.io", "clusterroles.rbac.authorization.k8s.io",
                        "rolebindings.rbac.authorization.k8s.io", "roles.rbac.authorization.k8s.io"],
                "\(resources.stdout)\(resources.stderr)")
            let role = try await kubectl("create", "role", "reader", "--verb=get,list", "--resource=configmaps", "-n", "default")
            #expect(role.status == 0, "\(role.stderr)")
            let binding = try await kubectl(
                "create", "rolebinding", "reader", "--role=reader", "--serviceaccount=default:default", "-n", "default")
            #expect(binding.status == 0, "\(binding.stderr)")
            let token = try await sim.createServiceAccountToken(namespace: "default", name: "default")
            let reader = try TestClient(sim, token: token)
            #expect(try await reader.get("/api/v1/namespaces/default/configmaps").status == 200)
            #expect(try await reader.get("/api/v1/namespaces/kube-system/configmaps").status == 403)
            #expect(try await reader.get("/api/v1/namespaces/default/secrets").status == 403)
        }
    }
}
