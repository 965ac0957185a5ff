import Foundation
import Testing

@testable import Cutover

/// Green's and blue's samples, a judge, and what it says (the p-values are SciPy's
/// `mannwhitneyu` of the same samples, in the comments).
struct StatisticalJudgeCase: Sendable, CustomTestStringConvertible {
    let name: String
    let judge: JudgeSpec
    let green: [Double]
    let blue: [Double]
    let verdict: Verdict
    /// A part of the message.
    let says: String
    var testDescription: String { name }

    /// 20 samples around 100 (95…105), median 100.
    static let blue: [Double] = [96, 104, 99, 101, 97, 103, 100, 98, 102, 95, 105, 100, 99, 101, 97, 103, 98, 102, 96, 104]
    static func shifted(by delta: Double) -> [Double] { blue.map { $0 + delta } }
    static func scaled(by factor: Double) -> [Double] { blue.map { $0 * factor } }

    static let all: [StatisticalJudgeCase] = [
        // p = 0.308
        .init(
            name: "no significant increase passes", judge: JudgeSpec(), green: blue.reversed().map { $0 + 0.5 }, blue: blue, verdict: .pass,
            says: "latency median 100.5 vs blue 100 (+0.5%): no significant increase (p=0.3082 ≥ 0.05, 20/20 samples)"),
        // p = 3.3e-8
        .init(
            name: "20% slower breaches", judge: JudgeSpec(), green: scaled(by: 1.2), blue: blue, verdict: .breach,
            says: "latency median 120 vs blue 100 (+20%): a significant increase (p<0.0001, 20/20 samples) of at least minEffect 10%"),
        // p = 0.0003
        .init(
            name: "4% slower is significant but below minEffect: marginal", judge: JudgeSpec(), green: shifted(by: 4), blue: blue, verdict: .marginal,
            says: "latency median 104 vs blue 100 (+4%): a significant increase (p=0.0003 < 0.05, 20/20 samples) below minEffect 10%"),
        .init(
            name: "4% slower with minEffect 0.03 breaches", judge: JudgeSpec(minEffect: 0.03), green: shifted(by: 4), blue: blue, verdict: .breach,
            says: "of at least minEffect 3%"),
        .init(
            name: "4% slower at confidence 0.9999 passes (p 0.0003 is not below 0.0001)", judge: JudgeSpec(confidence: 0.9999),
            green: shifted(by: 4), blue: blue, verdict: .pass, says: "no significant increase"),
        .init(
            name: "20% faster is no regression with Increase", judge: JudgeSpec(), green: scaled(by: 0.8), blue: blue, verdict: .pass,
            says: "(-20%): no significant increase (p=1 ≥ 0.05"),
        .init(
            name: "20% lower breaches with Decrease", judge: JudgeSpec(regression: "Decrease"), green: scaled(by: 0.8), blue: blue, verdict: .breach,
            says: "a significant decrease"),
        .init(
            name: "20% higher passes with Decrease", judge: JudgeSpec(regression: "Decrease"), green: scaled(by: 1.2), blue: blue, verdict: .pass,
            says: "no significant decrease"),
        .init(
            name: "20% lower breaches with Either", judge: JudgeSpec(regression: "Either"), green: scaled(by: 0.8), blue: blue, verdict: .breach,
            says: "a significant change"),
        .init(
            name: "fewer samples than minSamples is inconclusive, however different", judge: JudgeSpec(), green: Array(scaled(by: 2).prefix(9)),
            blue: blue, verdict: .inconclusive, says: "latency: 9 green and 20 blue samples over 5m, fewer than minSamples 10"),
        .init(
            name: "too few blue samples is inconclusive", judge: JudgeSpec(minSamples: 5), green: blue, blue: [100, 101, 99, 100],
            verdict: .inconclusive, says: "20 green and 4 blue samples"),
        .init(
            name: "non-finite samples do not count", judge: JudgeSpec(), green: Array(blue.prefix(9)) + [.infinity, .nan, -.infinity],
            blue: blue, verdict: .inconclusive, says: "9 green and 20 blue"),
        // p = 2.1e-9: errors where blue has none is an infinite change of the median
        .init(
            name: "errors beside a blue at zero breach", judge: JudgeSpec(), green: Array(repeating: 0.01, count: 10) + Array(repeating: 0.02, count: 10),
            blue: Array(repeating: 0, count: 20), verdict: .breach, says: "median 0.015 vs blue 0 (+∞%)"),
        .init(
            name: "identical samples pass", judge: JudgeSpec(), green: Array(repeating: 1, count: 12), blue: Array(repeating: 1, count: 12),
            verdict: .pass, says: "(+0%): no significant increase (p=1 ≥ 0.05"),
    ]
}

@Suite("Statistical judge")
struct StatisticalJudgeTests {
    @Test(arguments: StatisticalJudgeCase.all)
    func judges(_ row: StatisticalJudgeCase) {
        let judgement = row.judge.judge(metric: "latency", green: row.green, blue: row.blue)
        #expect(judgement.verdict == row.verdict, "\(judgement.message)")
        #expect(judgement.message.contains(row.says), "\(judgement.message)")
        if row.verdict != .inconclusive {
            #expect(judgement.value == JudgeSpec.median(row.green.filter(\.isFinite)))
            #expect(judgement.baseline == JudgeSpec.median(row.blue))
        }
    }

    static let judged = MetricSpec(name: "latency", query: "q", baseline: "b", max: 0.2, judge: JudgeSpec(minSamples: 3))

    @Test func thresholdsJudgeTheNewestSampleBeforeTheJudge() {
        let blue = [0.1, 0.1, 0.1, 0.1]
        let spike = Measurement(metric: "latency", revision: "g", at: Fixture.epoch, value: .series([0.1, 0.1, 0.1, 0.3]), baseline: .series(blue))
        let judgement = Self.judged.judge(spike)
        #expect(judgement.verdict == .breach)
        #expect(judgement.message == "latency 0.3 > max 0.2")
    }

    @Test func aSampledMetricWithoutBlueSamplesIsNotPassed() {
        let green = Measurement.Sample.series([0.1, 0.11, 0.1, 0.12])
        for (baseline, verdict) in [(Measurement.Sample.noData, Verdict.inconclusive), (.error("down"), .error), (.value(0.1), .error)] {
            let measurement = Measurement(metric: "latency", revision: "g", at: Fixture.epoch, value: green, baseline: baseline)
            #expect(Self.judged.judge(measurement).verdict == verdict, "\(baseline)")
        }
        let noGreen = Measurement(metric: "latency", revision: "g", at: Fixture.epoch, value: .series([]), baseline: .series([0.1, 0.1, 0.1]))
        #expect(Self.judged.judge(noGreen).verdict == .inconclusive)
    }

    @Test func theSubquerySamplesTheRenderedQuery() {
        #expect(JudgeSpec().sampling("sum(rate(x[1m]))") == "(sum(rate(x[1m])))[5m:15s]")
        #expect(JudgeSpec(window: "90s", step: "1m").sampling("y") == "(y)[1m30s:1m]")
    }
}
