import Foundation
import KubeModels
import Testing

@testable import Cutover

/// A judged metric's results in the first canary step, one letter each (P pass, M marginal, B
/// breach, I no data), under `analysis.score`, and what the release does at the last one.
struct ScoreCase: Sendable, CustomTestStringConvertible {
    enum Decision: Sendable, Equatable {
        case nextStep
        case awaitApproval(String)
        case revert(String)
    }

    let name: String
    let score: ScoreSpec?
    var successes: Int32? = nil
    let results: String
    let decision: Decision
    /// `status.score` after the last result.
    let value: Int32
    let result: ScoreResult?
    var testDescription: String { name }

    static let all: [ScoreCase] = [
        .init(name: "a pass scores 100 and goes ahead", score: ScoreSpec(pass: 90), results: "P", decision: .nextStep, value: 100, result: .pass),
        .init(
            name: "a marginal result scores 50: marginal, a human decides", score: ScoreSpec(pass: 90, marginal: 40), results: "M",
            decision: .awaitApproval("MarginalScore: release score 50 is below pass 90: latency 50 (1 Marginal)"), value: 50, result: .marginal),
        .init(
            name: "below marginal reverts", score: ScoreSpec(pass: 90, marginal: 60), results: "M",
            decision: .revert("AnalysisScore: release score 50 is below marginal 60: latency 50 (1 Marginal)"), value: 50, result: .fail),
        .init(name: "without thresholds the score is only reported", score: nil, results: "M", decision: .nextStep, value: 50, result: nil),
        .init(
            name: "no data earlier in the window lowers the score", score: ScoreSpec(pass: 100, marginal: 0), results: "IP",
            decision: .awaitApproval("MarginalScore: release score 50 is below pass 100: latency 50 (1 Pass, 1 Inconclusive)"), value: 50,
            result: .marginal),
        .init(
            name: "marginal results count toward consecutiveSuccessLimit", score: ScoreSpec(pass: 70), successes: 2, results: "PM", decision: .nextStep,
            value: 75, result: .pass),
        .init(
            name: "a breach reverts by the metric's own rule first", score: ScoreSpec(pass: 10), results: "B",
            decision: .revert("AnalysisBreach: latency median 120 vs blue 100 (+20%): a significant increase (p<0.0001, 20/20 samples) of at least minEffect 10%"),
            value: 0, result: nil),
    ]
}

@Suite("Planner: judge and release score")
struct PlannerScoreTests {
    static func spec(score: ScoreSpec?, successes: Int32? = nil, steps: [CanaryStep]? = [CanaryStep(weight: 20), CanaryStep(weight: 50)]) -> RolloutSpec {
        let latency = MetricSpec(
            name: "latency", query: "latency{revision=\"{{green}}\"}", baseline: "latency{revision=\"{{blue}}\"}",
            consecutiveSuccessLimit: successes, judge: JudgeSpec())
        var spec = Fixture.spec(replicas: 4, steps: steps, holdWindow: "10m", metrics: [latency])
        spec.analysis?.score = score
        return spec
    }

    static func sample(_ letter: Character) -> (Measurement.Sample, Measurement.Sample) {
        let blue = StatisticalJudgeCase.blue
        switch letter {
        case "P": return (.series(blue), .series(blue))
        case "M": return (.series(StatisticalJudgeCase.shifted(by: 4)), .series(blue))
        case "B": return (.series(StatisticalJudgeCase.scaled(by: 1.2)), .series(blue))
        default: return (.noData, .series(blue))
        }
    }

    @Test(arguments: ScoreCase.all)
    func decision(_ row: ScoreCase) throws {
        var world = World.inFirstStep(Self.spec(score: row.score, successes: row.successes))
        try #require(world.status.phase == .canary && world.status.currentStepIndex == 0)
        var plan: ReleasePlan?
        for letter in row.results {
            world.advance(31)
            let (green, blue) = Self.sample(letter)
            world.measure(green, baseline: blue)
            plan = world.step()
            world.settle()
        }
        let status = try #require(plan?.status)
        switch row.decision {
        case .nextStep:
            #expect(status.currentStepIndex == 1 && status.phase == .canary)
        case .awaitApproval(let reason):
            #expect(status.phase == .awaitingApproval)
            #expect(status.approvalReason == reason)
        case .revert(let text):
            #expect(status.phase == .rolledBack)
            #expect(status.abort.map { "\($0.reason): \($0.message ?? "")" } == text)
        }
        if row.result != nil || row.decision == .nextStep {
            #expect(status.score?.value == row.value && status.score?.result == row.result, "\(String(describing: status.score))")
        }
    }

    @Test func theScoreAveragesEachMetricsResultsInTheWindowThenTheMetrics() {
        let start = Timestamp(Fixture.epoch)
        func results(_ verdicts: [Verdict], revision: String = "g", from offset: Double = 1) -> [MeasurementRecord] {
            verdicts.enumerated().map { MeasurementRecord(at: Timestamp(Fixture.epoch.addingTimeInterval(offset + Double($0.offset))), revision: revision, verdict: $0.element) }
        }
        var a = MetricStatus(name: "a"), b = MetricStatus(name: "b"), c = MetricStatus(name: "c")
        // Before the window and of another green: not counted.
        a.history = results([.breach], from: 0) + results([.breach], revision: "old") + results([.pass, .marginal, .inconclusive])
        b.history = results([.pass, .pass])
        let metrics = ["a", "b"].map { MetricSpec(name: $0, query: "q", max: 1) }
        let score = ReleaseScore.of([a, b], metrics: metrics, green: "g", since: start, thresholds: ScoreSpec(pass: 80, marginal: 75))
        #expect(score == ReleaseScore(value: 75, result: .marginal, since: start, message: "a 50 (1 Pass, 1 Marginal, 1 Inconclusive), b 100 (2 Pass)"))
        // Three metrics of a third each round down, not to 99.
        c.history = results([.pass, .pass, .error])
        let thirds = ReleaseScore.of([b, c], metrics: ["b", "c"].map { MetricSpec(name: $0, query: "q", max: 1) }, green: "g", since: start, thresholds: nil)
        #expect(thirds?.value == 83 && thirds?.result == nil)
        // A metric without a result in the window: no score yet.
        #expect(ReleaseScore.of([a, b], metrics: metrics + [MetricSpec(name: "d", query: "q", max: 1)], green: "g", since: start, thresholds: nil) == nil)
    }

    @Test func theJudgedMetricIsMeasuredWithSubqueriesOfBothSides() throws {
        var world = World.inFirstStep(Self.spec(score: nil))
        world.advance(31)
        let plan = world.step()
        let queries = plan.actions.flatMap { action -> [MetricQuery] in if case .measure(let queries) = action { queries } else { [] } }
        guard case .prometheus(let query)? = queries.first?.source else { Issue.record("\(queries)"); return }
        #expect(query.sampled)
        #expect(query.query == "(latency{revision=\"\(v2)\"})[5m:15s]")
        #expect(query.baseline == "(latency{revision=\"\(v1)\"})[5m:15s]")
    }

    @Test func aPromoteApprovesAMarginalScoreForTheRestOfTheRelease() throws {
        var world = World.inFirstStep(Self.spec(score: ScoreSpec(pass: 90, marginal: 40)))
        world.advance(31)
        let (green, blue) = Self.sample("M")
        world.measure(green, baseline: blue)
        world.step()
        world.settle()
        try #require(world.status.phase == .awaitingApproval)
        world.annotate(CutoverLabels.promote, "ok")
        world.step()
        world.settle()
        #expect(world.status.manualPromotion == "promote")
        // Marginal all through the hold window: approved once, the release completes.
        for _ in 0..<25 where world.status.phase != .healthy {
            world.advance(30)
            world.measure(green, baseline: blue)
            world.step()
            world.settle()
        }
        #expect(world.status.phase == .healthy)
        #expect(world.status.activeRevision == v2)
    }

    @Test func aMarginalHoldWindowWaitsForAHumanAfterTheCutover() throws {
        var world = World.releasing(Self.spec(score: ScoreSpec(pass: 90, marginal: 40), steps: nil))
        world.settle()
        world.converge()
        try #require(world.status.phase == .holdWindow)
        let (green, blue) = Self.sample("M")
        for _ in 0..<25 where world.status.phase == .holdWindow {
            world.advance(30)
            world.measure(green, baseline: blue)
            world.step()
            world.settle()
        }
        #expect(world.status.phase == .awaitingApproval)
        #expect(world.status.approvalReason?.hasPrefix("MarginalScore: release score 50 is below pass 90") == true)
        #expect(world.status.traffic == .green)
        world.annotate(CutoverLabels.promote, "ok")
        world.converge()
        #expect(world.status.phase == .healthy)
        #expect(world.status.score?.value == 50)
    }
}
