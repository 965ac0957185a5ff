import Foundation
import KubeModels
import Testing

@testable import Cutover

/// One Rollout per Service: the first claims it, another leaves it alone, a gone owner's claim
/// is free to take.
@Suite("Planner: Service claims")
struct PlannerServiceClaimTests {
    /// The Services claimed by `owner` / `previewOwner`; `others` are the Rollouts that exist and name them.
    static func world(active owner: String?, preview previewOwner: String? = nil, others: Set<String> = []) -> World {
        var world = World(Fixture.spec(steps: [CanaryStep(weight: 25)]))
        world.services["payment"] = Fixture.service("payment", owner: owner)
        world.services["payment"]?.metadata.resourceVersion = "7"
        world.services["payment-preview"] = Fixture.service("payment-preview", owner: previewOwner ?? owner)
        world.services["payment-preview"]?.metadata.resourceVersion = "8"
        for (service, claimant) in [("payment", owner), ("payment-preview", previewOwner ?? owner)] {
            if let claimant, others.contains(claimant) { world.claimedBy[service] = claimant }
        }
        return world
    }

    @Test func unclaimedServicesAreClaimedFirstAndAloneThenTheReleaseGoesOn() throws {
        var world = Self.world(active: nil)
        let plan = world.step()
        #expect(plan.steps == [.claim("payment"), .claim("payment-preview")])
        #expect(plan.actions.first == .claimService(ServiceClaim(service: "payment", owner: "payment", resourceVersion: "7")))
        #expect(plan.requeueAfter == nil, "the claim changes the Service, which wakes the Rollout")
        #expect(world.status.greenRevision == nil, "nothing moves before the claims are seen")
        #expect(world.services["payment"]?.metadata.annotations?[CutoverLabels.managedBy] == "payment")
        #expect(world.step().steps.contains(.create(dep(v1), 4)))
    }

    @Test func aClaimMergePatchIsConditionalOnTheVersionRead() {
        let claim = ServiceClaim(service: "shared", owner: "payment", resourceVersion: "41")
        #expect(claim.mergePatch == ["metadata": ["resourceVersion": "41", "annotations": ["cutover.dev/managed-by": "payment"]]])
    }

    struct InUseCase: CustomTestStringConvertible, Sendable {
        var name: String
        var active: String?
        var preview: String?
        var service: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        InUseCase(name: "active Service claimed by another Rollout", active: "checkout", preview: "payment", service: "payment"),
        InUseCase(name: "preview Service claimed by another Rollout", active: "payment", preview: "checkout", service: "payment-preview"),
    ])
    func aServiceAnotherRolloutClaimsIsLeftAlone(_ test: InUseCase) throws {
        var world = Self.world(active: test.active, preview: test.preview, others: ["checkout"])
        let plan = world.step()
        #expect(plan.steps.isEmpty, "nothing created, nothing patched")
        #expect(plan.eventReasons == ["ServiceInUse"])
        let available = try #require(plan.condition("Available"))
        #expect(available.status == "False")
        #expect(available.reason == "ServiceInUse")
        #expect(available.message == "Service \(test.service) is managed by Rollout checkout; payment leaves it alone")
        #expect(world.status.message == available.message)
        #expect(plan.requeueAfter == 30)
        #expect(world.step().eventReasons.isEmpty, "the Event is recorded once")
    }

    @Test func aClaimByARolloutThatIsGoneOrNoLongerNamesTheServiceIsTaken() {
        var world = Self.world(active: "checkout", others: [])
        #expect(world.step().steps == [.claim("payment"), .claim("payment-preview")])
        #expect(world.services["payment"]?.metadata.annotations?[CutoverLabels.managedBy] == "payment")
    }

    @Test func aLostClaimRaceIsSeenOnTheNextPlan() {
        var world = Self.world(active: nil)
        let plan = planNextStep(for: world.snapshot, now: world.now)
        // Another Rollout claimed the Service between our read and our patch: ours gets 409.
        world.services["payment"]?.metadata.resourceVersion = "9"
        world.apply(plan)
        #expect(world.services["payment"]?.metadata.annotations?[CutoverLabels.managedBy] == nil)
        world.services["payment"]?.metadata.annotations = [CutoverLabels.managedBy: "checkout"]
        world.claimedBy = ["payment": "checkout"]
        #expect(world.step().condition("Available")?.reason == "ServiceInUse")
    }
}
