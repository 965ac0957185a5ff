import Foundation
import KubeModels
import Testing

@testable import Cutover

/// How a release ended (`ReleasePlan.outcome`): every way a release ends, driven plan by plan,
/// gives exactly one outcome, in the plan that ends it.
@Suite("Planner: release outcome")
struct PlannerOutcomeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// The world just before the event that ends the release.
        let given: @Sendable () -> World
        /// What happens next (the world then converges).
        let when: @Sendable (inout World) -> Void
        let outcomes: [ReleaseEnding]
        var testDescription: String { name }
    }

    static let hooked: @Sendable (HookName) -> RolloutSpec = { name in
        var spec = Fixture.spec(holdWindow: name == .postCutover ? "1m" : nil)
        let hook = GateHook(url: "http://smoke.test/run", timeout: "10s", retries: 1)
        spec.hooks = RolloutHooks(preCutover: name == .preCutover ? hook : nil, postCutover: name == .postCutover ? hook : nil)
        return spec
    }

    /// A release of app:2 whose `name` hook has been called and is running.
    static func hookRunning(_ name: HookName) -> World {
        var world = World.releasing(hooked(name))
        world.settle()
        for _ in 0..<10 where !(world.status.hooks ?? []).contains(where: { $0.name == name }) {
            world.advance(1)
            world.step()
            world.settle()
        }
        return world
    }

    static let cases: [Case] = [
        .init(name: "promoted after the hold window", given: { var w = World.inFirstStep(canarySpec); w.drive(to: .holdWindow); return w },
              when: { w in w.advance(600); w.measure(.value(0)) }, outcomes: [.promoted(revision: v2)]),
        .init(name: "promoted at once without steps or hold window", given: { World.releasing(plainSpec) },
              when: { w in w.settle() }, outcomes: [.promoted(revision: v2)]),
        .init(name: "promote-full during the hold window", given: { var w = World.inFirstStep(canarySpec); w.drive(to: .holdWindow); return w },
              when: { w in w.annotate(CutoverLabels.promoteFull, "1") }, outcomes: [.promoted(revision: v2)]),
        .init(name: "blue deleted while green serves: promoted", given: { var w = World.inFirstStep(canarySpec); w.drive(to: .holdWindow); return w },
              when: { w in w.deployments[dep(v1)] = nil }, outcomes: [.promoted(revision: v2)]),
        .init(name: "a breach reverts", given: { World.inFirstStep(canarySpec) },
              when: { w in w.advance(30); w.measure(.value(0.2)) }, outcomes: [.reverted(revision: v2, reason: "AnalysisBreach")]),
        .init(name: "errorLimit errors revert", given: {
            var spec = canarySpec; spec.analysis?.metrics = [Fixture.metric(errorLimit: 2)]
            var w = World.inFirstStep(spec); w.advance(30); w.measure(.error("down")); w.step(); return w
        }, when: { w in w.advance(30); w.measure(.error("down")) }, outcomes: [.reverted(revision: v2, reason: "AnalysisError")]),
        .init(name: "green never ready: the progress deadline reverts", given: { var w = World.releasing(plainSpec); w.neverReady = [v2]; w.settle(); return w },
              when: { w in w.advance(300) }, outcomes: [.reverted(revision: v2, reason: "ProgressDeadlineExceeded")]),
        .init(name: "the abort annotation reverts", given: { World.inFirstStep(canarySpec) },
              when: { w in w.annotate(CutoverLabels.abort, "1") }, outcomes: [.reverted(revision: v2, reason: "Aborted")]),
        .init(name: "green deleted while serving reverts", given: { var w = World.inFirstStep(canarySpec); w.drive(to: .holdWindow); return w },
              when: { w in w.deployments[dep(v2)] = nil }, outcomes: [.reverted(revision: v2, reason: "GreenDeploymentDeleted")]),
        .init(name: "a failed preCutover hook reverts", given: { hookRunning(.preCutover) }, when: { w in
            w.hookResults = [HookResult(name: .preCutover, revision: v2, passed: false, attempts: 1, message: "HTTP 500", at: Timestamp(w.now))]
        }, outcomes: [.reverted(revision: v2, reason: "PreCutoverHookFailed")]),
        .init(name: "a failed postCutover hook reverts", given: { hookRunning(.postCutover) }, when: { w in
            w.hookResults = [HookResult(name: .postCutover, revision: v2, passed: false, attempts: 1, message: "HTTP 500", at: Timestamp(w.now))]
        }, outcomes: [.reverted(revision: v2, reason: "PostCutoverHookFailed")]),
        .init(name: "a hook that never answers reverts", given: { hookRunning(.preCutover) },
              when: { w in w.advance(81) }, outcomes: [.reverted(revision: v2, reason: "PreCutoverHookFailed")]),
        .init(name: "a newer template supersedes", given: { World.inFirstStep(canarySpec) },
              when: { w in w.setTemplate(image: "app:3") }, outcomes: [.reverted(revision: v2, reason: "Superseded")]),
        .init(name: "the template set back to blue reverts", given: { World.inFirstStep(canarySpec) },
              when: { w in w.setTemplate(image: "app:1") }, outcomes: [.reverted(revision: v2, reason: "TemplateSetBackToBlue")]),
        .init(name: "a first revision has no outcome", given: { World(plainSpec) }, when: { _ in }, outcomes: []),
        .init(name: "a first revision superseded has no outcome", given: { var w = World(plainSpec); w.step(); return w },
              when: { w in w.setTemplate(image: "app:2") }, outcomes: []),
        .init(name: "blue deleted before any traffic: green goes on as a first revision, no outcome",
              given: { World.releasing(plainSpec) }, when: { w in w.deployments[dep(v1)] = nil }, outcomes: []),
        .init(name: "a release still in flight has no outcome", given: { World.releasing(canarySpec) },
              when: { w in w.settle() }, outcomes: []),
    ]

    @Test(arguments: cases)
    func eachWayOfEndingHasOneOutcome(_ testCase: Case) {
        var world = testCase.given()
        testCase.when(&world)
        var outcomes: [ReleaseEnding] = []
        for _ in 0..<12 {
            let before = (world.rollout.status, world.deployments, world.services)
            let plan = world.step()
            if let outcome = plan.outcome { outcomes.append(outcome) }
            world.settle()
            if before == (world.rollout.status, world.deployments, world.services) { break }
        }
        #expect(outcomes == testCase.outcomes)
    }

    @Test func theOutcomeComesWithThePlanThatEndsTheRelease() {
        var world = World.inFirstStep(canarySpec)
        world.advance(30)
        world.measure(.value(0.2))
        let plan = world.step()
        #expect(plan.outcome == .reverted(revision: v2, reason: "AnalysisBreach"))
        #expect(plan.outcome?.revision == v2)
        #expect(plan.status.phase == .rolledBack)
        #expect(world.step().outcome == nil, "the next plan reports nothing again")
    }
}
