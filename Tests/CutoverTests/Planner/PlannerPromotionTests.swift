import Foundation
import KubeModels
import Testing

@testable import Cutover

/// `spec.promotion`: a template waits at the gate, with nothing created, until its sources vouch
/// for it; what the gate decided goes in status, the condition and the release record.
@Suite("Planner: promotion gate")
struct PlannerPromotionTests {
    static let staging = PromotionSource(namespace: "staging", rollout: "payment")
    static let promotion = PromotionSpec(from: [staging], soak: "30m")

    static func spec() -> RolloutSpec {
        var spec = Fixture.spec(steps: [CanaryStep(weight: 25)], metrics: [Fixture.metric()])
        spec.promotion = promotion
        return spec
    }

    /// Healthy at app:1 (released before the gate was configured), then app:2 applied.
    static func waitingForApp2() -> World {
        var spec = spec()
        spec.promotion = nil
        var world = World.healthy(spec)
        world.rollout.spec.promotion = promotion
        world.setTemplate(image: "app:2")
        return world
    }

    /// What staging holds: app:2 released (promoted) `minutesAgo` minutes ago and serving, or `outcome`.
    static func staged(_ image: String = "app:2", outcome: ReleaseRecord.Outcome? = .promoted, minutesAgo: Double, at now: Date) -> SourceEvidence.Found {
        let ended = Timestamp(now.addingTimeInterval(-minutesAgo * 60))
        var record = ReleaseRecord(revision: "stg-\(image)", images: ["app=\(image)"], startedAt: Timestamp(ended.date.addingTimeInterval(-120)))
        record.outcome = outcome
        record.endedAt = outcome == nil ? nil : ended
        record.message = outcome == .rolledBack ? "error-rate 0.2 > 0.01" : nil
        let serving = outcome == .promoted ? record.revision : "stg-old"
        return .rollout(SourceReleases(history: [record], serving: serving))
    }

    static func evidence(_ revision: String, _ found: SourceEvidence.Found) -> PromotionEvidence {
        PromotionEvidence(revision: revision, sources: [SourceEvidence(source: staging, found: found)])
    }

    @Test func aNewTemplateWaitsAtTheGateWithNothingCreatedAndTheSourcesAreRead() throws {
        var world = Self.waitingForApp2()
        let plan = world.step()
        #expect(plan.steps == [.checkPromotion(v2)])
        #expect(world.status.phase == .awaitingPromotion)
        #expect(world.status.greenRevision == nil)
        #expect(world.status.activeRevision == v1)
        #expect(world.deployment(v2) == nil)
        #expect(plan.eventReasons == ["AwaitingPromotion"])
        #expect(plan.requeueAfter == 10)
        let condition = try #require(plan.condition("PromotionAllowed"))
        #expect(condition.status == "False")
        #expect(condition.reason == "Checking")
        #expect(world.status.message == "\(v2) awaits promotion: reading the promotion sources")
        // Until a reading arrives, a plan asks again (the controller runs one check per Rollout at a time).
        #expect(world.step().steps == [.checkPromotion(v2)])
        #expect(world.activeKey == .some(v1))
    }

    struct BlockedCase: CustomTestStringConvertible, Sendable {
        var name: String
        var found: @Sendable (Date) -> SourceEvidence.Found
        var reason: String
        var message: String
        var testDescription: String { name }
    }

    static let blocked: [BlockedCase] = [
        .init(name: "not released", found: { staged("app:1", minutesAgo: 60, at: $0) }, reason: "NotReleased",
              message: "staging/payment has not released app:2"),
        .init(name: "rolled back", found: { staged(outcome: .rolledBack, minutesAgo: 5, at: $0) }, reason: "RolledBack",
              message: "staging/payment rolled back app:2: error-rate 0.2 > 0.01"),
        .init(name: "still releasing", found: { staged(outcome: nil, minutesAgo: 0, at: $0) }, reason: "Releasing",
              message: "staging/payment is still releasing app:2"),
        .init(name: "soaking", found: { staged(minutesAgo: 12, at: $0) }, reason: "Soaking", message: "staging/payment soaked 12m of 30m"),
        .init(name: "unreachable", found: { _ in .unreachable("connect to 10.0.0.9:6443: connection refused") }, reason: "SourceUnreachable",
              message: "staging/payment is unreachable: connect to 10.0.0.9:6443: connection refused"),
        .init(name: "not found", found: { _ in .notFound }, reason: "SourceNotFound", message: "staging/payment does not exist"),
    ]

    @Test(arguments: blocked)
    func aSourceThatDoesNotVouchHoldsTheRelease(_ test: BlockedCase) throws {
        var world = Self.waitingForApp2()
        world.step()
        world.advance(2)
        world.promotion = Self.evidence(v2, test.found(world.now))
        let plan = world.step()
        #expect(world.status.phase == .awaitingPromotion)
        #expect(world.deployment(v2) == nil)
        #expect(plan.steps.isEmpty, "no new check until the reading is \(PlanBuilder.promotionRecheckSeconds)s old")
        #expect(plan.requeueAfter == 10)
        let judged = try #require(world.status.promotion)
        #expect(!judged.allowed)
        #expect(judged.reason == test.reason)
        #expect(judged.message == test.message)
        #expect(judged.checkedAt == Timestamp(world.now))
        let condition = try #require(plan.condition("PromotionAllowed"))
        #expect(condition.status == "False")
        #expect(condition.reason == test.reason)
        #expect(condition.message == test.message)
        #expect(world.status.message == "\(v2) awaits promotion: \(test.message)")
        #expect(!plan.eventReasons.contains("AwaitingPromotion"), "said once, when the wait began")
        // Read again once the reading is 10 s old.
        world.advance(10)
        #expect(world.step().steps == [.checkPromotion(v2)])
    }

    @Test func verifiedSourcesStartTheReleaseAndTheRecordSaysWhere() throws {
        var world = Self.waitingForApp2()
        world.step()
        world.promotion = Self.evidence(v2, Self.staged(minutesAgo: 45, at: world.now))
        let plan = world.step()
        #expect(plan.steps.contains(.create(dep(v2), 1)))
        #expect(!plan.steps.contains(.checkPromotion(v2)))
        #expect(world.status.phase == .progressing)
        #expect(world.status.greenRevision == v2)
        let condition = try #require(plan.condition("PromotionAllowed"))
        #expect(condition.status == "True")
        #expect(condition.reason == "Verified")
        let record = try #require(world.status.history?.last)
        #expect(record.revision == v2)
        let verified = try #require(record.promotion)
        #expect(verified.allowed)
        #expect(verified.message == "verified in staging/payment")
        #expect(verified.sources?.first?.revision == "stg-app:2")
        #expect(verified.sources?.first?.completedAt == Timestamp(world.now.addingTimeInterval(-45 * 60)))
        // The release goes on without reading the sources again, to the end.
        world.settle()
        world.drive(to: .healthy, limit: 60)
        #expect(world.status.activeRevision == v2)
        #expect(world.status.history?.last?.promotion?.reason == "Verified")
    }

    @Test func aSoakingSourceLetsTheReleaseThroughOnceItSoaked() {
        var world = Self.waitingForApp2()
        world.step()
        world.promotion = Self.evidence(v2, Self.staged(minutesAgo: 29, at: world.now))
        world.step()
        #expect(world.status.promotion?.reason == "Soaking")
        world.advance(60)
        #expect(world.step().steps == [.checkPromotion(v2)])
        world.promotion = Self.evidence(v2, Self.staged(minutesAgo: 30, at: world.now))
        world.step()
        #expect(world.status.phase == .progressing)
        #expect(world.status.promotion?.reason == "Verified")
    }

    @Test func anOverrideReleasesUnverifiedAndTheRecordSaysWhoSetIt() throws {
        var world = Self.waitingForApp2()
        world.step()
        world.promotion = Self.evidence(v2, .unreachable("connection refused"))
        world.step()
        world.annotate(CutoverLabels.promoteUnverified, "INC-7 hotfix")
        world.rollout.metadata.managedFields = [
            ManagedFieldsEntry(
                manager: "kubectl-annotate", operation: "Update", time: Timestamp(world.now),
                fieldsV1: ["f:metadata": ["f:annotations": ["f:\(CutoverLabels.promoteUnverified)": [:]]]])
        ]
        let plan = world.step()
        #expect(plan.steps.contains(.create(dep(v2), 1)))
        #expect(plan.eventReasons.contains("PromotionOverridden"))
        let judged = try #require(world.status.history?.last?.promotion)
        #expect(judged.allowed)
        #expect(judged.reason == "Overridden")
        #expect(judged.override == PromotionOverride(value: "INC-7 hotfix", by: "kubectl-annotate", at: Timestamp(world.now)))
        #expect(judged.message.hasPrefix("released unverified by cutover.dev/promote-unverified=INC-7 hotfix set by kubectl-annotate"))
        #expect(judged.sources?.first?.reason == "SourceUnreachable", "what the gate found is kept beside the override")
        #expect(world.status.acknowledgedActions?.promoteUnverified == "INC-7 hotfix")
        #expect(plan.condition("PromotionAllowed")?.reason == "Overridden")

        // The override was for that release: the next template waits at the gate again.
        world.settle()
        world.drive(to: .healthy, limit: 60)
        world.setTemplate(image: "app:3")
        world.step()
        #expect(world.status.phase == .awaitingPromotion)
        #expect(world.deployment(v3) == nil)
    }

    @Test func anOverrideSetWhileNothingWaitsIsConsumedAndDoesNotOpenALaterGate() {
        var spec = Self.spec()
        spec.promotion = nil
        var world = World.healthy(spec)
        world.rollout.spec.promotion = Self.promotion
        world.annotate(CutoverLabels.promoteUnverified, "early")
        world.step()
        #expect(world.status.acknowledgedActions?.promoteUnverified == "early")
        world.setTemplate(image: "app:2")
        world.step()
        #expect(world.status.phase == .awaitingPromotion)
        #expect(world.deployment(v2) == nil)
    }

    @Test func aFirstRevisionWaitsToo() {
        var world = World(Self.spec())
        let plan = world.step()
        #expect(plan.steps == [.checkPromotion(v1)])
        #expect(world.status.phase == .awaitingPromotion)
        #expect(world.deployments.isEmpty)
        world.promotion = Self.evidence(v1, Self.staged("app:1", minutesAgo: 60, at: world.now))
        #expect(world.step().steps.contains(.create(dep(v1), 4)))
        world.converge()
        #expect(world.status.phase == .healthy)
        #expect(world.status.activeRevision == v1)
    }

    @Test func aNewUnverifiedTemplateMidReleaseSupersedesItAndWaits() {
        var world = Self.waitingForApp2()
        world.step()
        world.promotion = Self.evidence(v2, Self.staged(minutesAgo: 45, at: world.now))
        world.step()
        world.settle()
        world.drive(to: .canary, limit: 10)
        world.step()
        world.settle()
        world.setTemplate(image: "app:3")
        let plan = world.step()
        #expect(world.status.phase == .awaitingPromotion)
        #expect(world.status.greenRevision == nil)
        #expect(plan.steps.contains(.checkPromotion(v3)))
        #expect(plan.steps.contains(.scale(dep(v2), 0)), "the superseded green scales down")
        #expect(world.activeKey == .some(v1), "all traffic back on blue")
        #expect(world.status.history?.last?.revision == v2)
        #expect(world.status.history?.last?.outcome == .superseded)
    }

    @Test func aReadingForAnEarlierTemplateIsNotUsed() {
        var world = Self.waitingForApp2()
        world.step()
        world.setTemplate(image: "app:3")
        world.step()
        world.promotion = Self.evidence(v2, Self.staged(minutesAgo: 45, at: world.now))
        let plan = world.step()
        #expect(world.status.phase == .awaitingPromotion)
        #expect(world.status.promotion == nil)
        #expect(plan.steps == [.checkPromotion(v3)])
    }

    @Test func theTemplateSetBackWhileWaitingIsHealthyAgain() throws {
        var world = Self.waitingForApp2()
        world.step()
        world.setTemplate(image: "app:1")
        let plan = world.step()
        #expect(world.status.phase == .healthy)
        #expect(plan.steps.isEmpty)
        let condition = try #require(plan.condition("PromotionAllowed"))
        #expect(condition.status == "True")
        #expect(condition.reason == "ActiveRevision")
    }

    @Test func anInitContainerImageIsPartOfWhatMustHaveBeenReleased() throws {
        var world = Self.waitingForApp2()
        world.rollout.spec.template.spec?["initContainers"] = [["name": "migrate", "image": "db-migrate:7"]]
        world.step()
        // Staging released app:2 with another migration image.
        var record = ReleaseRecord(revision: "stg", images: ["migrate=db-migrate:6", "app=app:2"], startedAt: Timestamp(world.now))
        record.outcome = .promoted
        record.endedAt = Timestamp(world.now.addingTimeInterval(-3600))
        world.promotion = Self.evidence(world.promotionChecks.last?.revision ?? "", .rollout(SourceReleases(history: [record], serving: "stg")))
        world.step()
        #expect(world.status.phase == .awaitingPromotion)
        #expect(world.status.promotion?.message == "staging/payment has not released db-migrate:7")
    }

    @Test func aRetryReadsTheSourcesAgain() throws {
        var world = Self.waitingForApp2()
        world.step()
        world.promotion = Self.evidence(v2, Self.staged(minutesAgo: 45, at: world.now))
        world.step()
        world.settle()
        world.annotate(CutoverLabels.abort, "1")
        world.step()
        #expect(world.status.phase == .rolledBack)
        world.annotate(CutoverLabels.retry, "1")
        let plan = world.step()
        #expect(world.status.phase == .awaitingPromotion, "verified before the abort; the sources are asked again")
        #expect(plan.steps.contains(.checkPromotion(v2)))
    }

    @Test func aRolloutCannotNameItselfAsItsSource() {
        var rollout = Fixture.rollout(Self.spec())
        rollout.spec.promotion = PromotionSpec(from: [PromotionSource(namespace: "prod", rollout: "payment")])
        #expect(rollout.validate().map(\.description) == ["spec.promotion.from[0]: names this Rollout itself; name the environment it must have passed"])
        rollout.spec.promotion?.from[0].kubeconfigSecret = SecretKeyReference(name: "staging-cluster", key: "kubeconfig")
        #expect(rollout.validate().isEmpty, "the same name in another cluster is another Rollout")
    }

    @Test func noConditionWithoutPromotion() {
        var world = World.healthy(Fixture.spec())
        #expect(world.step().condition("PromotionAllowed") == nil)
    }
}
