import Foundation
import KubeModels
import Testing
@testable import KubeSim

/// The installed kubectl against KubeSim where the issue-16 run against a real kube-apiserver
/// (v1.36) answered otherwise: what a user reads must be what a real cluster makes kubectl print.
@Suite("kubectl against KubeSim: real-server fidelity", .serialized)
struct KubectlFidelityTests {
    static let widget = KubectlTests.widgetYAML

    func withWidget(_ body: (KubeSim, Kubectl, TestClient) async throws -> Void) async throws {
        try await withSim(tls: true) { sim, client in
            let kubectl = try Kubectl(sim)
            #expect(try await kubectl("apply", "-f", Fixtures.widgetCRDPath).status == 0)
            let created = try await kubectl("apply", "-f", "-", input: Self.widget)
            #expect(created.stdout == "widget.test.kubesim.dev/w1 created\n", "\(created.stderr)")
            try await body(sim, kubectl, client)
        }
    }

    @Test("a bad name is refused with the real server's text")
    func badName() async throws {
        try await withWidget { _, kubectl, _ in
            let result = try await kubectl("apply", "-f", "-", input: Self.widget.replacingOccurrences(of: "name: w1", with: "name: C20-Bad-Name"))
            #expect(result.status != 0)
            #expect(result.stderr == "The Widget \"C20-Bad-Name\" is invalid: metadata.name: Invalid value: \"C20-Bad-Name\": \(NameValidationTests.subdomain)\n", "\(result.stderr)")
        }
    }

    @Test("kubectl diff (client- and server-side) of an unchanged object shows nothing and exits 0; a change exits 1")
    func diffUnchanged() async throws {
        try await withWidget { _, kubectl, _ in
            let same = try await kubectl("diff", "-f", "-", input: Self.widget)
            #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
            #expect(same.stdout.isEmpty, "\(same.stdout)")
            let sameServerSide = try await kubectl("diff", "--server-side", "-f", "-", input: Self.widget)
            #expect(sameServerSide.status == 0, "\(sameServerSide.stdout)\(sameServerSide.stderr)")
            #expect(sameServerSide.stdout.isEmpty, "\(sameServerSide.stdout)")
            let changed = try await kubectl("diff", "-f", "-", input: Self.widget.replacingOccurrences(of: "replicas: 2", with: "replicas: 3"))
            #expect(changed.status == 1, "\(changed.stderr)")
            #expect(changed.stdout.contains("-  replicas: 2\n+  replicas: 3\n"), "\(changed.stdout)")
            let changedLines = changed.stdout.split(separator: "\n").filter { ($0.hasPrefix("-") || $0.hasPrefix("+")) && !$0.hasPrefix("---") && !$0.hasPrefix("+++") }
            #expect(changedLines == ["-  generation: 1", "+  generation: 2", "-  replicas: 2", "+  replicas: 3"], "\(changed.stdout)")
        }
    }

    @Test("a failed JSON-patch test prints the real server's generic refusal")
    func failedJSONPatchTest() async throws {
        try await withWidget { _, kubectl, _ in
            let result = try await kubectl("patch", "widget", "w1", "--type", "json", "-p", #"[{"op":"test","path":"/spec/replicas","value":9}]"#)
            #expect(result.status != 0)
            #expect(result.stderr == "The request is invalid: the server rejected our request due to an error in our request\n", "\(result.stderr)")
        }
    }

    @Test("int32 overflow and a negative count list every cause, in the validators' order")
    func int32Overflow() async throws {
        try await withWidget { _, kubectl, _ in
            let negative = try await kubectl("apply", "-f", "-", input: Self.widget.replacingOccurrences(of: "replicas: 2", with: "replicas: -1"))
            #expect(negative.stderr == """
                The Widget "w1" is invalid: 
                * spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0
                * .spec.replicas: Invalid value: -1: should be a non-negative integer

                """, "\(negative.stderr)")
            let big = try await kubectl("apply", "-f", "-", input: Self.widget.replacingOccurrences(of: "replicas: 2", with: "replicas: 3000000000"))
            #expect(big.stderr == """
                The Widget "w1" is invalid: 
                * spec.replicas: Invalid value: 3000000000: spec.replicas in body should be less than or equal to 100
                * .spec.replicas: Invalid value: 3000000000: should be less than or equal to 2147483647

                """, "\(big.stderr)")
        }
    }

    @Test("Roles and ClusterRoles show CREATED AT; bindings show ROLE and AGE (wide: subjects)")
    func rbacColumns() async throws {
        try await withSim(tls: true) { sim, _ in
            let kubectl = try Kubectl(sim)
            let manifests = """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: reader}
                rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: readers, namespace: default}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
                subjects:
                - {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
                - {kind: ServiceAccount, name: bot, namespace: default}
                """
            let applied = try await kubectl("apply", "-f", "-", input: manifests)
            #expect(applied.status == 0, "\(applied.stderr)")
            let roles = try await kubectl("get", "clusterrole", "reader")
            let roleLines = roles.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(roleLines.first == ["NAME", "CREATED", "AT"], "\(roles.stdout)\(roles.stderr)")
            #expect(roleLines.dropFirst().first?.last.flatMap { Timestamp(rfc3339: $0) } != nil, "\(roles.stdout)")
            let bindings = try await kubectl("get", "rolebinding", "readers", "-o", "wide")
            let bindingLines = bindings.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(bindingLines.first == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"], "\(bindings.stdout)\(bindings.stderr)")
            #expect(bindingLines.dropFirst().first?.first == "readers")
            #expect(bindingLines.dropFirst().first?.dropFirst().first == "ClusterRole/reader")
            #expect(bindings.stdout.contains("alice"))
            #expect(bindings.stdout.contains("default/bot"))
        }
    }

    @Test("a server-side apply conflict prints the real layout and kubectl's advice")
    func applyConflict() async throws {
        try await withWidget { _, kubectl, _ in
            // kubectl apply (client-side) owns spec.replicas as kubectl-client-side-apply.
            let result = try await kubectl("apply", "--server-side", "-f", "-", input: Self.widget.replacingOccurrences(of: "replicas: 2", with: "replicas: 4"))
            #expect(result.status != 0)
            #expect(result.stderr.hasPrefix("error: Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using test.kubesim.dev/v1: .spec.replicas\nPlease review the fields above--they currently have other managers."), "\(result.stderr)")
        }
    }

    @Test("kubectl apply -f crds/ installs the CRDs alone, and kubectl explain prints their descriptions")
    func applyCRDFolderAndExplain() async throws {
        let path = try #require(Fixtures.rolloutCRDPath, "crds/rollouts.cutover.dev.yaml is missing")
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try await withSim(tls: true) { sim, _ in
            let kubectl = try Kubectl(sim)
            let applied = try await kubectl("apply", "-f", folder + "/")
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(
                applied.stdout == "customresourcedefinition.apiextensions.k8s.io/releasegroups.cutover.dev created\n"
                    + "customresourcedefinition.apiextensions.k8s.io/rollouts.cutover.dev created\n", "\(applied.stderr)")
            let waves = try await kubectl("explain", "crg.spec.waves")
            #expect(waves.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains("DESCRIPTION: The cutover order"), "\(waves.stdout)\(waves.stderr)")
            let explained = try await kubectl("explain", "rollout.spec.strategy.canary.steps.weight")
            #expect(explained.status == 0, "\(explained.stderr)")
            #expect(explained.stdout.contains("FIELD: weight <integer>"), "\(explained.stdout)")
            let words = explained.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(words.contains("DESCRIPTION: Percent of traffic to green at this step, 1-99, split by ready-pod ratio beside blue."), "\(explained.stdout)")
            let kind = try await kubectl("explain", "rollout")
            #expect(kind.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                .contains("DESCRIPTION: A Rollout releases one service blue/green"), "\(kind.stdout)")
            let spec = try await kubectl("explain", "rollout.spec")
            #expect(!spec.stdout.contains("<no description>"), "\(spec.stdout)")
            #expect(!spec.stdout.contains("<empty>"), "\(spec.stdout)")
        }
    }

    @Test("every field of Cutover's CRDs carries a description, so kubectl explain never says <empty>", arguments: ["rollouts", "releasegroups"])
    func everyFieldDescribed(_ plural: String) throws {
        let rollouts = try #require(Fixtures.rolloutCRDPath, "crds/rollouts.cutover.dev.yaml is missing")
        let path = rollouts.replacingOccurrences(of: "rollouts.cutover.dev.yaml", with: "\(plural).cutover.dev.yaml")
        let crd = try YAMLBridge.parse(String(contentsOfFile: path, encoding: .utf8))
        let schema = try #require(crd.at("spec.versions")?.arrayValue?.first?.at("schema.openAPIV3Schema"))
        var undescribed: [String] = schema["description"] == nil ? ["(the kind)"] : []
        func walk(_ node: JSONValue, _ path: String) {
            for (name, property) in node["properties"]?.objectValue ?? [:] {
                let child = path.isEmpty ? name : "\(path).\(name)"
                if property["description"]?.stringValue?.isEmpty != false { undescribed.append(child) }
                walk(property, child)
            }
            if let items = node["items"] { walk(items, path) }
        }
        walk(schema, "")
        #expect(undescribed.isEmpty, "\(undescribed.sorted())")
    }
}
