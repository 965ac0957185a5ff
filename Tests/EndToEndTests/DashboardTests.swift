import Cutover
import Foundation
import Testing
@testable import ClusterHarness

extension EndToEnd {
    /// `kubectl cutover dashboard` in a real headless browser (Tests/Browser/dashboard_scenarios.py
    /// drives chromium through selenium, the plugin and kubectl, as a user would), against this
    /// cluster; the controller is SIGKILLed while the page follows a release.
    @Suite("Dashboard") struct DashboardTests {
        @Test("overview across two namespaces, a release followed live across a controller kill, the connection lost and back, a breach in the chart; read-only")
        func followReleases() async throws {
            try await EndToEndCluster.run { cluster in
                var shop = cluster.rolloutManifest()
                shop.steps = [(20, "3s"), (50, "3s")]
                let blue = try await cluster.deployFirst(shop)
                var teamB = try await cluster.secondNamespace("team-b", like: shop)

                shop.image = "registry.example.com/payment:1.4.3"
                teamB.image = "registry.example.com/payment:1.5.0"
                teamB.podAnnotations["sim.cutover.dev/error-rate"] = "0.3"
                let good = try cluster.write(shop.yaml, to: "good.yaml")
                let bad = try cluster.write(teamB.yaml, to: "bad.yaml")
                var arguments = ["--good", good, "--bad", bad]
                if ProcessInfo.processInfo.environment["CUTOVER_DASHBOARD_DOCS"] != nil {
                    arguments += ["--docs", Binaries.repositoryRoot.appendingPathComponent("docs/images").path]
                }
                let browser = Task { try await cluster.browserScenario("follow", arguments) }
                // The page applies the release; once it is in its canary the controller dies.
                _ = try await cluster.monitor.waitForRollout("payment", "the release in Canary") {
                    $0.status?.phase == .canary && $0.status?.greenRevision != blue
                }
                try await cluster.killAndReplaceController()
                try await browser.value
            }
        }

        @Test("--allow-actions: promote from the release page across a controller kill; forged requests refused")
        func promoteFromThePage() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                manifest.steps = [(20, "1s")]
                manifest.approval = "Manual"
                try await cluster.deployFirst(manifest)
                manifest.image = "registry.example.com/payment:1.4.3"
                let release = try cluster.write(manifest.yaml, to: "release.yaml")
                let browser = Task { try await cluster.browserScenario("actions", ["--release", release]) }
                _ = try await cluster.monitor.waitForRollout("payment", "AwaitingApproval") { $0.status?.phase == .awaitingApproval }
                try await cluster.killAndReplaceController()
                try await browser.value
            }
        }

        @Test("--allow-actions: promote a release group from its overview row across a controller kill")
        func promoteAGroup() async throws {
            try await EndToEndCluster.run { cluster in
                var group = ReleaseGroupManifest()
                group.approval = "Manual"
                var members = cluster.memberManifests().filter { ["cart", "catalog"].contains($0.name) }
                _ = try await cluster.deployGroup(group, members: members)
                for index in members.indices { members[index].image = "registry.example.com/\(members[index].name):2.0.0" }
                let release = try cluster.write(members.map(\.yaml).joined(separator: "---\n"), to: "members-release.yaml")
                let browser = Task { try await cluster.browserScenario("group", ["--release", release, "--members", "cart,catalog"]) }
                try await cluster.monitor.waitForGroup("shop", "AwaitingApproval", timeout: .seconds(90)) { $0.status?.phase == .awaitingApproval }
                try await cluster.killAndReplaceController()
                try await browser.value
            }
        }

        @Test("a user who may read one namespace sees only it, and an action RBAC refuses shows the API's answer")
        func rbacDecidesWhatIsShown() async throws {
            try await EndToEndCluster.run { cluster in
                let shop = cluster.rolloutManifest()
                try await cluster.deployFirst(shop)
                _ = try await cluster.secondNamespace("team-b", like: shop)
                try await cluster.apply(Self.viewerRBAC, file: "viewer.yaml")
                let viewer = try await cluster.kubeconfig(serviceAccount: "viewer", namespace: "shop", file: "viewer.kubeconfig")
                try await cluster.browserScenario("rbac", [], kubeconfig: viewer.path)
            }
        }

        /// A service account that may read Rollouts, ReleaseGroups, Deployments and Services in
        /// `shop` only, and list namespaces.
        static let viewerRBAC = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: viewer, namespace: shop}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: viewer, namespace: shop}
            rules:
              - {apiGroups: [cutover.dev], resources: [rollouts, releasegroups], verbs: [get, list, watch]}
              - {apiGroups: [apps], resources: [deployments], verbs: [get, list, watch]}
              - {apiGroups: [""], resources: [services], verbs: [get, list, watch]}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: viewer, namespace: shop}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: viewer}
            subjects: [{kind: ServiceAccount, name: viewer, namespace: shop}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: namespace-lister}
            rules: [{apiGroups: [""], resources: [namespaces], verbs: [get, list, watch]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: viewer-namespaces}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: namespace-lister}
            subjects: [{kind: ServiceAccount, name: viewer, namespace: shop}]
            """
    }
}

extension EndToEndCluster {
    /// Creates `namespace` with the Services and a Healthy first revision of a Rollout like `manifest`; returns that Rollout's manifest.
    func secondNamespace(_ namespace: String, like manifest: RolloutManifest) async throws -> RolloutManifest {
        var other = manifest
        other.namespace = namespace
        try await kubectl("create", "namespace", namespace)
        try await apply(RolloutManifest.services(name: other.name, namespace: namespace), file: "services-\(namespace).yaml")
        try await apply(other.yaml, file: "rollout-\(namespace).yaml")
        try await kubectl(
            "wait", "-n", namespace, "rollout/\(other.name)", "--for=jsonpath={.status.phase}=Healthy", "--timeout=60s", timeout: .seconds(70))
        return other
    }

    /// Writes `text` into the test's directory; returns the path.
    func write(_ text: String, to file: String) throws -> String {
        let path = directory.appendingPathComponent(file)
        try text.write(to: path, atomically: true, encoding: .utf8)
        return path.path
    }

    /// Runs a scenario of Tests/Browser/dashboard_scenarios.py with `kubeconfig` (default: the
    /// admin's) and the built plugin on PATH; its log becomes the failure's message, and a
    /// screenshot of the page is left in `.build/dashboard-screenshots/`.
    func browserScenario(_ scenario: String, _ arguments: [String], kubeconfig: String? = nil) async throws {
        let script = Binaries.repositoryRoot.appendingPathComponent("Tests/Browser/dashboard_scenarios.py").path
        let screenshots = Binaries.repositoryRoot.appendingPathComponent(".build/dashboard-screenshots").path
        let log = directory.appendingPathComponent("browser-\(scenario).log")
        // Through a shell that sends python's output to a file: read from the runner's pipes
        // directly it came back empty.
        let shell = Kubectl(binary: "/bin/sh", kubeconfig: kubeconfig ?? sim.kubeconfig.path, scratch: directory)
        let result = try await shell.run(
            ["-c", "exec python3 \"$@\" > \"$0\" 2>&1", log.path, script, scenario, "--screenshots", screenshots] + arguments,
            allowFailure: true, timeout: .seconds(170))
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        print("---- browser scenario \(scenario) exited \(result.status) ----\n\(output)")
        #expect(result.status == 0, "browser scenario \(scenario) failed:\n\(output)")
    }
}
