import Cutover
import Foundation
import KubeModels
import Testing
@testable import ClusterHarness

extension EndToEnd {
    /// Two clusters, one controller each: production's Rollout names staging's as its promotion
    /// source through a kubeconfig Secret, as docs/promotion.md sets it up.
    @Suite("Environment promotion") struct PromotionTests {
        static let image = "registry.example.com/payment"

        @Test("production releases only what staging completed: held until then, refused after a staging rollback, held while staging is down")
        func stagingThenProduction() async throws {
            try await EndToEndCluster.run(.init(namespace: "staging")) { staging in
                try await EndToEndCluster.run(.init(namespace: "prod")) { production in
                    try await production.kubectl(
                        "create", "secret", "generic", "staging-cluster", "-n", "prod", "--from-file=kubeconfig=\(staging.sim.kubeconfig.path)")
                    var inStaging = staging.rolloutManifest()
                    var inProduction = production.rolloutManifest()
                    inProduction.promotion = "{from: [{namespace: staging, rollout: payment, kubeconfigSecret: {name: staging-cluster, key: kubeconfig}}], soak: 2s}"
                    let source = "staging/payment in staging-cluster"

                    // The first revision: staging, then production (a first revision is gated too).
                    _ = try await staging.deployFirst(inStaging)
                    let blue = try await production.deployFirst(inProduction)
                    #expect(try await production.get("rollout/payment", jsonpath: "{.status.history[0].promotion.reason}") == "Verified")

                    // 1.5.0 reaches production before staging: it waits, nothing created, blue untouched.
                    inProduction.image = "\(Self.image):1.5.0"
                    let waiting = try await production.release(inProduction, until: "AwaitingPromotion: not released in staging") {
                        $0.status?.phase == .awaitingPromotion && $0.status?.promotion?.reason == "NotReleased"
                    }
                    #expect(waiting.status?.promotion?.message == "\(source) has not released \(Self.image):1.5.0")
                    #expect(
                        try await production.get("rollout/payment", jsonpath: #"{.status.conditions[?(@.type=="PromotionAllowed")].reason}"#)
                            == "NotReleased")
                    #expect(try await production.deploymentNames() == ["payment-\(blue)"])
                    #expect(try await production.selectedRevision() == blue)

                    // The production controller dies while the template waits; its successor goes on.
                    let dead = try #require(production.controllerProcesses.last)
                    await dead.stop(signal: SIGKILL)
                    try await production.startController("controller-2")

                    // Staging releases 1.5.0: production follows with it, verified.
                    inStaging.image = "\(Self.image):1.5.0"
                    let stagingBlue = try await staging.get("rollout/payment", jsonpath: "{.status.activeRevision}")
                    try await staging.release(inStaging, until: "Healthy on 1.5.0 in staging") {
                        $0.status?.phase == .healthy && $0.status?.activeRevision != stagingBlue
                    }
                    let promoted = try await production.monitor.waitForRollout("payment", "Healthy on 1.5.0 in production", timeout: .seconds(90)) {
                        $0.status?.phase == .healthy && $0.status?.activeRevision != blue
                    }
                    let record = try #require(promoted.status?.history?.last)
                    #expect(record.images == ["app=\(Self.image):1.5.0"])
                    #expect(record.outcome == .promoted)
                    #expect(record.promotion?.reason == "Verified")
                    #expect(record.promotion?.sources?.first?.source == source)
                    let verifiedBy = try #require(record.promotion?.sources?.first?.revision)
                    #expect(try await staging.get("rollout/payment", jsonpath: "{.status.activeRevision}") == verifiedBy)
                    let serving = try #require(promoted.status?.activeRevision)

                    // 1.6.0 fails in staging and is rolled back there: production refuses it, saying why.
                    inStaging.image = "\(Self.image):1.6.0"
                    inStaging.podAnnotations["sim.cutover.dev/error-rate"] = "0.2"
                    try await staging.release(inStaging, until: "RolledBack in staging") { $0.status?.phase == .rolledBack }
                    inProduction.image = "\(Self.image):1.6.0"
                    let refused = try await production.release(inProduction, until: "AwaitingPromotion: rolled back in staging") {
                        $0.status?.phase == .awaitingPromotion && $0.status?.promotion?.reason == "RolledBack"
                    }
                    #expect(refused.status?.promotion?.message.hasPrefix("\(source) rolled back \(Self.image):1.6.0: ") == true)
                    let afterRefusal = try await production.deploymentNames()
                    #expect(afterRefusal.count == 2, "no Deployment for 1.6.0: \(afterRefusal)")

                    // The staging cluster goes down: 1.7.0 is held, never released on missing evidence.
                    await staging.sim.process.stop()
                    inProduction.image = "\(Self.image):1.7.0"
                    let held = try await production.release(inProduction, until: "AwaitingPromotion: staging unreachable") {
                        $0.status?.phase == .awaitingPromotion && $0.status?.promotion?.reason == "SourceUnreachable"
                    }
                    #expect(held.status?.promotion?.message.hasPrefix("\(source) is unreachable: ") == true)
                    #expect(try await production.selectedRevision() == serving)
                    #expect(try await production.deploymentNames().count == 2)
                }
            }
        }
    }
}

extension EndToEndCluster {
    /// The names of the Rollout's Deployments, read with kubectl, sorted.
    func deploymentNames(rollout: String = "payment") async throws -> [String] {
        let names = try await kubectl("get", "deployments", "-n", namespace, "-l", "cutover.dev/rollout=\(rollout)", "-o", "name")
        return names.split(separator: "\n").map { String($0.dropFirst("deployment.apps/".count)) }.sorted()
    }
}
