import Foundation
import KubeModels
import Testing

@testable import Cutover

/// ``SpecFacts``: a controller computes a spec's validation, resolution and template hash once
/// per generation; a plan uses them only when they are this object's and this generation's.
/// (Every World-driven planner test also plans each step with and without them: see
/// ``World/step()``.)
@Suite("Planner: spec facts kept per generation")
struct PlannerSpecFactsTests {
    @Test("facts of an older generation are not used: a spec made invalid is caught")
    func staleGenerationIgnored() {
        var world = World.healthy(Fixture.spec())
        let kept = SpecFacts(world.rollout)
        world.rollout.spec.services.active = "Not_A_Name"
        world.rollout.metadata.generation = (world.rollout.metadata.generation ?? 1) + 1
        var snapshot = world.snapshot
        snapshot.specFacts = kept
        let plan = planNextStep(for: snapshot, now: world.now)
        #expect(plan.status.phase == .invalidSpec)
        #expect(plan.status.conditions?.first { $0.type == "Ready" }?.status == "False")
    }

    @Test("facts of another object (another uid) are not used")
    func otherObjectIgnored() {
        var world = World.healthy(Fixture.spec())
        var other = world.rollout
        other.metadata.uid = "uid-2"
        other.spec.template = Fixture.template(image: "app:9")
        let foreign = SpecFacts(other)
        world.setTemplate(image: "app:2")
        var snapshot = world.snapshot
        snapshot.specFacts = foreign
        #expect(planNextStep(for: snapshot, now: world.now).status.greenRevision == v2)
    }

    @Test("no facts without a uid or generation to tell them by")
    func needsIdentity() {
        var rollout = Fixture.rollout(Fixture.spec())
        rollout.metadata.uid = nil
        #expect(SpecFacts(rollout) == nil)
        rollout.metadata.uid = "uid-1"
        rollout.metadata.generation = nil
        #expect(SpecFacts(rollout) == nil)
    }
}
