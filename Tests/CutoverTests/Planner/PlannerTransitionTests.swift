import Foundation
import KubeModels
import Testing

@testable import Cutover

/// A transition of DESIGN.md §2: a world brought to some state, one plan, what must hold.
struct TransitionCase: Sendable, CustomTestStringConvertible {
    let name: String
    let given: @Sendable () -> World
    let then: @Sendable (World, ReleasePlan) -> Void
    var testDescription: String { name }
}

let canarySpec = Fixture.spec(
    replicas: 4, steps: [CanaryStep(weight: 20, pause: "2m"), CanaryStep(weight: 50, pause: "5m")], holdWindow: "10m",
    metrics: [Fixture.metric()])
let plainSpec = Fixture.spec(replicas: 3)

@Suite("Planner transitions")
struct PlannerTransitionTests {
    static let cases: [TransitionCase] = [
        .init(name: "first deploy creates the Deployment and waits", given: { World(plainSpec) }) { _, plan in
            #expect(plan.steps == [.create(dep(v1), 3)])
            #expect(plan.status.phase == .progressing)
            #expect(plan.status.greenRevision == v1)
            guard case .createDeployment(let created)? = plan.actions.first else { return }
            #expect(created.metadata.labels?[CutoverLabels.revision] == v1)
            #expect(created.spec?.selector.matchLabels == ["app": "payment", CutoverLabels.rollout: "payment", CutoverLabels.revision: v1])
            #expect(created.spec?.template.metadata?.labels?[CutoverLabels.revision] == v1)
            #expect(created.metadata.ownerReferences == [OwnerReference(apiVersion: "cutover.dev/v1alpha1", kind: "Rollout", name: "payment", uid: "uid-1", controller: true, blockOwnerDeletion: true)])
        },
        .init(name: "first deploy points the Service at it once ready", given: { var w = World(plainSpec); w.step(); w.settle(); return w }) { _, plan in
            #expect(plan.steps == [.patch("payment", v1), .patch("payment-preview", v1)])
            #expect(plan.status.phase == .healthy)
            #expect(plan.status.activeRevision == v1)
            #expect(plan.condition("Completed")?.status == "True")
            #expect(plan.condition("Available")?.status == "True")
        },
        .init(name: "first deploy never ready: Degraded, no traffic", given: {
            var w = World(plainSpec); w.neverReady = [v1]; w.step(); w.settle(); w.advance(301); return w
        }) { _, plan in
            #expect(plan.steps == [])
            #expect(plan.status.phase == .degraded)
            #expect(plan.condition("Progressing")?.reason == "ProgressDeadlineExceeded")
        },
        .init(name: "a new template creates green beside full-size blue", given: { var w = World.healthy(plainSpec); w.setTemplate(image: "app:2"); return w }) { w, plan in
            #expect(plan.steps == [.create(dep(v2), 3)])
            #expect(plan.status.phase == .progressing)
            #expect(plan.status.progressDeadline == Timestamp(w.now.addingTimeInterval(300)))
            #expect(plan.eventReasons.contains("ReleaseStarted"))
        },
        .init(name: "green ready: preview, cutover, blue down at once with holdWindow 0", given: {
            var w = World.releasing(plainSpec); w.settle(); return w
        }) { _, plan in
            #expect(plan.steps == [.patch("payment", v2), .patch("payment-preview", v2), .scale(dep(v1), 0)])
            #expect(plan.status.phase == .healthy)
            #expect(plan.status.activeRevision == v2)
        },
        .init(name: "cutover waits for the Deployment controller to observe the generation", given: {
            var w = World.releasing(plainSpec); w.settle(); w.deployments[dep(v2)]?.status?.observedGeneration = 0; return w
        }) { _, plan in
            #expect(plan.steps == [])
            #expect(plan.status.phase == .progressing)
        },
        .init(name: "green never ready: revert at the progress deadline", given: {
            var w = World.releasing(plainSpec); w.neverReady = [v2]; w.settle(); w.advance(300); return w
        }) { _, plan in
            #expect(plan.steps == [.scale(dep(v2), 0)])
            #expect(plan.status.phase == .rolledBack)
            #expect(plan.status.abort?.reason == "ProgressDeadlineExceeded")
            #expect(plan.status.rolledBackRevision == v2)
            #expect(plan.condition("RolledBack")?.status == "True")
        },
        .init(name: "green not ready before the deadline: requeue at the deadline", given: {
            var w = World.releasing(plainSpec); w.neverReady = [v2]; w.settle(); w.advance(100); return w
        }) { _, plan in
            #expect(plan.steps == [])
            #expect(plan.requeueAfter == 200)
        },
        .init(name: "canary: green at step size, selector widened, analysis one interval later", given: { var w = World.releasing(canarySpec); w.settle(); return w }) { _, plan in
            #expect(plan.steps == [.patch("payment", nil), .patch("payment-preview", v2)])
            #expect(plan.requeueAfter == 30)
            #expect(plan.status.phase == .canary)
            #expect(plan.status.weight == 20)
            #expect(plan.status.traffic == .split)
        },
        .init(name: "canary replicas are round(R·w/(100−w))", given: { World.releasing(canarySpec) }) { _, plan in
            #expect(plan.steps.isEmpty)
            #expect(Fixture.spec(replicas: 4).resolved().canaryReplicas(weight: 20) == 1)
            #expect(Fixture.spec(replicas: 4).resolved().canaryReplicas(weight: 50) == 4)
            #expect(Fixture.spec(replicas: 10).resolved().canaryReplicas(weight: 25) == 3)
            #expect(Fixture.spec(replicas: 1).resolved().canaryReplicas(weight: 1) == 1)
        },
        .init(name: "the selector does not widen while another revision has pods", given: {
            var w = World.releasing(canarySpec); w.settle()
            var old = w.deployments[dep(v1)]!
            old.metadata.name = dep("oldrev"); old.metadata.labels?[CutoverLabels.revision] = "oldrev"; old.spec?.replicas = 0
            w.deployments[dep("oldrev")] = old
            return w
        }) { _, plan in
            #expect(!plan.steps.contains(.patch("payment", nil)))
            #expect(plan.status.traffic == .blue)
        },
        .init(name: "a step waits out its pause, timed from status", given: { var w = World.inFirstStep(canarySpec); w.advance(60); w.measure(.value(0)); return w }) { _, plan in
            #expect(plan.status.currentStepIndex == 0)
            #expect(plan.requeueAfter == 30)
        },
        .init(name: "after the pause a passing measurement advances the step", given: {
            var w = World.inFirstStep(canarySpec); w.advance(120); w.measure(.value(0.001)); return w
        }) { _, plan in
            #expect(plan.status.currentStepIndex == 1)
            #expect(plan.steps.contains(.scale(dep(v2), 4)))
        },
        .init(name: "never promoted on missing data: no pass, no advance", given: {
            var w = World.inFirstStep(canarySpec); w.advance(600); w.measure(.noData); return w
        }) { _, plan in
            #expect(plan.status.currentStepIndex == 0)
            #expect(plan.status.phase == .canary)
            #expect(plan.steps == [])
            #expect(plan.requeueAfter == 30)
        },
        .init(name: "a breach reverts at once", given: { var w = World.inFirstStep(canarySpec); w.advance(30); w.measure(.value(0.2)); return w }) { _, plan in
            #expect(plan.steps == [.patch("payment", v1), .patch("payment-preview", v1), .scale(dep(v2), 0)])
            // Production traffic back on blue before the status records the revert; the rest after it.
            #expect(plan.actions.compactMap(Step.init) == [.patch("payment", v1)])
            #expect(plan.afterStatus.compactMap(Step.init) == [.patch("payment-preview", v1), .scale(dep(v2), 0)])
            #expect(plan.status.phase == .rolledBack)
            #expect(plan.status.abort == AbortStatus(reason: "AnalysisBreach", revision: v2, metric: "error-rate", value: 0.2, limit: 0.01, message: "error-rate 0.2 > max 0.01", at: plan.status.abort?.at))
            #expect(plan.status.message == "rolled back: error-rate 0.2 > max 0.01")
        },
        .init(name: "failureLimit tolerates breaches", given: {
            var spec = canarySpec; spec.analysis?.metrics = [Fixture.metric(failureLimit: 1)]
            var w = World.inFirstStep(spec); w.advance(30); w.measure(.value(0.2)); return w
        }) { _, plan in
            #expect(plan.status.phase == .canary)
            #expect(plan.status.analysis?.first?.breaches == 1)
        },
        .init(name: "errorLimit consecutive errors count as a breach", given: {
            var spec = canarySpec; spec.analysis?.metrics = [Fixture.metric(errorLimit: 2)]
            var w = World.inFirstStep(spec); w.advance(30); w.measure(.error("down")); w.step(); w.advance(30); w.measure(.error("down")); return w
        }) { _, plan in
            #expect(plan.status.phase == .rolledBack)
            #expect(plan.status.abort?.reason == "AnalysisError")
        },
        .init(name: "inconclusiveLimit stops the release for a human", given: {
            var spec = canarySpec; spec.analysis?.metrics = [Fixture.metric(inconclusiveLimit: 2)]
            var w = World.inFirstStep(spec); w.advance(30); w.measure(.noData); w.step(); w.advance(30); w.measure(.noData); return w
        }) { _, plan in
            #expect(plan.status.phase == .awaitingApproval)
            #expect(plan.status.approvalReason == "InconclusiveAnalysis: error-rate had 2 inconclusive results")
        },
        .init(name: "manual approval waits after the last step", given: {
            var spec = canarySpec; spec.strategy?.approval = "Manual"
            var w = World.inFirstStep(spec); w.drive(to: .awaitingApproval); w.advance(30); return w
        }) { _, plan in
            #expect(plan.status.phase == .awaitingApproval)
            #expect(plan.status.approvalReason == "ManualApproval")
            #expect(plan.status.traffic == .split)
        },
        .init(name: "promote after manual approval: cutover", given: {
            var spec = canarySpec; spec.strategy?.approval = "Manual"
            var w = World.inFirstStep(spec); w.drive(to: .awaitingApproval); w.annotate(CutoverLabels.promote, "1"); return w
        }) { _, plan in
            #expect(plan.status.phase == .holdWindow)
            #expect(plan.status.manualPromotion == "promote")
            #expect(plan.status.acknowledgedActions?.promote == "1")
            #expect(plan.steps.first == .patch("payment", v2))
        },
        .init(name: "hold window: blue stays at full size, analysis continues", given: {
            var w = World.inFirstStep(canarySpec); w.drive(to: .holdWindow); w.advance(30); return w
        }) { w, plan in
            #expect(plan.status.phase == .holdWindow)
            #expect(w.deployment(v1)?.spec?.replicas == 4)
            #expect(plan.steps == [.measure(["error-rate"])])
        },
        .init(name: "a breach in the hold window reverts instantly to blue", given: {
            var w = World.inFirstStep(canarySpec); w.drive(to: .holdWindow); w.advance(30); w.measure(.value(0.5)); return w
        }) { _, plan in
            #expect(plan.steps == [.patch("payment", v1), .patch("payment-preview", v1), .scale(dep(v2), 0)])
            #expect(plan.status.phase == .rolledBack)
        },
        .init(name: "the hold window ends only with a passing measurement in it", given: {
            var w = World.inFirstStep(canarySpec); w.drive(to: .holdWindow); w.advance(601); w.measure(.noData); return w
        }) { _, plan in
            #expect(plan.status.phase == .holdWindow)
        },
        .init(name: "the hold window ends: blue to 0, green is active", given: {
            var w = World.inFirstStep(canarySpec); w.drive(to: .holdWindow); w.advance(601); w.measure(.value(0)); return w
        }) { _, plan in
            #expect(plan.steps == [.scale(dep(v1), 0)])
            #expect(plan.status.phase == .healthy)
            #expect(plan.status.activeRevision == v2)
            #expect(plan.condition("Completed")?.status == "True")
        },
        .init(name: "abort reverts", given: { var w = World.inFirstStep(canarySpec); w.annotate(CutoverLabels.abort, "x"); return w }) { _, plan in
            #expect(plan.steps == [.patch("payment", v1), .patch("payment-preview", v1), .scale(dep(v2), 0)])
            #expect(plan.status.abort?.reason == "Aborted")
            #expect(plan.status.acknowledgedActions?.abort == "x")
        },
        .init(name: "template set back to blue: fast rollback, Healthy, no analysis", given: {
            var w = World.inFirstStep(canarySpec); w.setTemplate(image: "app:1"); return w
        }) { _, plan in
            #expect(plan.steps == [.patch("payment", v1), .patch("payment-preview", v1), .scale(dep(v2), 0)])
            #expect(plan.status.phase == .healthy)
            #expect(plan.status.rolledBackRevision == nil)
        },
        .init(name: "a new template mid-release supersedes green", given: { var w = World.inFirstStep(canarySpec); w.setTemplate(image: "app:3"); return w }) { _, plan in
            #expect(plan.steps == [.patch("payment", v1), .create(dep(v3), 1), .patch("payment-preview", v1), .scale(dep(v2), 0)])
            #expect(plan.status.greenRevision == v3)
            #expect(plan.status.phase == .progressing)
        },
        .init(name: "replicas changed mid-release resize blue and green", given: {
            var w = World.inFirstStep(canarySpec); w.rollout.spec.replicas = 8; return w
        }) { _, plan in
            #expect(plan.steps.contains(.scale(dep(v1), 8)))
            #expect(plan.steps.contains(.scale(dep(v2), 2)))
        },
        .init(name: "green deleted mid-canary is recreated", given: { var w = World.inFirstStep(canarySpec); w.deployments[dep(v2)] = nil; return w }) { _, plan in
            #expect(plan.steps.contains(.create(dep(v2), 1)))
            #expect(plan.status.phase == .canary)
        },
        .init(name: "green deleted while serving reverts", given: {
            var w = World.inFirstStep(canarySpec); w.drive(to: .holdWindow); w.deployments[dep(v2)] = nil; return w
        }) { _, plan in
            #expect(plan.steps.first == .patch("payment", v1))
            #expect(plan.status.abort?.reason == "GreenDeploymentDeleted")
        },
        .init(name: "blue deleted mid-release: green continues as a first deploy", given: {
            var w = World.releasing(plainSpec); w.deployments[dep(v1)] = nil; return w
        }) { _, plan in
            #expect(plan.status.activeRevision == nil)
            #expect(plan.status.greenRevision == v2)
            #expect(plan.eventReasons.contains("BlueDeploymentDeleted"))
        },
        .init(name: "the active Deployment deleted while Healthy is recreated", given: { var w = World.healthy(plainSpec); w.deployments[dep(v1)] = nil; return w }) { _, plan in
            #expect(plan.steps == [.create(dep(v1), 3)])
            #expect(plan.status.phase == .healthy)
        },
        .init(name: "a Service selector changed by someone is set back", given: {
            var w = World.healthy(plainSpec); w.services["payment"]?.spec?.selector?[CutoverLabels.revision] = "other"; return w
        }) { _, plan in
            #expect(plan.steps == [.patch("payment", v1)])
        },
        .init(name: "the active Service missing: condition, no action", given: {
            var w = World.healthy(plainSpec); w.services["payment"] = nil; w.setTemplate(image: "app:2"); return w
        }) { _, plan in
            #expect(plan.steps.isEmpty)
            #expect(plan.condition("Available")?.reason == "ActiveServiceNotFound")
            #expect(plan.status.message == "active Service payment not found")
        },
        .init(name: "an active Service selecting labels the pods lack: condition, no action", given: {
            var w = World.healthy(plainSpec); w.services["payment"]?.spec?.selector?["tier"] = "web"; w.setTemplate(image: "app:2"); return w
        }) { _, plan in
            #expect(plan.steps.isEmpty)
            #expect(plan.condition("Available")?.reason == "ServiceSelectorMismatch")
            #expect(plan.status.message == "Service payment selects tier=web, which the pod template's labels do not have")
        },
        .init(name: "revisionHistoryLimit deletes the oldest scaled-down revisions", given: {
            var spec = plainSpec; spec.revisionHistoryLimit = 1
            var w = World.healthy(spec)
            for image in ["app:2", "app:3", "app:4"] { w.setTemplate(image: image); w.converge() }
            return w
        }) { w, _ in
            #expect(Set(w.deployments.keys) == [dep(Fixture.hash("app:4")), dep(v3)])
        },
        .init(name: "a rolled-back template is not retried", given: {
            var w = World.inFirstStep(canarySpec); w.annotate(CutoverLabels.abort, "x"); w.converge(); return w
        }) { _, plan in
            #expect(plan.steps == [])
            #expect(plan.status.phase == .rolledBack)
        },
        .init(name: "retry releases a rolled-back template again", given: {
            var w = World.inFirstStep(canarySpec); w.annotate(CutoverLabels.abort, "x"); w.converge(); w.annotate(CutoverLabels.retry, "1"); return w
        }) { _, plan in
            #expect(plan.steps == [.scale(dep(v2), 1)])
            #expect(plan.status.phase == .progressing)
            #expect(plan.status.rolledBackRevision == nil)
        },
        .init(name: "a stale promote never promotes a later release", given: {
            var spec = plainSpec; spec.strategy = RolloutStrategy(approval: "Manual")
            var w = World.healthy(spec); w.annotate(CutoverLabels.promote, "1"); w.converge()
            w.setTemplate(image: "app:2"); w.converge(); return w
        }) { _, plan in
            #expect(plan.status.phase == .awaitingApproval)
        },
        .init(name: "paused: no forward progress, deadline disarmed", given: {
            var w = World.releasing(canarySpec); w.annotate(CutoverLabels.paused, "true"); w.settle(); return w
        }) { _, plan in
            #expect(plan.status.phase == .progressing)
            #expect(plan.condition("Paused")?.status == "True")
            #expect(plan.status.progressDeadline == nil)
        },
        .init(name: "promote-full skips the steps and the analysis", given: {
            var w = World.inFirstStep(canarySpec); w.annotate(CutoverLabels.promoteFull, "1"); w.step(); w.settle(); return w
        }) { _, plan in
            #expect(plan.status.phase == .holdWindow)
            #expect(!plan.steps.contains(.measure(["error-rate"])))
        },
        .init(name: "after a collision the unchanged active template keeps its revision", given: {
            var w = World.healthy(plainSpec); var status = w.status; status.collisionCount = 1; w.rollout.status = status; return w
        }) { _, plan in
            #expect(plan.steps == [])
            #expect(plan.status.phase == .healthy)
            #expect(plan.status.activeRevision == v1)
        },
        .init(name: "a deleted preview Service is left alone", given: {
            var w = World.releasing(canarySpec); w.services["payment-preview"] = nil; w.settle(); return w
        }) { _, plan in
            #expect(plan.steps == [.patch("payment", nil)])
            #expect(plan.status.phase == .canary)
        },
        .init(name: "promote in the hold window does not end it", given: {
            var w = World.inFirstStep(canarySpec); w.drive(to: .holdWindow); w.annotate(CutoverLabels.promote, "late"); return w
        }) { _, plan in
            #expect(plan.status.phase == .holdWindow)
            #expect(plan.eventReasons.contains("ActionIgnored"))
        },
        .init(name: "promote-full ends the hold window now", given: {
            var w = World.inFirstStep(canarySpec); w.drive(to: .holdWindow); w.annotate(CutoverLabels.promoteFull, "now"); return w
        }) { _, plan in
            #expect(plan.steps == [.scale(dep(v1), 0)])
            #expect(plan.status.phase == .healthy)
            #expect(plan.status.activeRevision == v2)
        },
        .init(name: "inconclusive in the hold window waits for a human, promote resumes the hold", given: {
            var spec = canarySpec; spec.analysis?.metrics = [Fixture.metric(inconclusiveLimit: 1)]
            var w = World.inFirstStep(spec); w.drive(to: .holdWindow); w.advance(30); w.measure(.noData); w.step()
            w.annotate(CutoverLabels.promote, "ok"); return w
        }) { w, plan in
            #expect(plan.status.phase == .holdWindow)
            #expect(plan.status.analysis?.first?.consecutiveInconclusive == 0)
            #expect(w.activeKey == .some(v2))
        },
        .init(name: "a promote during a step skips the remaining steps", given: {
            var w = World.inFirstStep(canarySpec); w.annotate(CutoverLabels.promote, "go"); return w
        }) { _, plan in
            #expect(plan.status.phase == .promoting)
            #expect(plan.status.manualPromotion == "promote")
            #expect(plan.steps == [.scale(dep(v2), 4)])
        },
        .init(name: "a hash collision bumps collisionCount and picks a new name", given: {
            var w = World.healthy(plainSpec)
            var impostor = w.deployment(v1)!
            impostor.metadata.name = dep(v2); impostor.metadata.labels?[CutoverLabels.revision] = v2
            impostor.metadata.annotations?[CutoverLabels.templateFingerprint] = "0000000000000000"; impostor.spec?.replicas = 0
            w.deployments[dep(v2)] = impostor
            w.setTemplate(image: "app:2"); return w
        }) { _, plan in
            let bumped = TemplateHash.of(Fixture.template(image: "app:2"), collisionCount: 1)
            #expect(plan.status.collisionCount == 1)
            #expect(plan.status.greenRevision == bumped)
            #expect(plan.steps == [.create(dep(bumped), 3)])
        },
    ]

    @Test(arguments: cases)
    func transition(_ testCase: TransitionCase) {
        var world = testCase.given()
        let plan = world.step()
        testCase.then(world, plan)
    }
}
