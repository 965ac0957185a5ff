import Foundation
import KubeModels
import Testing

@testable import Cutover

/// Specs of group members: `steps` canary steps of 30 s with an error-rate analysis (max 0.01); a
/// member without steps is analysed in its hold window (30 s unless given).
func memberSpec(steps: Int, holdWindow: String? = nil) -> RolloutSpec {
    let weights: [Int32] = [20, 50, 80]
    return Fixture.spec(
        steps: steps == 0 ? nil : weights.prefix(steps).map { CanaryStep(weight: $0, pause: "30s") },
        holdWindow: holdWindow ?? (steps == 0 ? "30s" : nil),
        metrics: [Fixture.metric()], preview: nil)
}

/// a: 2 steps, b: 1 step and a 2m hold window, c: no steps.
func mixedGroup(_ spec: ReleaseGroupSpec = ReleaseGroupSpec()) -> GroupWorld {
    GroupWorld(
        ["a", "b", "c"], spec: { name in memberSpec(steps: ["a": 2, "b": 1, "c": 0][name]!, holdWindow: name == "b" ? "2m" : "30s") },
        group: spec)
}

@Suite("Group planner: barriers")
struct GroupBarrierTests {
    @Test func firstRevisionsComeUpAloneAndTheGroupIsHealthy() {
        let world = mixedGroup()
        #expect(world.status.phase == .healthy)
        #expect(world.release == nil)
        for name in world.names { #expect(world[name].status.phase == .healthy) }
        #expect(world.status.ready == "3/3")
        #expect(world.status.conditions?.first { $0.type == "Completed" }?.status == "True", "kubectl wait works on a first deploy too")
    }

    @Test func greenReadyHoldsEveryMemberUntilAllGreensAreReady() {
        var world = mixedGroup()
        world["b"].neverReady = [Fixture.hash("app:2")]
        world.release(["a", "b", "c"])
        world.converge()
        #expect(world.status.phase == .progressing)
        #expect(world.release?.barrier == .greenReady)
        #expect(world["a"].status.phase == .progressing)
        #expect(world["a"].status.group?.waitingAt == .greenReady)
        #expect(world["a"].status.traffic == .blue)
        #expect(world["c"].status.group?.waitingAt == .greenReady)
        #expect(world.status.message == "waiting for the greens of b")
        world["b"].neverReady = []
        world.converge()
        #expect(world.release?.barrier == .step)
        #expect(world["a"].status.phase == .canary)
        #expect(world["b"].status.phase == .canary)
        #expect(world["c"].status.group?.waitingAt == .cutover, "a member without steps waits at the cutover barrier")
    }

    @Test func theStepIndexIsTheBarrierAndTheLastStepIsHeldUntilEveryStepPassed() {
        var world = mixedGroup()
        world.release(["a", "b", "c"])
        world.converge()
        #expect(world.release?.step == 0)
        // Only a measured: a waits after its step 1 for b.
        world.now = world.now.addingTimeInterval(31)
        world["a"].now = world.now
        world["a"].measure(.value(0))
        world.step()
        world.settle()
        #expect(world["a"].status.group?.waitingAt == .step)
        #expect(world["a"].status.group?.step == 0)
        #expect(world["a"].status.currentStepIndex == 0)
        #expect(world.release?.step == 0)
        world.tick()
        world.converge()
        #expect(world.release?.step == 1, "every member passed step 1")
        #expect(world["a"].status.currentStepIndex == 1)
        #expect(world["b"].status.phase == .canary, "b's only step is its last: held at canary size")
        #expect(world["b"].status.group?.waitingAt == .step)
        world.tick()
        world.converge()
        #expect(world.release?.barrier != .step)
        #expect(world["b"].status.phase != .canary)
    }

    @Test func everyActiveServiceOfTheGroupSwitchesInOneGroupPlan() throws {
        var world = mixedGroup()
        world.release(["a", "b", "c"])
        world.drive { $0.groupPatches.count >= 3 }
        #expect(Set(world.groupPatches) == Set(["a", "b", "c"].map { "\($0)=\(Fixture.hash("app:2"))" }))
        let plan = try #require(world.lastPlan)
        #expect(plan.patches.count == 3, "one plan, all three selectors")
        #expect(plan.event?.stepReasons.contains("CutOver") == true)
        #expect(Set(world.release!.members.compactMap(\.cutoverAt)).count == 1)
    }

    @Test func wavesSwitchInOrderEachOnceTheOneBeforeServesGreen() {
        var world = mixedGroup(ReleaseGroupSpec(waves: [["c"], ["a"]]))
        world.release(["a", "b", "c"])
        world.drive { $0.groupPatches.count >= 1 }
        #expect(world.groupPatches.count == 1 && world.groupPatches[0].hasPrefix("c="), "\(world.groupPatches)")
        #expect(world.release?.wavesCutOver == 1)
        world.drive { $0.groupPatches.count >= 3 }
        #expect(world.groupPatches.map { $0.prefix(1) } == ["c", "a", "b"], "b is in no wave: it switches last")
        #expect(world.release?.members.first { $0.name == "a" }?.wave == 1)
    }

    @Test func manualApprovalHoldsTheGroupAtCanarySizeUntilOnePromote() {
        var world = mixedGroup(ReleaseGroupSpec(approval: "Manual"))
        world.release(["a", "b", "c"])
        world.drive { $0.status.phase == .awaitingApproval }
        #expect(world.status.phase == .awaitingApproval)
        #expect(world["a"].status.phase == .canary, "held at its last step's size")
        #expect(world["c"].status.group?.waitingAt == .cutover)
        #expect(world.groupPatches.isEmpty)
        for _ in 0..<3 { world.tick() }
        #expect(world.groupPatches.isEmpty, "no cutover without the promote")
        #expect(world.status.history?.last?.timeline.filter { $0.type == .awaitingApproval }.count == 1)
        world.annotateGroup(CutoverLabels.promote, "p1")
        world.drive { $0.groupPatches.count >= 3 }
        #expect(world.groupPatches.count == 3)
        #expect(world.status.acknowledgedActions?.promote == "p1")
    }

    @Test func theHoldIsTheLongestMemberHoldFromTheLastCutoverThenEveryBlueGoesTogether() throws {
        var world = mixedGroup()
        world.release(["a", "b", "c"])
        world.drive { $0.status.phase == .holdWindow }
        let release = try #require(world.release)
        let cutover = try #require(release.members.compactMap(\.cutoverAt).max())
        #expect(release.holdUntil == Timestamp(cutover.date.addingTimeInterval(120)), "b's 2m hold")
        world.drive { $0.status.conditions?.first { $0.type == "Completed" }?.status == "True" }
        #expect(world.release?.outcome == .promoted)
        for name in world.names {
            #expect(world[name].status.phase == .healthy)
            #expect(world[name].status.activeRevision == Fixture.hash("app:2"))
        }
        #expect(world.status.history?.last?.outcome == .promoted)
        #expect(world.status.history?.last?.timeline.map(\.type) == [.started, .stepReached, .stepReached, .cutOver, .completed])
    }

    @Test func membersWhoseTemplateDidNotChangeAreUntouched() {
        var world = mixedGroup()
        let before = world["c"].rollout.status
        world.release(["a", "b"])
        world.drive { $0.release?.outcome == .promoted }
        #expect(world.release?.members.map(\.name) == ["a", "b"])
        #expect(world["c"].rollout.status == before)
    }

    @Test func membersAppliedOneAfterAnotherJoinTheReleaseBeforeItsFirstBarrier() {
        var world = mixedGroup()
        world["b"].neverReady = [Fixture.hash("app:2")]
        world.release(["a"])
        world.step()
        world.release(["b"])
        world.step()
        #expect(world.release?.members.map(\.name) == ["a", "b"])
        #expect(world.status.history?.count == 1, "joined, not restarted")
        #expect(world.status.history?.last?.images == ["a=\(Fixture.hash("app:2"))", "b=\(Fixture.hash("app:2"))"])
    }
}
