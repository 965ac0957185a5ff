import Foundation
import KubeModels
import Testing

@testable import Cutover

/// The release record (`status.history`) and the notification outbox (`status.notifications`).
@Suite("Planner: release record and notifications")
struct PlannerRecordTests {
    static let target = NotificationTarget(name: "team", urlSecret: SecretKeyReference(name: "hooks", key: "slack"))

    static func spec(limit: Int32? = nil, targets: [NotificationTarget] = [target]) -> RolloutSpec {
        var spec = Fixture.spec(steps: [CanaryStep(weight: 20), CanaryStep(weight: 50)], holdWindow: "60s", metrics: [Fixture.metric()])
        spec.notifications = targets
        spec.releaseHistoryLimit = limit
        return spec
    }

    @Test func aPromotedReleaseIsRecordedWithItsTimelineAndFinalMeasurements() throws {
        var world = World.inFirstStep(Self.spec())
        world.drive(to: .healthy, limit: 80)
        let history = try #require(world.status.history)
        #expect(history.map(\.revision) == [v1, v2])
        #expect(history[0].outcome == .promoted)
        #expect(history[0].reason == "Available")
        let record = history[1]
        #expect(record.outcome == .promoted)
        #expect(record.blueRevision == v1)
        #expect(record.images == ["app=app:2"])
        #expect(record.endedAt != nil && record.startedAt < record.endedAt!)
        #expect(record.timeline.map(\.type) == [.started, .stepReached, .stepReached, .cutOver, .completed])
        #expect(record.timeline.compactMap(\.weight) == [20, 50, 100])
        let final = try #require(record.measurements?.first)
        #expect(final.metric == "error-rate")
        #expect(final.verdict == .pass)
        #expect(final.breaches == 0)
    }

    @Test func aBreachIsRecordedAndQueuedWithMetricValueAndLimit() throws {
        var world = World.inFirstStep(Self.spec())
        world.advance(30)
        world.measure(.value(0.5))
        world.step()
        let record = try #require(world.status.history?.last)
        #expect(record.outcome == .rolledBack)
        #expect(record.reason == "AnalysisBreach")
        let last = try #require(record.timeline.last)
        #expect(last.type == .rolledBack)
        #expect(last.metric == "error-rate")
        #expect(last.value == 0.5)
        #expect(last.limit == 0.01)
        #expect(record.measurements?.first?.verdict == .breach)
        let outbox = try #require(world.status.notifications)
        #expect(outbox.pending.last?.event == last)
        #expect(outbox.pending.last?.revision == v2)
        #expect(outbox.pending.last?.blueRevision == v1)
        #expect(outbox.pending.map(\.id) == Array(1...outbox.lastID), "ids grow by one, oldest first")
    }

    @Test func deliveriesTakeEventsOffTheOutbox() throws {
        var world = World.inFirstStep(Self.spec())
        let pending = try #require(world.status.notifications?.pending)
        #expect(pending.count >= 3)
        world.deliveries = [
            NotificationDelivery(id: pending[0].id, target: "team", delivered: true),
            NotificationDelivery(id: pending[1].id, target: "team", delivered: false, message: "HTTP 404: no_service"),
        ]
        let plan = world.step()
        #expect(world.status.notifications?.pending.map(\.id) == pending.dropFirst(2).map(\.id))
        #expect(plan.eventReasons.contains("NotificationFailed"))
        // A target taken out of the spec leaves nothing waiting for it.
        world.rollout.spec.notifications = []
        world.step()
        #expect(world.status.notifications?.pending.isEmpty == true)
    }

    @Test func onlyTheEventsATargetAsksForAreQueued() throws {
        var target = Self.target
        target.events = ["RolledBack", "Completed"]
        var world = World.inFirstStep(Self.spec(targets: [target]))
        #expect(world.status.notifications?.pending.map(\.revision) == [v1], "only the first revision's Completed")
        world.drive(to: .healthy, limit: 80)
        #expect(world.status.notifications?.pending.map(\.event.type) == [.completed, .completed])
        #expect(world.status.notifications?.pending.map(\.revision) == [v1, v2])
    }

    @Test func theOutboxIsBounded() throws {
        var world = World.healthy(Self.spec())
        for image in 0..<20 {
            world.setTemplate(image: "app:\(image + 10)")
            world.converge()
        }
        let outbox = try #require(world.status.notifications)
        #expect(outbox.pending.count == NotificationStatus.pendingLimit)
        #expect(outbox.pending.last?.id == outbox.lastID)
    }

    @Test func historyKeepsTheNewestReleases() throws {
        var world = World.inFirstStep(Self.spec(limit: 2))
        world.drive(to: .healthy, limit: 80)
        world.setTemplate(image: "app:3")
        world.converge()
        world.setTemplate(image: "app:4")
        world.converge()
        let history = try #require(world.status.history)
        #expect(history.map(\.revision) == [v3, Fixture.hash("app:4")])
        #expect(history[0].outcome == .superseded)
        #expect(history[1].outcome == nil, "the current release is the last record, still open")
    }

    @Test func theRecordSaysWhoChangedTheTemplate() throws {
        var world = World.healthy(Self.spec())
        let early = Timestamp(world.now), late = Timestamp(world.now.addingTimeInterval(60))
        world.rollout.metadata.managedFields = [
            ManagedFieldsEntry(manager: "kubectl-client-side-apply", operation: "Update", time: early, fieldsV1: ["f:spec": ["f:template": [:], "f:replicas": [:]]]),
            ManagedFieldsEntry(manager: "ci-pipeline", operation: "Apply", time: late, fieldsV1: ["f:spec": ["f:template": ["f:spec": [:]]]]),
            ManagedFieldsEntry(manager: "kubectl-annotate", operation: "Update", time: late, fieldsV1: ["f:metadata": ["f:annotations": [:]]]),
            ManagedFieldsEntry(manager: "cutover-controller", operation: "Update", time: late, fieldsV1: ["f:status": [:]], subresource: "status"),
        ]
        world.setTemplate(image: "app:2")
        world.step()
        #expect(world.status.history?.last?.startedBy == "ci-pipeline")
        let reduced = try #require(FieldAuthor.reduced(world.rollout.metadata))
        #expect(reduced.count == 1)
        var trimmed = ObjectMeta()
        trimmed.managedFields = reduced
        #expect(FieldAuthor.name(of: .template, in: trimmed) == "ci-pipeline")
    }
}
