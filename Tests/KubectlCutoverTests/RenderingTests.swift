import Cutover
import CutoverCLI
import Foundation
import KubeModels
import Testing

/// Status lines, outcomes and trees from hand-written statuses: the parts no live run holds still
/// long enough for (measurements, a breach with its numbers, Promoting, Degraded).
@Suite("rendering without a server")
struct RenderingTests {
    @Test(arguments: RolloutPhase.allCases)
    func everyPhaseHasAnOutcomeOrIsInFlight(phase: RolloutPhase) {
        let expected: [RolloutPhase: ReleaseOutcome] = [
            .healthy: .healthy, .rolledBack: .failed, .invalidSpec: .failed, .degraded: .failed, .awaitingApproval: .awaitingApproval,
        ]
        #expect(ReleaseOutcome.of(Fixtures.rollout(phase: phase)) == expected[phase])
        let line = StatusLine.line(for: Fixtures.rollout(phase: phase))
        #expect(line.hasPrefix(phase.rawValue), "\(line)")
    }

    @Test func anOlderGenerationIsNeverAnOutcome() {
        var rollout = Fixtures.rollout(phase: .healthy)
        rollout.metadata.generation = 4
        #expect(ReleaseOutcome.of(rollout) == nil)
        #expect(StatusLine.line(for: rollout) == "Healthy — the controller has not acted on generation 4 yet (observed 3)")
    }

    @Test func aBreachNamesMetricValueAndLimit() {
        let line = StatusLine.line(for: Fixtures.rollout(phase: .rolledBack))
        #expect(line == "RolledBack — AnalysisBreach: error-rate 0.2418 > max 0.05 (metric error-rate, value 0.2418, limit 0.05); reverted green22222")
    }

    @Test func aCanaryLineCountsChecks() {
        let line = StatusLine.line(for: Fixtures.rollout(phase: .canary, metrics: true))
        #expect(line == "Canary 20% (step 1/2) — error-rate 0.2418 > max 0.05, 1/3 checks passed")
    }

    @Test func listGroupsByNamespaceThenReleaseGroup() {
        func rollout(_ name: String, _ namespace: String, group: String?) -> Rollout {
            var rollout = Fixtures.rollout(phase: .healthy)
            rollout.metadata.name = name
            rollout.metadata.namespace = namespace
            rollout.metadata.labels = group.map { [CutoverLabels.group: $0] }
            return rollout
        }
        let rollouts = [
            rollout("cart", "shop", group: "checkout"), rollout("search", "shop", group: nil), rollout("api", "shop", group: "checkout"),
            rollout("web", "blog", group: nil),
        ]
        let lines = ListCommand.table(rollouts, deployments: [], allNamespaces: true, now: Fixtures.at.date)
        let cells = lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(3).joined(separator: " ") }
        #expect(cells == ["NAMESPACE GROUP NAME", "blog <none> web", "shop <none> search", "shop checkout api", "shop checkout cart"])
    }

    @Test func aJudgedMetricAndTheScoreInTheLineAndTheTree() {
        var rollout = Fixtures.rollout(phase: .canary, metrics: true)
        rollout.spec.analysis?.metrics?[0].baseline = "b"
        rollout.spec.analysis?.metrics?[0].judge = JudgeSpec(window: "10m", minEffect: 0.05)
        rollout.status?.analysis?[0].history.append(
            MeasurementRecord(at: Fixtures.at, revision: "green22222", value: 0.104, baseline: 0.1, verdict: .marginal, message: "latency +4%"))
        rollout.status?.score = ReleaseScore(value: 62, result: .marginal, since: Fixtures.at, message: "error-rate 62 (1 Pass, 1 Marginal, …)")
        #expect(StatusLine.line(for: rollout) == "Canary 20% (step 1/2) — latency +4%, 2/4 checks passed, score 62 (Marginal)")
        let view = ReleaseView(rollout: rollout, deployments: [], services: [:], now: Fixtures.at.date)
        let tree = TreeRenderer.render(view)
        #expect(tree.contains { $0.hasSuffix("Analysis — score 62 (Marginal)") }, "\(tree)")
        #expect(tree.contains { $0.contains("error-rate (max 0.05, MannWhitney vs blue over 10m, minEffect 5%): ") && $0.contains("≈ 0.104") }, "\(tree)")
    }

    @Test func theCanaryTreeWithAnalysis() throws {
        let rollout = Fixtures.rollout(phase: .canary, metrics: true)
        let deployments = [
            Fixtures.deployment("green22222", image: "example/web:2", replicas: 1, ready: 1, created: 1_800_000_000),
            Fixtures.deployment("blue111111", image: "example/web:1", replicas: 3, ready: 3, created: 1_700_000_000),
            Fixtures.deployment("old0000000", image: "example/web:0", replicas: 0, ready: 0, created: 1_600_000_000),
        ]
        let services = [
            "web": Service(metadata: ObjectMeta(name: "web"), spec: ServiceSpec(selector: ["app": "web"])),
            "web-preview": Service(metadata: ObjectMeta(name: "web-preview"), spec: ServiceSpec(selector: ["app": "web", CutoverLabels.revision: "green22222"])),
        ]
        let view = ReleaseView(rollout: rollout, deployments: deployments, services: services, now: Fixtures.at.date.addingTimeInterval(20))
        try expectGolden(TreeRenderer.render(view).joined(separator: "\n") + "\n", "tree-canary-analysis")
    }

    /// The gate hooks of the release in flight, one tree line each: running with its age, passed
    /// with its attempts, failed with the answer.
    @Test func gateHooksOfTheCurrentReleaseAreLinesInTheTree() throws {
        var rollout = Fixtures.rollout(phase: .promoting)
        var passed = HookStatus(name: .preCutover, revision: "green22222", phase: .passed, startedAt: Fixtures.at)
        passed.attempts = 2
        passed.finishedAt = Fixtures.at
        passed.message = "HTTP 200: ok"
        let running = HookStatus(name: .postCutover, revision: "green22222", phase: .running, startedAt: Fixtures.at)
        let other = HookStatus(name: .preCutover, revision: "old0000000", phase: .failed, startedAt: Fixtures.at)
        rollout.status?.hooks = [passed, running, other]
        let view = ReleaseView(rollout: rollout, deployments: [], services: [:], now: Fixtures.at.date.addingTimeInterval(12))
        let lines = TreeRenderer.render(view)
        #expect(lines.contains("├── Gate preCutover: Passed (2 attempts)"), "\(lines)")
        #expect(lines.contains("└── Gate postCutover: Running since 12s"), "\(lines)")
        #expect(!lines.joined().contains("Failed"), "hooks of other revisions are not shown")

        var failed = HookStatus(name: .preCutover, revision: "green22222", phase: .failed, startedAt: Fixtures.at)
        failed.attempts = 1
        failed.message = "HTTP 500: " + String(repeating: "x", count: 200)
        var reverted = Fixtures.rollout(phase: .rolledBack)
        reverted.status?.hooks = [failed]
        let line = try #require(TreeRenderer.render(ReleaseView(rollout: reverted, deployments: [], services: [:], now: Fixtures.at.date)).last)
        #expect(line.hasPrefix("└── Gate preCutover: Failed (1 attempt): HTTP 500: xxx") && line.hasSuffix("x…") && line.count < 170, "\(line)")
    }

    @Test func historyFromStatusDeploymentsAndEvents() {
        let rollout = Fixtures.rollout(phase: .rolledBack)
        let deployments = [
            Fixtures.deployment("green22222", image: "example/web:2", replicas: 0, ready: 0, created: 1_800_000_000),
            Fixtures.deployment("blue111111", image: "example/web:1", replicas: 3, ready: 3, created: 1_700_000_000),
            Fixtures.deployment("old0000000", image: "example/web:0", replicas: 0, ready: 0, created: 1_600_000_000),
            Fixtures.deployment("older00000", image: "example/web:00", replicas: 0, ready: 0, created: 1_500_000_000),
        ]
        var superseded = Event(metadata: ObjectMeta(name: "e1"), involvedObject: ObjectReference(kind: "Rollout", name: "web"))
        // As a controller writes it: one Event for the plan that superseded old0000000 and started blue111111.
        let told = RolloutEvent.folding([
            RolloutEvent(reason: "Superseded", message: "a new template blue111111 supersedes old0000000"),
            RolloutEvent(reason: "ReleaseStarted", message: "releasing blue111111; old0000000 serves meanwhile"),
        ])
        superseded.reason = told?.reason
        superseded.message = told?.message
        superseded.lastTimestamp = Timestamp(Date(timeIntervalSince1970: 1_700_000_000))
        let history = RevisionHistory(rollout: rollout, deployments: deployments, events: [superseded])
        #expect(history.entries.map(\.revision) == ["green22222", "blue111111", "old0000000", "older00000"])
        #expect(history.entries[0].outcome.hasPrefix("reverted: AnalysisBreach: error-rate 0.2418 > max 0.05"))
        #expect(history.entries[0].ended == Fixtures.at)
        #expect(history.entries[1].outcome == "promoted, serving")
        #expect(history.entries[2].outcome == "superseded by blue111111" && history.entries[2].source == "event")
        #expect(history.entries[3].outcome == "replaced (outcome not recorded)")
        #expect(history.lines().first?.hasPrefix("REVISION     IMAGES") == true, "\(history.lines())")
    }

    /// A template waiting at the promotion gate, and the release it let through.
    static func gated(reason: String, message: String) -> Rollout {
        var rollout = Fixtures.rollout(phase: .awaitingPromotion)
        rollout.status?.message = "green33333 awaits promotion: \(message)"
        rollout.status?.promotion = PromotionStatus(
            revision: "green33333", allowed: false, reason: reason, message: message, checkedAt: Fixtures.at,
            sources: [PromotionSourceStatus(source: "staging/web", verified: false, reason: reason, message: String(message.dropFirst("staging/web ".count)))])
        return rollout
    }

    @Test func aTemplateWaitingAtThePromotionGate() throws {
        let soaking = Self.gated(reason: "Soaking", message: "staging/web soaked 12m of 30m")
        #expect(ReleaseOutcome.of(soaking) == nil, "still in flight: it goes on once soaked")
        #expect(StatusLine.line(for: soaking) == "AwaitingPromotion — green33333 awaits promotion: staging/web soaked 12m of 30m")
        let tree = TreeRenderer.render(ReleaseView(rollout: soaking, deployments: [], services: [:], now: Fixtures.at.date))
        #expect(tree.contains { $0.hasSuffix("Gate promotion: green33333 waiting for staging/web: soaked 12m of 30m") }, "\(tree)")
        let refused = Self.gated(reason: "RolledBack", message: "staging/web rolled back example/web:3: error-rate 0.2 > 0.05")
        #expect(ReleaseOutcome.of(refused) == .failed, "staging rolled it back: it will not pass unless overridden")
        #expect(throws: CLIError.self) { try RolloutAction.promote.plan(for: refused, token: "1") }
    }

    @Test func historySaysWhereEachReleaseWasVerified() {
        var rollout = Fixtures.rollout(phase: .healthy)
        var verified = ReleaseRecord(revision: "blue111111", images: ["app=example/web:2"], startedAt: Fixtures.at)
        verified.outcome = .promoted
        verified.promotion = PromotionStatus(
            revision: "blue111111", allowed: true, reason: "Verified", message: "verified in staging/web in staging-cluster",
            sources: [PromotionSourceStatus(source: "staging/web in staging-cluster", verified: true, reason: "Verified", message: "released example/web:2")])
        var overridden = ReleaseRecord(revision: "old0000000", images: ["app=example/web:1"], startedAt: Fixtures.at)
        overridden.outcome = .promoted
        overridden.promotion = PromotionStatus(
            revision: "old0000000", allowed: true, reason: "Overridden", message: "x",
            override: PromotionOverride(value: "INC-7", by: "kubectl-annotate", at: Fixtures.at))
        rollout.status?.history = [overridden, verified]
        let history = RevisionHistory(rollout: rollout, deployments: [], events: [])
        #expect(history.entries.map(\.verified) == ["staging/web in staging-cluster", "unverified: INC-7 (by kubectl-annotate)"])
        let lines = history.lines()
        #expect(lines[0].contains("ENDED") && lines[0].contains("VERIFIED") && lines[0].hasSuffix("OUTCOME"), "\(lines)")
        #expect(lines[1].contains("staging/web in staging-cluster"))
        // Without a promotion gate the table has no VERIFIED column.
        #expect(!RevisionHistory(rollout: Fixtures.rollout(phase: .healthy), deployments: [], events: []).lines()[0].contains("VERIFIED"))
    }

    @Test(arguments: [(0.0, "0s"), (45, "45s"), (119, "119s"), (300, "5m"), (330, "5m30s"), (3600, "60m"), (3 * 3600 + 600, "3h10m"), (2 * 86400, "2d")] as [(Double, String)])
    func agesReadAsKubectlPrintsThem(seconds: Double, text: String) {
        #expect(Age.format(seconds: seconds) == text)
    }

    @Test func outputFormatsParseLikeKubectl() throws {
        #expect(try OutputFormat(flag: nil) == .tree)
        #expect(try OutputFormat(flag: "json") == .json)
        #expect(throws: CLIError.self) { try OutputFormat(flag: "wide") }
    }
}
