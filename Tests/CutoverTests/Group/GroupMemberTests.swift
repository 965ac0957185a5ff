import Foundation
import KubeModels
import Testing

@testable import Cutover

/// A member's side: what it does with the group's decisions, and what it does without a group.
@Suite("Group planner: members")
struct GroupMemberTests {
    @Test func aMemberWhoseGroupDoesNotExistWaitsAndSaysWhy() {
        var world = World.healthy(memberSpec(steps: 1))
        world.rollout.metadata.labels = [CutoverLabels.group: "shop"]
        world.setTemplate(image: "app:2")
        for _ in 0..<4 {
            world.step()
            world.settle()
        }
        #expect(world.status.phase == .progressing)
        #expect(world.status.group?.waitingAt == .greenReady)
        #expect(world.status.message?.hasSuffix("; waiting for group shop: no such ReleaseGroup in prod") == true, "\(world.status.message ?? "")")
        #expect(world.activeKey == .some(Fixture.hash("app:1")), "blue keeps all traffic")
    }

    @Test func aMembersOwnManualApprovalIsTheGroupsToGive() {
        var world = GroupWorld(["a", "b"], spec: { _ in
            var spec = memberSpec(steps: 1)
            spec.strategy?.approval = "Manual"
            return spec
        })
        world.release(["a", "b"])
        world.drive { $0.release?.outcome == .promoted }
        #expect(world.release?.outcome == .promoted, "an Automatic group promoted members whose own approval is Manual")
    }

    @Test func promoteFullOnAMemberCannotSkipTheGroupsCompletion() {
        var world = GroupWorld(["a", "b"], spec: { _ in memberSpec(steps: 1, holdWindow: "10m") })
        world.release(["a", "b"])
        world.drive { $0.status.phase == .holdWindow }
        world["a"].annotate(CutoverLabels.promoteFull, "now")
        world.tick()
        world.converge()
        #expect(world["a"].status.phase == .holdWindow, "a waits for the group's hold like everyone else")
        #expect(world["a"].status.greenRevision == Fixture.hash("app:2"))
    }

    @Test func aMemberWhoseLabelIsRemovedFinishesAloneAndTheGroupReverts() {
        var world = GroupWorld(["a", "b"], spec: { _ in memberSpec(steps: 1) })
        world.release(["a", "b"])
        world.converge()
        var leaving = world["a"]
        leaving.rollout.metadata.labels = [:]
        world.members["a"] = nil
        world.tick()
        world.converge()
        #expect(world.status.abort?.reason == "MemberRemoved")
        #expect(world["b"].status.abort?.reason == "GroupReverted")
        for _ in 0..<10 {
            leaving.advance(31)
            leaving.measure(.value(0))
            leaving.step()
            leaving.settle()
        }
        #expect(leaving.status.phase == .healthy)
        #expect(leaving.status.activeRevision == Fixture.hash("app:2"))
        #expect(leaving.status.group == nil)
    }
}

@Suite("Group planner: joining")
struct GroupJoinTests {
    @Test func aRolloutLabelledWhileItsOwnReleaseRunsJoinsTheNextGroupRelease() {
        var world = GroupWorld(["a", "b"], spec: { _ in memberSpec(steps: 1) })
        // d releases on its own first; then it is labelled into the group mid-way through the group's release.
        var outsider = World(memberSpec(steps: 1))
        outsider.rollout.metadata.name = "d"
        outsider.rollout.spec.services = RolloutServices(active: "d")
        outsider.services = ["d": Fixture.service("d", owner: "d")]
        outsider.converge()
        outsider.setTemplate(image: "app:9")
        outsider.step()
        outsider.settle()
        world.now = world.now.addingTimeInterval(5)
        world.release(["a", "b"])
        world.step()
        world.settle()
        outsider.rollout.metadata.labels = [CutoverLabels.group: "shop"]
        world.members["d"] = outsider
        world.converge()
        #expect(world.release?.members.map(\.name) == ["a", "b"], "d's release started before the group's")
        world.drive { $0.release?.outcome == .promoted }
        world.converge()
        #expect(world["a"].status.activeRevision == Fixture.hash("app:2"))
        #expect(world.release?.members.map(\.name) == ["d"], "the next group release is d's")
    }
}
