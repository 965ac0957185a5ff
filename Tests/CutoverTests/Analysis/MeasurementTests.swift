import Foundation
import Testing

@testable import Cutover

struct JudgeCase: Sendable, CustomTestStringConvertible {
    let name: String
    let metric: MetricSpec
    let value: Measurement.Sample
    let baseline: Measurement.Sample?
    let verdict: Verdict
    var testDescription: String { name }
}

@Suite("Measurement verdicts")
struct MeasurementTests {
    static let relative = MetricSpec(name: "latency", query: "q", baseline: "b", maxIncrease: 0.25)
    static let floor = MetricSpec(name: "success", query: "q", baseline: "b", maxDecrease: 0.1)

    static let cases: [JudgeCase] = [
        .init(name: "under max passes", metric: Fixture.metric(), value: .value(0.005), baseline: nil, verdict: .pass),
        .init(name: "at max passes", metric: Fixture.metric(), value: .value(0.01), baseline: nil, verdict: .pass),
        .init(name: "over max breaches", metric: Fixture.metric(), value: .value(0.2), baseline: nil, verdict: .breach),
        .init(name: "under min breaches", metric: MetricSpec(name: "rps", query: "q", min: 10), value: .value(3), baseline: nil, verdict: .breach),
        .init(name: "no data is inconclusive by default", metric: Fixture.metric(), value: .noData, baseline: nil, verdict: .inconclusive),
        .init(name: "NaN is no data", metric: Fixture.metric(), value: .value(.nan), baseline: nil, verdict: .inconclusive),
        .init(name: "no data with Fail breaches", metric: Fixture.metric(noData: "Fail"), value: .noData, baseline: nil, verdict: .breach),
        .init(name: "no data with Pass passes", metric: Fixture.metric(noData: "Pass"), value: .noData, baseline: nil, verdict: .pass),
        .init(name: "query error is an error", metric: Fixture.metric(), value: .error("timeout"), baseline: nil, verdict: .error),
        .init(name: "25% worse than blue passes", metric: relative, value: .value(1.25), baseline: .value(1.0), verdict: .pass),
        .init(name: "30% worse than blue breaches", metric: relative, value: .value(1.3), baseline: .value(1.0), verdict: .breach),
        .init(name: "baseline missing is inconclusive", metric: relative, value: .value(1.0), baseline: .noData, verdict: .inconclusive),
        .init(name: "baseline error is an error", metric: relative, value: .value(1.0), baseline: .error("down"), verdict: .error),
        .init(name: "drop within maxDecrease passes", metric: floor, value: .value(0.95), baseline: .value(1.0), verdict: .pass),
        .init(name: "drop beyond maxDecrease breaches", metric: floor, value: .value(0.8), baseline: .value(1.0), verdict: .breach),
    ]

    @Test(arguments: cases)
    func judge(_ judged: JudgeCase) {
        let measurement = Measurement(metric: judged.metric.name, revision: "g", at: Fixture.epoch, value: judged.value, baseline: judged.baseline)
        #expect(judged.metric.judge(measurement).verdict == judged.verdict)
    }

    @Test func aBreachSaysWhatAndWhichLimit() {
        let judgement = Fixture.metric().judge(Measurement(metric: "error-rate", revision: "g", at: Fixture.epoch, value: .value(0.2)))
        #expect(judgement.message == "error-rate 0.2 > max 0.01")
        #expect(judgement.limit == 0.01)
        #expect(judgement.value == 0.2)
    }
}
