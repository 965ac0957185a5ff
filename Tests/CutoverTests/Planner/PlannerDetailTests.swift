import Foundation
import KubeModels
import Testing

@testable import Cutover

/// The smaller promises of a plan: rendered queries, requeue times, conditions, resumption.
@Suite("Planner details")
struct PlannerDetailTests {
    @Test func measureActionsCarryRenderedQueriesForGreen() throws {
        var world = World.releasing(canarySpec)
        world.settle()
        let opening = world.step()
        #expect(!opening.actions.contains { if case .measure = $0 { true } else { false } }, "the first measurement waits one interval")
        #expect(opening.requeueAfter == 30)
        world.advance(30)
        let plan = world.step()
        let queries = try #require(plan.actions.compactMap { if case .measure(let q) = $0 { q } else { nil } }.first)
        #expect(queries == [
            MetricQuery(metric: "error-rate", revision: v2, address: "http://prometheus:9090", query: "sum(rate(errors{revision=\"\(v2)\"}[30s]))")
        ])
    }

    @Test func measurementsOfAnotherRevisionAreIgnored() {
        var world = World.inFirstStep(canarySpec)
        world.advance(30)
        world.measurements = [Measurement(metric: "error-rate", revision: v1, at: world.now, value: .value(9))]
        let plan = world.step()
        #expect(plan.status.phase == .canary)
        #expect(plan.status.analysis?.first?.history.isEmpty == true)
    }

    /// A measurement handed in again (the controller put it back after a status write whose
    /// outcome it could not know) is recorded once: same metric, revision and second.
    @Test(arguments: [
        (offset: 0.0, revision: "green", counted: false),
        (offset: 0.4, revision: "green", counted: false),
        (offset: 1.0, revision: "green", counted: true),
        (offset: 0.0, revision: "other", counted: false),
    ])
    func aMeasurementAlreadyRecordedIsSkipped(offset: Double, revision: String, counted: Bool) throws {
        var spec = canarySpec
        spec.analysis?.metrics = [Fixture.metric(failureLimit: 5)]
        var world = World.inFirstStep(spec)
        world.advance(30.2)
        let taken = world.now
        world.measurements = [Measurement(metric: "error-rate", revision: v2, at: taken, value: .value(0.2))]
        world.step()
        world.measurements = [
            Measurement(metric: "error-rate", revision: revision == "green" ? v2 : v1, at: taken.addingTimeInterval(offset), value: .value(0.2))
        ]
        let plan = world.step()
        let state = try #require(plan.status.analysis?.first)
        #expect(state.history.count == (counted ? 2 : 1))
        #expect(state.breaches == (counted ? 2 : 1))
    }

    @Test func historyIsBoundedAndNewestLast() throws {
        var world = World.inFirstStep(canarySpec)
        for index in 0..<15 {
            world.advance(1)
            world.measurements = [Measurement(metric: "error-rate", revision: v2, at: world.now, value: .value(Double(index) / 10_000))]
            world.step()
        }
        let history = try #require(world.status.analysis?.first?.history)
        #expect(history.count == MetricStatus.historyLimit)
        #expect(history.last?.value == 0.0014)
        #expect(history.first?.value == 0.0005)
    }

    @Test func aSteadyRolloutNeedsNoRequeue() {
        var world = World.healthy(plainSpec)
        let plan = world.step()
        #expect(plan.steps.isEmpty)
        #expect(plan.requeueAfter == nil)
        #expect(plan.status.message == "serving \(v1)")
    }

    @Test func aHoldWindowRequeuesAtItsEnd() {
        var spec = plainSpec
        spec.strategy = RolloutStrategy(holdWindow: "10m")
        var world = World.releasing(spec)
        world.settle()
        let plan = world.step()
        #expect(plan.status.phase == .holdWindow)
        #expect(plan.status.holdUntil == Timestamp(world.now.addingTimeInterval(600)))
        #expect(plan.requeueAfter == 600)
        #expect(world.deployment(v1)?.spec?.replicas == 3)
    }

    @Test func withoutAPreviewServiceNothingPatchesIt() {
        var world = World.releasing(Fixture.spec(replicas: 2, preview: nil))
        world.settle()
        let plan = world.step()
        #expect(plan.steps == [.patch("payment", v2), .scale(dep(v1), 0)])
    }

    @Test func aFixedSpecResumesThePhaseItWasIn() {
        var world = World.inFirstStep(canarySpec)
        world.rollout.spec.replicas = -1
        world.step()
        #expect(world.status.phase == .invalidSpec)
        world.rollout.spec.replicas = 4
        let plan = world.step()
        #expect(plan.status.phase == .canary)
        #expect(plan.status.suspendedPhase == nil)
        #expect(plan.condition("InvalidSpec")?.status == "False")
    }

    @Test func resumingContinuesWhereThePauseStopped() {
        var world = World.releasing(canarySpec)
        world.annotate(CutoverLabels.paused, "true")
        world.settle()
        world.step()
        #expect(world.status.phase == .progressing)
        world.annotate(CutoverLabels.paused, "false")
        let plan = world.step()
        #expect(plan.status.phase == .canary)
        #expect(plan.condition("Paused")?.status == "False")
    }

    @Test func conditionTimesChangeOnlyWithTheirStatus() throws {
        var world = World.healthy(plainSpec)
        let since = try #require(world.status.conditions?.first { $0.type == "Completed" }?.lastTransitionTime)
        world.advance(100)
        world.step()
        #expect(world.status.conditions?.first { $0.type == "Completed" }?.lastTransitionTime == since)
        world.setTemplate(image: "app:2")
        world.step()
        let completed = try #require(world.status.conditions?.first { $0.type == "Completed" })
        #expect(completed.status == "False")
        #expect(completed.lastTransitionTime == Timestamp(world.now))
        #expect(completed.observedGeneration == 2)
        #expect(world.status.observedGeneration == 2)
    }

    @Test func theScaleSubresourceFieldsFollowTheServingRevision() {
        var world = World.healthy(plainSpec)
        world.step()
        #expect(world.status.replicas == 3)
        #expect(world.status.selector == "app=payment")
    }

    @Test func anAbortDuringAFirstDeployIsAcknowledgedAndIgnored() {
        var world = World(plainSpec)
        world.step()
        world.annotate(CutoverLabels.abort, "1")
        let plan = world.step()
        #expect(plan.eventReasons.contains("ActionIgnored"))
        #expect(plan.status.acknowledgedActions?.abort == "1")
        #expect(plan.status.greenRevision == v1)
    }

    @Test func aWholeReleaseWithCanaryAndHoldEndsHealthy() {
        var world = World.inFirstStep(canarySpec)
        world.drive(to: .healthy, limit: 80)
        #expect(world.status.activeRevision == v2)
        #expect(world.activeKey == .some(v2))
        #expect(world.services["payment-preview"]?.spec?.selector?[CutoverLabels.revision] == v2)
        #expect(world.deployment(v1)?.spec?.replicas == 0)
        #expect(world.deployment(v2)?.spec?.replicas == 4)
    }

    @Test func theControllerHelpersNameWhatToRead() {
        let rollout = Fixture.rollout(canarySpec)
        #expect(rollout.deploymentSelector == "cutover.dev/rollout=payment")
        #expect(rollout.serviceNames == ["payment", "payment-preview"])
        let query = MetricQuery(metric: "m", revision: "g", address: "http://p", query: "q")
        #expect(query.measurement(at: Fixture.epoch, value: .noData, baseline: .value(1)) == Measurement(metric: "m", revision: "g", at: Fixture.epoch, value: .noData))
    }

    @Test func aDegradedFirstDeploySaysWhy() {
        var world = World(plainSpec)
        world.neverReady = [v1]
        world.step()
        world.settle()
        world.advance(301)
        let plan = world.step()
        #expect(plan.status.message == "first revision \(v1) not ready within 300s: 0/3 ready")
    }

    @Test func aRolloutBeingDeletedIsLeftToTheGarbageCollector() {
        var world = World.inFirstStep(canarySpec)
        world.rollout.metadata.deletionTimestamp = Timestamp(world.now)
        world.setTemplate(image: "app:3")
        let before = world.status
        let plan = world.step()
        #expect(plan.steps.isEmpty)
        #expect(plan.requeueAfter == nil)
        #expect(plan.status == before)
    }

    /// JSON has no infinities: a status holding one could never be written (the encoder refuses
    /// it), so a breach by +Inf would revert traffic and never record it. The number is left out;
    /// the message keeps it.
    @Test func anInfiniteBreachIsRecordedWithoutTheNumberAndTheStatusEncodes() throws {
        var world = World.inFirstStep(canarySpec)
        world.advance(30)
        world.measure(.value(.infinity))
        let plan = world.step()
        #expect(plan.status.phase == .rolledBack)
        #expect(plan.status.abort?.reason == "AnalysisBreach")
        #expect(plan.status.abort?.value == nil)
        #expect(plan.status.abort?.limit == 0.01)
        #expect(plan.status.abort?.message?.contains("+Inf") == true, "\(plan.status.abort?.message ?? "-")")
        _ = try JSONEncoder().encode(plan.status)
    }

    /// A breach of the old green that arrives with a template change must not roll the new
    /// release back: the new revision starts clean, and the old one ends superseded.
    @Test func aBreachArrivingWithATemplateChangeBelongsToTheSupersededGreen() {
        var world = World.inFirstStep(canarySpec)
        let oldGreen = world.status.greenRevision
        world.advance(30)
        world.measure(.value(0.2))
        world.setTemplate(image: "registry.example.com/payment:3")
        let plan = world.step()
        #expect(plan.status.greenRevision != oldGreen)
        #expect(plan.status.phase == .progressing)
        #expect(plan.status.abort == nil)
        #expect(plan.status.rolledBackRevision == nil)
        #expect(plan.outcome == .reverted(revision: oldGreen ?? "", reason: "Superseded"))
    }
}
