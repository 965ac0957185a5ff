import Foundation
import KubeModels
import Testing
@testable import KubeSim

/// `manifests/` as an operator uses it: `kubectl apply -k` (dry run and real) against the
/// simulator, and the promises the install makes about RBAC and the controller's Deployment.
@Suite("manifests/ install", .serialized, .timeLimit(.minutes(2)))
struct ManifestsTests {
    static let expectedObjects = [
        "namespace/cutover-system",
        "customresourcedefinition.apiextensions.k8s.io/rollouts.cutover.dev",
        "customresourcedefinition.apiextensions.k8s.io/releasegroups.cutover.dev",
        "serviceaccount/cutover-controller",
        "role.rbac.authorization.k8s.io/cutover-controller-leader-election",
        "clusterrole.rbac.authorization.k8s.io/cutover-controller",
        "clusterrole.rbac.authorization.k8s.io/cutover-controller-secret-reader",
        "rolebinding.rbac.authorization.k8s.io/cutover-controller-leader-election",
        "clusterrolebinding.rbac.authorization.k8s.io/cutover-controller",
        "clusterrolebinding.rbac.authorization.k8s.io/cutover-controller-secret-reader",
        "service/cutover-controller-metrics",
        "deployment.apps/cutover-controller",
    ]

    @Test("kubectl apply -k --dry-run=client, then a real apply, then an unchanged re-apply")
    func applyKustomization() async throws {
        try await withSim(tls: true) { sim, _ in
            let kubectl = try Kubectl(sim)
            let dryRun = try await kubectl("apply", "-k", InstalledManifests.manifests, "--dry-run=client")
            #expect(dryRun.status == 0, "\(dryRun.stderr)")
            let dryLines = Set(dryRun.stdout.split(separator: "\n").map(String.init))
            #expect(dryLines == Set(Self.expectedObjects.map { "\($0) created (dry run)" }), "\(dryRun.stdout)")
            #expect(await sim.request("GET", "/api/v1/namespaces/cutover-system").status == 404, "a dry run creates nothing")

            let applied = try await kubectl("apply", "-k", InstalledManifests.manifests)
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(Set(applied.stdout.split(separator: "\n").map(String.init)) == Set(Self.expectedObjects.map { "\($0) created" }))
            let again = try await kubectl("apply", "-k", InstalledManifests.manifests)
            #expect(Set(again.stdout.split(separator: "\n").map(String.init)) == Set(Self.expectedObjects.map { "\($0) unchanged" }),
                    "\(again.stdout)\(again.stderr)")
            let crd = await sim.request("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/rollouts.cutover.dev")
            #expect(crd.status == 200)
        }
    }

    @Test("the RBAC grants no wildcard, and secrets only `get`")
    func rbacHasNoWildcards() async throws {
        try await InstalledManifests.with { installed in
            var rules: [JSONValue] = []
            for path in [
                "/apis/rbac.authorization.k8s.io/v1/clusterroles/cutover-controller",
                "/apis/rbac.authorization.k8s.io/v1/clusterroles/cutover-controller-secret-reader",
                "/apis/rbac.authorization.k8s.io/v1/namespaces/cutover-system/roles/cutover-controller-leader-election",
            ] {
                let (status, role) = await installed.sim.request("GET", path)
                #expect(status == 200, "\(path)")
                rules += role["rules"]?.arrayValue ?? []
            }
            #expect(rules.count == 15)
            for rule in rules {
                for field in ["apiGroups", "resources", "verbs", "resourceNames"] {
                    let values = (rule[field]?.arrayValue ?? []).compactMap(\.stringValue)
                    #expect(!values.contains { $0.contains("*") }, "\(field) of \(rule)")
                }
                #expect(rule["nonResourceURLs"] == nil)
            }
            let secretRules = rules.filter { ($0["resources"]?.arrayValue ?? []).contains("secrets") }
            #expect(secretRules.map { $0["verbs"] } == [["get"]])
        }
    }

    @Test("the controller Deployment: 2 replicas, leader election, probes, limits, locked-down container")
    func controllerDeployment() async throws {
        try await InstalledManifests.with { installed in
            let (status, deployment) = await installed.sim.request(
                "GET", "/apis/apps/v1/namespaces/cutover-system/deployments/cutover-controller")
            try #require(status == 200)
            #expect(deployment.at("spec.replicas") == 2)
            let pod = try #require(deployment.at("spec.template.spec"))
            #expect(pod["serviceAccountName"] == "cutover-controller")
            #expect(pod.at("securityContext.runAsNonRoot") == true)
            #expect(pod.at("securityContext.seccompProfile.type") == "RuntimeDefault")
            let container = try #require(pod["containers"]?.arrayValue?.first)
            let args = (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(args.contains("--leader-elect=on"))
            #expect(args.contains("--health-address=0.0.0.0:8081"))
            #expect(container.at("livenessProbe.httpGet.path") == "/healthz")
            #expect(container.at("readinessProbe.httpGet.path") == "/readyz")
            #expect(container.at("livenessProbe.httpGet.port") == "health")
            let ports = (container["ports"]?.arrayValue ?? []).map { ($0["name"]?.stringValue ?? "", $0["containerPort"]?.intValue ?? 0) }
            #expect(ports.contains { $0 == ("metrics", 8080) } && ports.contains { $0 == ("health", 8081) }, "\(ports)")
            #expect(container.at("resources.requests.cpu") != nil && container.at("resources.limits.memory") != nil)
            #expect(container.at("securityContext.readOnlyRootFilesystem") == true)
            #expect(container.at("securityContext.allowPrivilegeEscalation") == false)
            #expect(container.at("securityContext.capabilities.drop") == ["ALL"])
            let (_, service) = await installed.sim.request("GET", "/api/v1/namespaces/cutover-system/services/cutover-controller-metrics")
            #expect(service.at("spec.ports")?.arrayValue?.first?["name"] == "metrics")
            #expect(service.at("spec.ports")?.arrayValue?.first?["port"] == 8080)
            #expect(service.at("spec.selector") == deployment.at("spec.selector.matchLabels"))
        }
    }
    @Test("manifests-sharded/: everything of manifests/, 3 replicas with --shards=3, and the shard Leases' RBAC without wildcards")
    func shardedVariant() async throws {
        try await withSim(tls: true) { sim, _ in
            let kubectl = try Kubectl(sim)
            let applied = try await kubectl("apply", "-k", InstalledManifests.root + "/manifests-sharded")
            #expect(applied.status == 0, "\(applied.stderr)")
            let shardObjects = [
                "clusterrole.rbac.authorization.k8s.io/cutover-controller-shards",
                "clusterrolebinding.rbac.authorization.k8s.io/cutover-controller-shards",
                "role.rbac.authorization.k8s.io/cutover-controller-shards",
                "rolebinding.rbac.authorization.k8s.io/cutover-controller-shards",
            ]
            #expect(Set(applied.stdout.split(separator: "\n").map(String.init)) == Set((Self.expectedObjects + shardObjects).map { "\($0) created" }))
            let (_, deployment) = await sim.request("GET", "/apis/apps/v1/namespaces/cutover-system/deployments/cutover-controller")
            #expect(deployment.at("spec.replicas") == 3)
            let args = (deployment.at("spec.template.spec")?["containers"]?.arrayValue?.first?["args"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(args.contains("--shards=3") && args.contains("--leader-elect=on"), "\(args)")
            let (_, role) = await sim.request("GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/cutover-system/roles/cutover-controller-shards")
            #expect(role["rules"] == [["apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["list", "get", "create", "update", "delete"]]])
            let (_, cluster) = await sim.request("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/cutover-controller-shards")
            #expect(cluster["rules"] == [
                ["apiGroups": ["cutover.dev"], "resources": ["rollouts"], "verbs": ["patch"]],
                ["apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["patch"]],
                ["apiGroups": [""], "resources": ["services"], "verbs": ["get"]],
            ])
        }
    }
}
