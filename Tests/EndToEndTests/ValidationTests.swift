import Cutover
import Foundation
import KubeModels
import Testing
@testable import ClusterHarness

extension EndToEnd {
    @Suite("Validation") struct ValidationTests {
        @Test("an invalid Rollout gets InvalidSpec naming the field, and nothing is created until it is fixed")
        func invalidRolloutTouchesNothing() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                // The schema accepts each weight; only the controller's validation sees the order.
                manifest.rawSteps = "[{weight: 50, pause: 1s}, {weight: 20, pause: 1s}]"
                try await cluster.apply(RolloutManifest.services(namespace: cluster.namespace), file: "services.yaml")
                try await cluster.release(manifest, until: "InvalidSpec") { $0.status?.phase == .invalidSpec }

                let condition = #"{.status.conditions[?(@.type=="InvalidSpec")]"#
                #expect(try await cluster.get("rollout/payment", jsonpath: condition + ".status}") == "True")
                let message = try await cluster.get("rollout/payment", jsonpath: condition + ".message}")
                #expect(message.contains("spec.strategy.canary.steps[1].weight"), "the condition names the field: \(message)")
                #expect(try await cluster.kubectl("get", "deployments", "-n", cluster.namespace, "-o", "name") == "")
                #expect(try await cluster.selectedRevision() == "")
                let untouched = cluster.monitor.model()
                #expect(untouched.timeline.creations.isEmpty, "no Deployment was ever created: \(untouched.timeline.creations)")
                #expect(untouched.pods.isEmpty)
                #expect(untouched.selectorHistory("payment") == [.wide], "the Service was never changed")

                // The same Rollout, fixed, is deployed: it was only the spec that held it.
                manifest.rawSteps = nil
                let healthy = try await cluster.release(manifest, until: "Healthy once fixed") { $0.status?.phase == .healthy }
                #expect(try await cluster.get("rollout/payment", jsonpath: condition + ".status}") == "False")
                #expect(try await cluster.selectedRevision() == healthy.status?.activeRevision)
            }
        }
    }
}
