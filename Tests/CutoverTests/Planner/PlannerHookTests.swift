import Foundation
import KubeModels
import Testing

@testable import Cutover

/// Gate hooks in the planner: where they are called, what their outcomes do.
@Suite("Planner: gate hooks")
struct PlannerHookTests {
    static func spec(pre: Bool = false, post: Bool = false, holdWindow: String? = nil, steps: [CanaryStep]? = nil) -> RolloutSpec {
        var spec = Fixture.spec(steps: steps, holdWindow: holdWindow)
        let hook = GateHook(url: "http://smoke.test/run", timeout: "10s", retries: 1)
        spec.hooks = RolloutHooks(preCutover: pre ? hook : nil, postCutover: post ? hook : nil)
        return spec
    }

    /// Steps (settling in between) until a plan asks for `hook` or `limit` plans were made.
    static func stepUntilCalled(_ world: inout World, _ hook: HookName, limit: Int = 10) -> ReleasePlan? {
        for _ in 0..<limit {
            world.advance(1)
            let plan = world.step()
            world.settle()
            if plan.steps.contains(.hook(hook.rawValue)) { return plan }
        }
        return nil
    }

    static func result(_ world: World, _ hook: HookName, passed: Bool, message: String) -> HookResult {
        HookResult(name: hook, revision: v2, passed: passed, attempts: 2, message: message, at: Timestamp(world.now))
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var hook: HookName
        var passed: Bool
        var phase: RolloutPhase
        var active: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "passing preCutover lets the cutover go on", hook: .preCutover, passed: true, phase: .healthy, active: v2),
        Case(name: "failing preCutover reverts before any traffic", hook: .preCutover, passed: false, phase: .rolledBack, active: v1),
        Case(name: "passing postCutover completes", hook: .postCutover, passed: true, phase: .healthy, active: v2),
        Case(name: "failing postCutover reverts to blue", hook: .postCutover, passed: false, phase: .rolledBack, active: v1),
    ])
    func aHookOutcomeDecides(_ testCase: Case) throws {
        var world = World.releasing(Self.spec(pre: testCase.hook == .preCutover, post: testCase.hook == .postCutover))
        world.settle()
        let calling = try #require(Self.stepUntilCalled(&world, testCase.hook), "no plan called \(testCase.hook)")
        let running = try #require(calling.status.hooks?.first)
        #expect(running.phase == .running)
        #expect(running.revision == v2)
        if testCase.hook == .preCutover {
            #expect(world.activeKey == .some(v1), "no traffic to green before the preCutover hook passed")
            #expect(calling.status.message?.contains("preCutover hook running") == true)
        } else {
            #expect(world.activeKey == .some(v2))
            #expect(world.deployment(v1)?.spec?.replicas == 4, "blue stays at full size while postCutover runs")
        }
        // Still running: the next look calls it again (a restarted controller has no call running).
        world.advance(1)
        #expect(world.step().steps.contains(.hook(testCase.hook.rawValue)))
        world.hookResults = [Self.result(world, testCase.hook, passed: testCase.passed, message: "HTTP 500: smoke test checkout failed")]
        world.converge()
        #expect(world.status.phase == testCase.phase)
        #expect(world.status.activeRevision == v1 || testCase.passed)
        #expect(world.activeKey == .some(testCase.active))
        let hook = try #require(world.status.hooks?.first)
        #expect(hook.phase == (testCase.passed ? .passed : .failed))
        #expect(hook.attempts == 2)
        #expect(world.status.history?.last?.hooks == [hook], "the closed record keeps its hooks")
        if !testCase.passed {
            let abort = try #require(world.status.abort)
            #expect(abort.reason == (testCase.hook == .preCutover ? "PreCutoverHookFailed" : "PostCutoverHookFailed"))
            #expect(abort.message == "\(testCase.hook.rawValue) hook failed after 2 attempts: HTTP 500: smoke test checkout failed")
            #expect(world.deployment(v2)?.spec?.replicas == 0)
        } else {
            #expect(world.status.history?.last?.timeline.map(\.type).contains(.hookPassed) == true)
        }
    }

    @Test func aHookThatNeverAnswersFailsAfterItsBudget() throws {
        var world = World.releasing(Self.spec(pre: true))
        world.settle()
        let calling = try #require(Self.stepUntilCalled(&world, .preCutover))
        // 2 attempts × 10 s + 1 s between them + 60 s of grace.
        #expect(calling.requeueAfter == 81)
        world.advance(81)
        world.converge()
        #expect(world.status.phase == .rolledBack)
        #expect(world.status.abort?.message == "preCutover hook: no answer within 1m21s")
        #expect(world.activeKey == .some(v1))
    }

    @Test func theHookIsToldWhatItGates() throws {
        var world = World.releasing(Self.spec(pre: true))
        world.settle()
        let plan = try #require(Self.stepUntilCalled(&world, .preCutover))
        let call = try #require(plan.actions.compactMap { if case .callHook(let call) = $0 { call } else { nil } }.first)
        #expect(call.payload == HookPayload(
            hook: .preCutover, rollout: "payment", namespace: "prod", revision: v2, blueRevision: v1, images: ["app=app:2"],
            activeService: "payment", previewService: "payment-preview", previewURL: "http://payment-preview.prod.svc.cluster.local"))
        #expect(world.services["payment-preview"]?.spec?.selector?[CutoverLabels.revision] == v2, "preview selects green for the smoke test")
    }

    @Test func aFirstRevisionCallsNoHook() {
        var world = World(Self.spec(pre: true, post: true))
        world.converge()
        #expect(world.status.phase == .healthy)
        #expect(world.hookCalls.isEmpty)
    }

    @Test func anOutcomeForAnotherRevisionIsIgnored() throws {
        var world = World.releasing(Self.spec(pre: true))
        world.settle()
        _ = try #require(Self.stepUntilCalled(&world, .preCutover))
        world.hookResults = [HookResult(name: .preCutover, revision: v1, passed: false, attempts: 1, message: "x", at: Timestamp(world.now))]
        world.step()
        #expect(world.status.phase == .promoting)
        #expect(world.status.hooks?.first?.phase == .running)
    }
}
