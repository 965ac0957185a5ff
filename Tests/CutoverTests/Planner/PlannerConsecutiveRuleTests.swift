import Foundation
import KubeModels
import Testing

@testable import Cutover

/// One metric's results in the first canary step, one letter each (P pass, B breach, I no data,
/// E query error), and what the release does: revert (and why) or take the next step, at which
/// result; nil: neither.
struct ConsecutiveRuleCase: Sendable, CustomTestStringConvertible {
    enum Decision: Sendable, Equatable {
        case revert(String)
        case nextStep
    }

    let name: String
    let metric: MetricSpec
    /// The first step's pause: long where only the breaches matter, none where the passes do.
    let pause: String
    let results: String
    let expected: (decision: Decision, at: Int)?
    var testDescription: String { name }

    static func breaches(_ name: String, failure: Int32? = nil, row: Int32? = nil, errors: Int32? = nil, _ results: String, _ expected: (Decision, Int)?)
        -> ConsecutiveRuleCase
    {
        ConsecutiveRuleCase(
            name: name, metric: Fixture.metric(failureLimit: failure, errorLimit: errors, consecutiveBreachLimit: row), pause: "10m", results: results,
            expected: expected)
    }

    static func passes(_ name: String, failure: Int32? = nil, row: Int32? = nil, _ results: String, _ expected: (Decision, Int)?) -> ConsecutiveRuleCase {
        ConsecutiveRuleCase(
            name: name, metric: Fixture.metric(failureLimit: failure, consecutiveSuccessLimit: row), pause: "0s", results: results, expected: expected)
    }

    static let all: [ConsecutiveRuleCase] = [
        .breaches("defaults: the first breach reverts", "PB", (.revert("AnalysisBreach"), 1)),
        .breaches("consecutiveBreachLimit 3: the third in a row reverts", row: 3, "BBB", (.revert("AnalysisBreach"), 2)),
        .breaches("consecutiveBreachLimit 3: a pass ends the row", row: 3, "BBPBB", nil),
        .breaches("consecutiveBreachLimit 3: a row after a pass", row: 3, "BBPBBB", (.revert("AnalysisBreach"), 5)),
        .breaches("consecutiveBreachLimit 2: no data does not end the row", row: 2, "BIB", (.revert("AnalysisBreach"), 2)),
        .breaches("consecutiveBreachLimit 2: errorLimit errors are a breach of the row", row: 2, errors: 1, "BE", (.revert("AnalysisError"), 1)),
        .breaches("failureLimit 2, consecutiveBreachLimit 2: both must be crossed", failure: 2, row: 2, "BPBPB", nil),
        .breaches("failureLimit 2, consecutiveBreachLimit 2: the third breach, second in a row", failure: 2, row: 2, "BPBB", (.revert("AnalysisBreach"), 3)),
        .breaches("failureLimit 3, consecutiveBreachLimit 2: a row within the tolerance", failure: 3, row: 2, "BBBB", (.revert("AnalysisBreach"), 3)),
        .passes("defaults: one pass takes the step", "IP", (.nextStep, 1)),
        .passes("consecutiveSuccessLimit 3: the third pass in a row", row: 3, "PPP", (.nextStep, 2)),
        .passes("consecutiveSuccessLimit 3: no data ends the row", row: 3, "PPIPP", nil),
        .passes("consecutiveSuccessLimit 3: a row after no data", row: 3, "PPIPPP", (.nextStep, 5)),
        .passes("consecutiveSuccessLimit 2: a tolerated breach ends the row", failure: 1, row: 2, "PBP", nil),
        .passes("consecutiveSuccessLimit 2: a row after a tolerated breach", failure: 1, row: 2, "PBPP", (.nextStep, 3)),
    ]
}

@Suite("Planner: consecutive rules")
struct PlannerConsecutiveRuleTests {
    @Test(arguments: ConsecutiveRuleCase.all)
    func decision(_ rule: ConsecutiveRuleCase) throws {
        var spec = canarySpec
        spec.strategy?.canary?.steps[0].pause = rule.pause
        spec.analysis?.metrics = [rule.metric]
        var world = World.inFirstStep(spec)
        try #require(world.status.phase == .canary && world.status.currentStepIndex == 0)
        var decided: (decision: ConsecutiveRuleCase.Decision, at: Int)?
        for (index, result) in rule.results.enumerated() where decided == nil {
            world.advance(31)
            switch result {
            case "P": world.measure(.value(0))
            case "B": world.measure(.value(0.2))
            case "I": world.measure(.noData)
            default: world.measure(.error("connection refused"))
            }
            let plan = world.step()
            world.settle()
            if plan.status.phase == .rolledBack {
                decided = (.revert(plan.status.abort?.reason ?? "-"), index)
            } else if plan.status.currentStepIndex == 1 {
                decided = (.nextStep, index)
            }
        }
        #expect(decided?.decision == rule.expected?.decision && decided?.at == rule.expected?.at, "decided \(String(describing: decided))")
    }
}
