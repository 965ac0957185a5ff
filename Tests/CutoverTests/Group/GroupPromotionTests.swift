import Foundation
import KubeModels
import Testing

@testable import Cutover

/// Members with `spec.promotion` in a group: the group ships all its changed members or none, so
/// its release waits at the first barrier for a member held at its promotion gate.
@Suite("Group planner: members at their promotion gate")
struct GroupPromotionTests {
    /// cart and payment, one canary step each; payment takes only what staging released.
    static func group() -> GroupWorld {
        var world = GroupWorld(["cart", "payment"]) { _ in memberSpec(steps: 1) }
        world["payment"].rollout.spec.promotion = PlannerPromotionTests.promotion
        world.release(["cart", "payment"])
        world.tick()
        world.tick()
        return world
    }

    @Test func theReleaseWaitsAtGreensReadyForAMemberAtItsGateThenTakesItIn() throws {
        var world = Self.group()
        #expect(world["payment"].status.phase == .awaitingPromotion)
        #expect(world["cart"].status.group?.waitingAt == .greenReady, "cart's green is ready and held")
        let release = try #require(world.release)
        #expect(release.members.map(\.name) == ["cart"])
        #expect(release.barrier == .greenReady)
        #expect(world.status.message == "waiting for the promotion gate of payment")
        #expect(world.selected("cart") == v1)

        world["payment"].promotion = PlannerPromotionTests.evidence(v2, PlannerPromotionTests.staged(minutesAgo: 45, at: world.now))
        world.drive { $0.release?.barrier == .step }
        #expect(world.release?.members.map(\.name) == ["cart", "payment"], "payment joined before the first barrier opened")
        #expect(world["payment"].status.history?.last?.promotion?.reason == "Verified")
    }

    @Test func aVersionItsSourceRolledBackRevertsTheGroupRelease() throws {
        var world = Self.group()
        world["payment"].promotion = PlannerPromotionTests.evidence(
            v2, PlannerPromotionTests.staged(outcome: .rolledBack, minutesAgo: 5, at: world.now))
        world.tick()
        world.tick()
        #expect(world.status.phase == .rolledBack)
        let cause = try #require(world.status.abort)
        #expect(cause.reason == "PromotionRefused")
        #expect(cause.member == "payment")
        #expect(cause.message == "payment: staging/payment rolled back app:2: error-rate 0.2 > 0.01")
        #expect(world["cart"].status.phase == .rolledBack)
        #expect(world["cart"].status.abort?.reason == "GroupReverted")
        #expect(world["cart"].deployments["cart-\(v2)"]?.spec?.replicas == 0)
        #expect(world.selected("cart") == v1)
        #expect(world["payment"].status.phase == .awaitingPromotion, "payment stays at its gate")
    }

    @Test func membersWithoutTheirOwnGateTakeTheGroups() throws {
        var world = GroupWorld(["cart", "payment"]) { _ in memberSpec(steps: 1) }
        let fromStagingShop = PromotionSource(namespace: "staging", group: "shop")
        world.group.spec.promotion = PromotionSpec(from: [fromStagingShop])
        world.release(["cart", "payment"])
        world.tick()
        #expect(world["cart"].status.phase == .awaitingPromotion)
        #expect(world["payment"].status.phase == .awaitingPromotion)
        let check = try #require(world["payment"].promotionChecks.last)
        #expect(check.sources == [fromStagingShop])
        #expect(check.member == "payment", "the staging group is asked about its member of the same name")
        #expect(world.release == nil, "nothing started: every changed member waits at the gate")

        // An invalid gate on the group holds its members without reading anything.
        world.group.spec.promotion?.soak = "soon"
        let checks = world["cart"].promotionChecks.count
        world.tick(11)
        #expect(world["cart"].status.promotion?.reason == "InvalidGroupSpec")
        #expect(world["cart"].status.promotion?.message == "group shop: spec.promotion.soak: must be a duration like 30s, 5m or 1h30m, not \"soon\"")
        #expect(world["cart"].promotionChecks.count == checks)
        #expect(world.status.phase == .invalidSpec)
    }

    @Test func aNewerTemplateHeldAtItsGateRestartsTheReleaseWithoutItInsteadOfRevertingIt() throws {
        var world = Self.group()
        world["payment"].promotion = PlannerPromotionTests.evidence(v2, PlannerPromotionTests.staged(minutesAgo: 45, at: world.now))
        world.drive { $0.release?.barrier == .step }
        world.release(["payment"], image: "app:3")
        world.tick()
        world.tick()
        #expect(world.status.phase != .rolledBack, "nothing failed: \(world.status.abort?.message ?? "-")")
        #expect(world["payment"].status.phase == .awaitingPromotion)
        #expect(world.release?.members.map(\.name) == ["cart"])
        #expect(world.release?.barrier == .greenReady)
        #expect(world.status.history?.dropLast().last?.outcome == .superseded)
        #expect(world.selected("cart") == nil || world.selected("cart") == v1, "cart gets no more traffic than its canary had")

        world["payment"].promotion = PlannerPromotionTests.evidence(v3, PlannerPromotionTests.staged("app:3", minutesAgo: 45, at: world.now))
        world.drive { $0.release?.barrier == .step }
        #expect(world.release?.members.map(\.name) == ["cart", "payment"])
    }

    @Test func whenEveryChangedMembersNewerTemplateWaitsTheReleaseIsSuperseded() throws {
        var world = GroupWorld(["cart", "payment"]) { _ in memberSpec(steps: 1) }
        world["payment"].rollout.spec.promotion = PlannerPromotionTests.promotion
        world.release(["payment"])
        world.tick()
        world["payment"].promotion = PlannerPromotionTests.evidence(v2, PlannerPromotionTests.staged(minutesAgo: 45, at: world.now))
        world.drive { $0.release?.barrier == .step }
        world.release(["payment"], image: "app:3")
        world.tick()
        world.tick()
        #expect(world.status.phase == .healthy)
        #expect(world.release?.outcome == .superseded)
        #expect(world.status.history?.last?.outcome == .superseded)
        #expect(world.selected("payment") == v1)
    }
}
