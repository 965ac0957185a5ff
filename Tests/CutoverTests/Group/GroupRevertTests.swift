import Foundation
import KubeModels
import Testing

@testable import Cutover

/// One way a member's release (or the group's) fails mid-canary, and the cause the group names.
struct RevertCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// The member that caused it (nil: the group itself).
    let member: String?
    let reason: String
    let cause: @Sendable (inout GroupWorld) -> Void
    var testDescription: String { name }

    static let all: [RevertCase] = [
        RevertCase(name: "analysis breach", member: "a", reason: "AnalysisBreach") { world in
            world.tick(values: ["a": 0.2])
        },
        RevertCase(name: "progress deadline", member: "b", reason: "ProgressDeadlineExceeded") { world in
            world["b"].rollout.spec.strategy?.canary?.steps[0].weight = 60  // green must grow; it never gets ready
            world["b"].neverReady = [Fixture.hash("app:2")]
            world.tick()  // the deadline is armed: 300 s for green to reach its new size
            world.tick(301)
        },
        RevertCase(name: "failed gate hook", member: "c", reason: "PreCutoverHookFailed") { world in
            world["c"].rollout.spec.hooks = RolloutHooks(preCutover: GateHook(url: "http://smoke"))
            world.drive { $0["c"].hookCalls.count > 0 }
            let call = world["c"].hookCalls[0]
            world["c"].hookResults = [
                HookResult(name: call.name, revision: call.payload.revision, passed: false, attempts: 3, message: "HTTP 500", at: Timestamp(world.now))
            ]
            world.tick()
        },
        RevertCase(name: "abort of a member", member: "b", reason: "Aborted") { world in
            world["b"].annotate(CutoverLabels.abort, "x")
            world.tick()
        },
        RevertCase(name: "abort of the group", member: nil, reason: "Aborted") { world in
            world.annotateGroup(CutoverLabels.abort, "x")
            world.tick()
        },
        RevertCase(name: "a member's template set back", member: "a", reason: "TemplateSetBackToBlue") { world in
            world.release(["a"], image: "app:1")
            world.tick()
        },
        RevertCase(name: "a member deleted", member: "b", reason: "MemberRemoved") { world in
            world.members["b"] = nil
            world.tick()
        },
    ]
}

@Suite("Group planner: reverts")
struct GroupRevertTests {
    /// a, b with a canary step; c without steps.
    static func group() -> GroupWorld {
        GroupWorld(["a", "b", "c"]) { name in memberSpec(steps: name == "c" ? 0 : 1) }
    }

    @Test(arguments: RevertCase.all)
    func anyRevertRevertsEveryChangedMemberAndNamesTheCauseOnce(_ revert: RevertCase) throws {
        var world = Self.group()
        world.release(["a", "b", "c"])
        world.converge()
        #expect(world.status.phase == .canary)
        revert.cause(&world)
        world.converge()
        let blue = Fixture.hash("app:1"), green = Fixture.hash("app:2")
        #expect(world.status.phase == .rolledBack)
        let cause = try #require(world.status.abort)
        #expect(cause.reason == revert.reason)
        #expect(cause.member == revert.member)
        #expect(world.status.conditions?.first { $0.type == "RolledBack" }?.status == "True")
        #expect(world.status.history?.last?.outcome == .rolledBack)
        #expect(world.status.history?.last?.timeline.filter { $0.type == .rolledBack }.count == 1)
        for name in world.names {
            let member = world[name].status
            #expect(world.selected(name) == blue, "\(name) serves blue")
            #expect(member.greenRevision == nil)
            #expect(member.rolledBackRevision == green || name == revert.member)
            #expect(world[name].deployments["\(name)-\(green)"]?.spec?.replicas ?? 0 == 0, "\(name)'s green scaled to 0")
            guard name != revert.member else { continue }
            #expect(member.abort?.reason == "GroupReverted")
            #expect(member.abort?.member == revert.member)
            #expect(member.abort?.message?.hasPrefix("group shop reverted: ") == true)
        }
        if revert.reason == "AnalysisBreach" {
            #expect(cause.metric == "error-rate")
            #expect(cause.value == 0.2)
            #expect(cause.limit == 0.01)
            #expect(world["b"].status.abort?.metric == "error-rate")
        }
    }

    /// The group sends a revert's selector patches before the status write that records it. When
    /// the switches land and the record does not (the write failed, or the controller died), each
    /// member reads the cause from the members as the group does: it neither puts its canary back
    /// nor waits for the record, and the group later records the same cause.
    @Test(arguments: RevertCase.all)
    func aMemberFollowsARevertItsGroupHasNotRecorded(_ revert: RevertCase) throws {
        var world = Self.group()
        world.release(["a", "b", "c"])
        world.converge()
        revert.cause(&world)
        let recorded = try #require(world.status.abort)
        #expect(world.status.phase == .rolledBack)
        world.group.status = world.statusBeforeLastPlan
        let blue = Fixture.hash("app:1")
        for name in world.names where name != revert.member {
            #expect(world.selected(name) == blue, "the group's switch of \(name) landed")
            let plan = world.plan(name)
            let patches = plan.actions.compactMap { if case .patchServiceSelector(let patch) = $0 { patch } else { nil } }
            #expect(patches.allSatisfy { $0.revision == blue }, "\(name) keeps its Service on blue: \(patches)")
            #expect(plan.status.phase == .rolledBack && plan.status.greenRevision == nil, "\(name): \(plan.status.phase?.rawValue ?? "-")")
            #expect(plan.status.abort?.reason == "GroupReverted" && plan.status.abort?.member == recorded.member)
            #expect(plan.status.abort?.message == "group shop reverted: \(recorded.message ?? "")")
        }
        #expect(world.stepGroup().status.abort?.message == recorded.message, "the record, once it lands, names the same cause")
    }

    @Test func theGroupSwitchesEveryOtherMemberBackInTheRevertingPlan() throws {
        var world = Self.group()
        world.release(["a", "b", "c"])
        world.converge()
        world.now = world.now.addingTimeInterval(31)
        world["a"].now = world.now
        world["a"].measure(.value(0.5))
        // a reverts itself in its own plan; the group's next plan switches b back at once (c's
        // traffic never left blue: no patch).
        world["a"].apply(planNextStep(for: world.memberSnapshot("a"), now: world.now))
        let plan = world.stepGroup()
        #expect(plan.status.phase == .rolledBack)
        #expect(plan.outcome == .reverted(revision: plan.status.release!.revision, reason: "AnalysisBreach"))
        #expect(plan.patches == [ServiceSelectorPatch(service: "b", revision: Fixture.hash("app:1"))])
    }

    /// Measurement rounds (each member measures `value(member)`) until the group decides to switch
    /// `member`'s Service; returns that decision, its patches not sent yet (nil after 30 rounds).
    static func roundsUntilTheGroupSwitches(_ member: String, in world: inout GroupWorld, value: (String) -> Double) -> GroupPlan? {
        for _ in 0..<30 {
            world.now = world.now.addingTimeInterval(31)
            for name in world.names {
                world[name].now = world.now
                world[name].measure(.value(value(name)))
            }
            world.stepMembers()
            let decided = world.decideGroup()
            if decided.patches.contains(where: { $0.service == member }) { return decided }
            world.switchServices(decided)
            world.settle()
        }
        return nil
    }

    /// The group's selector patches are the only ones: a member that reads the group's revert (or
    /// its wave's cutover) before its Service shows it waits, then follows without a patch of its own.
    @Test(arguments: [true, false])
    func aMemberFollowsTheGroupsSwitchOnceItSeesItsService(revert: Bool) throws {
        var world = Self.group()
        world.release(["a", "b", "c"])
        world.converge()
        let blue = Fixture.hash("app:1"), green = Fixture.hash("app:2")
        // Rounds until the group decides to switch b, stopped before its patch reaches b's Service.
        let decided = try #require(Self.roundsUntilTheGroupSwitches("b", in: &world) { name in revert && name == "a" ? 0.5 : 0 })
        let waiting = world.plan("b")
        #expect(!waiting.actions.contains { if case .patchServiceSelector = $0 { true } else { false } })
        #expect(waiting.status.phase == world["b"].status.phase)
        #expect(waiting.status.traffic == world["b"].status.traffic)

        world.switchServices(decided)
        #expect(world.selected("b") == (revert ? blue : green))
        let following = world.plan("b")
        #expect(!following.actions.contains { if case .patchServiceSelector = $0 { true } else { false } })
        #expect(following.status.traffic == (revert ? .blue : .green))
        #expect(following.status.phase == (revert ? .rolledBack : .holdWindow))
    }

    /// Found by the chaos runner: a member aborted in its hold window switches back to blue before
    /// it writes RolledBack; the group, reading the member's status of a moment ago, must not switch
    /// it onto the reverted green again.
    @Test func aMemberRevertingInItsHoldWindowIsNotSwitchedBackOntoGreenByTheGroup() throws {
        var world = GroupWorld(["a", "b"], spec: { _ in memberSpec(steps: 1, holdWindow: "5m") })
        world.release(["a", "b"])
        world.drive { $0.status.phase == .holdWindow }
        world.converge()
        let blue = Fixture.hash("app:1"), green = Fixture.hash("app:2")
        #expect(world["a"].status.phase == .holdWindow && world.selected("a") == green)
        world["a"].annotate(CutoverLabels.abort, "x")
        let revert = world.plan("a")
        #expect(revert.status.phase == .rolledBack)
        // Only the revert's traffic switch lands; its status write has not yet.
        for case .patchServiceSelector(let patch) in revert.actions { world["a"].services[patch.service]?.spec?.selector?[CutoverLabels.revision] = patch.revision }
        #expect(world.selected("a") == blue)
        let group = world.decideGroup()
        #expect(!group.patches.contains { $0.service == "a" && $0.revision == green }, "\(group.patches)")
    }

    /// Found by the chaos runner: the group switched a member in its canary to green, then reverted
    /// and switched it to blue; the member, whose caches showed its Service on blue before the
    /// group's revert, put its canary split back (serving the reverted green). It leaves the
    /// Service to the group once the group decided its cutover.
    @Test func aMemberLeavesItsServiceToTheGroupOnceTheGroupDecidedItsCutover() throws {
        var world = Self.group()
        world.release(["a", "b", "c"])
        world.converge()
        let cutover = try #require(Self.roundsUntilTheGroupSwitches("a", in: &world) { _ in 0 })
        let decidedGroup = world.group
        world.switchServices(cutover)
        world.annotateGroup(CutoverLabels.abort, "x")
        world.switchServices(world.decideGroup())
        #expect(world.selected("a") == Fixture.hash("app:1"))
        // a's caches show its Service back on blue, but the group still as it decided the cutover.
        var snapshot = world["a"].snapshot
        snapshot.group = decidedGroup
        let plan = planNextStep(for: snapshot, now: world.now)
        let widened = plan.actions.contains { if case .patchServiceSelector(let patch) = $0 { patch.service == "a" } else { false } }
        #expect(!widened, "\(plan.actions)")
    }

    /// Found by the chaos runner: a member that had cut over with the first wave, whose active
    /// Service is deleted and created again while the group reverts, must not put the new Service
    /// on the reverted green (its own status still says green serves); once it has claimed the
    /// Service the group switches it to blue, and the member follows.
    @Test func aMemberWhoseServiceIsRecreatedMidRevertLeavesItToTheGroup() throws {
        var world = GroupWorld(["a", "b"], spec: { _ in memberSpec(steps: 1, holdWindow: "5m") }, group: ReleaseGroupSpec(waves: [["a"], ["b"]]))
        world.release(["a", "b"])
        world.drive { $0.groupPatches.count >= 1 }
        world.converge()
        let blue = Fixture.hash("app:1"), green = Fixture.hash("app:2")
        #expect(world["a"].status.traffic == .green)
        // b breaches: the group reverts; its patch for a is not sent, a's status still serves green.
        world.now = world.now.addingTimeInterval(31)
        world["b"].now = world.now
        world["b"].measure(.value(0.5))
        world.stepMembers()
        #expect(world.decideGroup().status.phase == .rolledBack)
        #expect(world["a"].status.traffic == .green)
        // a's Service is deleted and created again by its user: no revision key, no claim.
        world["a"].services["a"] = Fixture.service("a", owner: nil)
        world["a"].services["a"]?.metadata.resourceVersion = "2"
        let claim = world.plan("a")
        #expect(claim.actions.allSatisfy { if case .claimService = $0 { true } else { false } }, "\(claim.actions)")
        world["a"].apply(claim)
        let afterClaim = world.plan("a")
        let onGreen = afterClaim.actions.contains { if case .patchServiceSelector(let patch) = $0 { patch.revision == green } else { false } }
        #expect(!onGreen, "\(afterClaim.actions)")
        world["a"].apply(afterClaim)
        #expect(world.selected("a") != green)
        #expect(world.stepGroup().patches == [ServiceSelectorPatch(service: "a", revision: blue)])
        world.converge()
        #expect(world.selected("a") == blue)
        #expect(world["a"].status.phase == .rolledBack)
        #expect(world["a"].status.abort?.reason == "GroupReverted")
    }

    /// Found by the chaos runner: a member got a newer template after its group promoted the
    /// release but before the member completed it; it superseded its green and went back to blue
    /// while the others completed. The group's promotion is final: the member completes, and the
    /// newer template is released from green. An abort that late is too late as well.
    @Test(arguments: ["template", "abort"])
    func aMemberCompletesWhatItsGroupPromotedWhateverComesAfter(_ late: String) throws {
        var world = GroupWorld(["a", "b"], spec: { _ in memberSpec(steps: 1, holdWindow: "1m") })
        world.release(["a", "b"])
        world.drive { $0.release?.outcome == .promoted }
        let green = Fixture.hash("app:2")
        #expect(world.release?.outcome == .promoted)
        #expect(world["a"].status.phase == .holdWindow, "a has not completed yet")
        if late == "template" { world.release(["a"], image: "app:3") } else { world["a"].annotate(CutoverLabels.abort, "late") }
        let plan = world.plan("a")
        let blue = Fixture.hash("app:1")
        #expect(plan.status.activeRevision == green, "a completed on the promoted green")
        #expect(plan.status.history?.contains { $0.revision == green && $0.outcome == .promoted } == true)
        #expect(!plan.actions.contains { if case .patchServiceSelector(let patch) = $0 { patch.revision == blue } else { false } }, "\(plan.actions)")
        if late == "template" {
            #expect(plan.status.greenRevision == Fixture.hash("app:3"), "the newer template is released beside the promoted green")
        } else {
            #expect(plan.status.phase == .healthy)
            #expect(plan.status.rolledBackRevision == nil)
        }
        world.converge()
        #expect(world.selected("b") == green)
        #expect(world["a"].status.activeRevision == green)
    }

    @Test func aRevertAfterTheFirstWaveCutOverTakesItBackToo() {
        var world = GroupWorld(["a", "b"], spec: { _ in memberSpec(steps: 1, holdWindow: "5m") }, group: ReleaseGroupSpec(waves: [["a"], ["b"]]))
        world.release(["a", "b"])
        world.drive { $0.groupPatches.count >= 1 }
        world.converge()
        #expect(world.selected("a") == Fixture.hash("app:2"))
        world.tick(values: ["a": 0.3])
        world.converge()
        #expect(world.status.phase == .rolledBack)
        #expect(world.selected("a") == Fixture.hash("app:1"))
        #expect(world.selected("b") == Fixture.hash("app:1"))
    }

    @Test func retryReleasesTheSameRevisionsAgain() {
        var world = Self.group()
        world.release(["a", "b", "c"])
        world.converge()
        world["b"].annotate(CutoverLabels.abort, "x")
        world.converge()
        #expect(world.status.phase == .rolledBack)
        world.annotateGroup(CutoverLabels.retry, "r1")
        world.converge()
        #expect(world.release?.outcome == nil)
        #expect(world.release?.members.count == 3)
        #expect(world.status.abort == nil)
        for name in world.names { #expect(world[name].status.greenRevision == Fixture.hash("app:2")) }
    }

    @Test func aNewerTemplateMidReleaseRestartsTheGroupRelease() {
        var world = Self.group()
        world.release(["a", "b", "c"])
        world.converge()
        world.tick()
        world.converge()
        let patched = world.groupPatches.count
        world.release(["a"], image: "app:3")
        world.converge()
        #expect(world.status.history?.dropLast().last?.outcome == .superseded)
        #expect(world.release?.members.first { $0.name == "a" }?.revision == Fixture.hash("app:3"))
        #expect(world.release?.barrier == .step, "back to the steps for a's new green")
        #expect(world.groupPatches.count == patched, "nothing cut over before a caught up")
        #expect(world.release?.wavesCutOver == 1, "the members that kept their cutover still count as switched")
        world.drive { $0.release?.outcome == .promoted }
        world.converge()
        #expect(world["a"].status.activeRevision == Fixture.hash("app:3"))
        #expect(world["b"].status.activeRevision == Fixture.hash("app:2"))
    }

    @Test func anInvalidGroupOpensNoBarrierAndNamesTheField() {
        var world = Self.group()
        world.group.spec.waves = [["a"], ["a", "b"]]
        world.release(["a", "b", "c"])
        world.converge()
        #expect(world.status.phase == .invalidSpec)
        #expect(world.status.message == "spec.waves[1][0]: a is already in wave 0; a member cuts over in one wave")
        #expect(world.status.conditions?.first { $0.type == "InvalidSpec" }?.status == "True")
        #expect(world["a"].status.group?.waitingAt == .greenReady)
        #expect(world.groupPatches.isEmpty)
    }

    @Test func planningFromADecodedGroupStatusGivesTheSamePlan() throws {
        var world = Self.group()
        world.release(["a", "b", "c"])
        for _ in 0..<6 {
            world.tick()
            let decoded = try JSONDecoder().decode(ReleaseGroup.self, from: JSONEncoder().encode(world.group))
            #expect(decoded == world.group)
            let members = world.names.map { world[$0].rollout }
            #expect(
                planGroup(for: GroupSnapshot(group: decoded, members: members), now: world.now)
                    == planGroup(for: GroupSnapshot(group: world.group, members: members), now: world.now))
        }
    }
}
