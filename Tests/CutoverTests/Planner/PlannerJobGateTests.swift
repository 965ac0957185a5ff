import Foundation
import KubeModels
import Testing

@testable import Cutover

/// Gates that are Jobs, and the preRelease gate: what the plan asks for, and what waits for them.
@Suite("Planner: Job gates")
struct PlannerJobGateTests {
    static let migration = JobGate(
        template: PodTemplateSpec(spec: ["restartPolicy": "Never", "containers": [["name": "migrate", "image": "migrate:2"]]]))

    static func spec(_ name: HookName) -> RolloutSpec {
        var spec = Fixture.spec(steps: [CanaryStep(weight: 25, pause: "0s")])
        let gate = GateHook(job: migration, timeout: "5m")
        spec.hooks = RolloutHooks(preRelease: name == .preRelease ? gate : nil, preCutover: name == .preCutover ? gate : nil)
        return spec
    }

    static func calls(_ plan: ReleasePlan) -> [HookCall] {
        (plan.actions + plan.afterStatus).compactMap { if case .callHook(let call) = $0 { call } else { nil } }
    }

    @Test func aPreReleaseJobRunsBeforeGreenExists() throws {
        var world = World.healthy(Self.spec(.preRelease))
        world.setTemplate(image: "app:2")
        let plan = world.step()
        let call = try #require(Self.calls(plan).first)
        let job = try #require(call.job)
        #expect(call.name == .preRelease)
        #expect(job.metadata.name == "payment-\(v2)-pre-release")
        #expect(job.metadata.labels == [CutoverLabels.rollout: "payment", CutoverLabels.revision: v2, CutoverLabels.hook: "preRelease"])
        #expect(job.metadata.ownerReferences?.first?.kind == "Rollout" && job.metadata.ownerReferences?.first?.controller == true)
        #expect(job.spec?.backoffLimit == 0 && job.spec?.activeDeadlineSeconds == 300 && job.spec?.template == Self.migration.template)
        #expect(!plan.steps.contains { if case .create = $0 { true } else { false } }, "no green before the migration passed")
        #expect(plan.status.hooks?.first?.phase == .running)

        // A restarted controller looks again: the same Job is asked for, and still no green.
        world.settle()
        world.advance(5)
        let again = world.step()
        #expect(Self.calls(again).first?.job == job)
        #expect(world.deployment(v2) == nil)

        world.hookResults = [HookResult(name: .preRelease, revision: v2, passed: true, attempts: 1, message: "Job done", at: Timestamp(world.now))]
        let passed = world.step()
        #expect(passed.steps.contains(.create(dep(v2), 1)), "\(passed.steps)")
    }

    @Test func aFailedPreReleaseJobRevertsWithItsMessageAndNothingCreated() throws {
        var world = World.healthy(Self.spec(.preRelease))
        world.setTemplate(image: "app:2")
        world.step()
        world.settle()
        let message = "Job payment-\(v2)-pre-release failed (BackoffLimitExceeded: Job has reached the specified backoff limit); migrate-x7kqz: ERROR: relation exists"
        world.hookResults = [HookResult(name: .preRelease, revision: v2, passed: false, attempts: 1, message: message, at: Timestamp(world.now))]
        let plan = world.step()
        #expect(plan.status.phase == .rolledBack)
        #expect(plan.status.abort?.reason == "PreReleaseHookFailed")
        #expect(plan.status.abort?.message == "preRelease gate: \(message)")
        #expect(world.deployment(v2) == nil)
    }

    @Test func aPreCutoverJobIsAskedForWhenGreenIsReady() throws {
        var world = World.releasing(Self.spec(.preCutover))
        var call: HookCall?
        for _ in 0..<10 where call == nil {
            world.settle()
            world.advance(31)
            world.measure(.value(0))
            call = Self.calls(world.step()).first
        }
        #expect(call?.name == .preCutover && call?.job?.metadata.name == "payment-\(v2)-pre-cutover")
    }

    @Test func aJobMetricIsMeasuredByAJobPerMeasurementJudgedByItsOutcome() throws {
        var spec = Fixture.spec(steps: [CanaryStep(weight: 25, pause: "0s")])
        spec.analysis = AnalysisSpec(metrics: [MetricSpec(name: "smoke", job: MetricJob(template: Self.migration.template, timeout: "2m"))])
        var world = World.inFirstStep(spec)
        world.advance(31)
        let plan = world.step()
        let query = try #require(plan.actions.compactMap { if case .measure(let queries) = $0 { queries.first } else { nil } }.first)
        guard case .job(let job, let timeout) = query.source else { Issue.record("\(query.source)"); return }
        #expect(timeout == 120 && job.spec?.activeDeadlineSeconds == 120 && job.spec?.backoffLimit == 0)
        #expect(job.metadata.name == MetricJob.jobName(rollout: "payment", metric: "smoke", at: Int64(world.now.timeIntervalSince1970)))
        #expect(job.metadata.labels?[CutoverLabels.metric] == "smoke" && job.metadata.labels?[CutoverLabels.revision] == v2)
        world.settle()
        world.measure(.check(passed: false, message: "Job payment-smoke-x failed (BackoffLimitExceeded); smoke-abcde: 502 from /checkout"))
        let failed = world.step()
        #expect(failed.status.phase == .rolledBack)
        #expect(failed.status.abort?.message == "smoke: Job payment-smoke-x failed (BackoffLimitExceeded); smoke-abcde: 502 from /checkout")
    }

    @Test func jobNamesStayLabelValues() {
        let metricJob = MetricJob.jobName(rollout: String(repeating: "r", count: 52), metric: String(repeating: "m", count: 63), at: 1_790_000_000)
        #expect(metricJob.count <= 63 && metricJob.hasSuffix("-" + String(1_790_000_000, radix: 36)))
        let long = String(repeating: "a", count: 52)
        let name = JobGate.jobName(rollout: long, revision: "0123456789", hook: .postCutover)
        #expect(name.count <= 63 && name.hasSuffix("-0123456789-post-cutover") && name.hasPrefix("aaaa"))
        #expect(JobGate.jobName(rollout: "ab-" + long, revision: "0123456789", hook: .preRelease).count <= 63)
    }
}
