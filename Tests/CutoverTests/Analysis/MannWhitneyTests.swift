import Foundation
import KubeModels
import Testing

@testable import Cutover

/// Fixed samples, each tested in the three directions, against SciPy's `mannwhitneyu` (its
/// defaults: method auto, continuity correction) run by python3 in the same test: p-values
/// equal to 1e-9 and the same U (an exact p-value where SciPy took the normal approximation, or
/// the other way round, would not be).
struct MannWhitneyCase: Sendable, CustomTestStringConvertible {
    let name: String
    let x: [Double]
    let y: [Double]
    var testDescription: String { name }

    /// A deterministic spread of `count` values (no two equal unless `step` repeats them).
    static func series(_ count: Int, from start: Double, step: Double, wobble: Double = 0) -> [Double] {
        (0..<count).map { start + Double($0) * step + wobble * Double(($0 * 7919) % 13) }
    }

    static let all: [MannWhitneyCase] = [
        MannWhitneyCase(name: "small, no ties (exact)", x: [19, 22, 16, 29, 24], y: [20, 11, 17, 12]),
        MannWhitneyCase(name: "one value each (exact)", x: [3], y: [1]),
        MannWhitneyCase(name: "8 beside 40, no ties (exact)", x: series(8, from: 100.5, step: 3.1), y: series(40, from: 90, step: 1.7, wobble: 0.01)),
        MannWhitneyCase(name: "completely separated (exact, the smallest p)", x: [10, 11, 12, 13, 14, 15, 16, 17], y: [1, 2, 3, 4, 5, 6, 7, 8]),
        MannWhitneyCase(name: "small with ties (asymptotic)", x: [1, 2, 2, 3, 5], y: [2, 3, 3, 4]),
        MannWhitneyCase(name: "identical samples", x: [4, 4, 4], y: [4, 4, 4, 4]),
        MannWhitneyCase(name: "latencies, 30 each, green shifted by 5 ms (asymptotic)",
            x: series(30, from: 105, step: 0.9, wobble: 0.37), y: series(30, from: 100, step: 0.9, wobble: 0.41)),
        MannWhitneyCase(name: "error ratios with many zeros (heavy ties)",
            x: [0, 0, 0, 0.01, 0, 0.02, 0, 0, 0.01, 0, 0.03, 0], y: [0, 0, 0, 0, 0.01, 0, 0, 0, 0, 0, 0]),
        MannWhitneyCase(name: "8 beside 300 (exact, counts near 2^53)", x: series(8, from: 40.25, step: 7.3), y: series(300, from: 0, step: 0.5, wobble: 0.013)),
        MannWhitneyCase(name: "5 beside 5,000 (exact, counts beyond 2^53)", x: [2400.5, 2401.5, 2600.5, 3900.5, 4999.5], y: series(5000, from: 0, step: 1)),
        MannWhitneyCase(name: "200 beside 150 (asymptotic)", x: series(200, from: 0, step: 0.5, wobble: 0.11), y: series(150, from: 3, step: 0.6, wobble: 0.07)),
    ]
}

@Suite("Mann-Whitney U against SciPy")
struct MannWhitneyTests {
    struct Reference: Decodable {
        let statistic: Double
        let pvalue: Double
    }

    /// SciPy's answers for every case and direction, from one python3 run.
    static func scipy(_ cases: [MannWhitneyCase]) throws -> [[String: Reference]] {
        let script = """
            import json, sys
            from scipy.stats import mannwhitneyu
            out = []
            for case in json.load(sys.stdin):
                x, y = case["x"], case["y"]
                answers = {}
                for alternative in ["two-sided", "greater", "less"]:
                    r = mannwhitneyu(x, y, alternative=alternative)
                    answers[alternative] = {"statistic": float(r.statistic), "pvalue": float(r.pvalue)}
                out.append(answers)
            json.dump(out, sys.stdout)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        (process.standardInput, process.standardOutput, process.standardError) = (input, output, errors)
        try process.run()
        let samples = cases.map { ["x": $0.x, "y": $0.y] }
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: samples))
        try input.fileHandleForWriting.close()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 with SciPy (hack/test.sh installs it): \(complaint)")
        return try JSONDecoder().decode([[String: Reference]].self, from: answer)
    }

    @Test func everyCaseAndDirectionAgreesWithSciPy() throws {
        let cases = MannWhitneyCase.all
        let references = try Self.scipy(cases)
        try #require(references.count == cases.count)
        for (test, answers) in zip(cases, references) {
            for alternative in [MannWhitney.Alternative.twoSided, .greater, .less] {
                let ours = try #require(MannWhitney.test(test.x, test.y, alternative: alternative))
                let theirs = try #require(answers[alternative.rawValue])
                #expect(ours.u == theirs.statistic, "\(test.name), \(alternative.rawValue): U")
                #expect(abs(ours.pValue - theirs.pvalue) <= 1e-9, "\(test.name), \(alternative.rawValue): p \(ours.pValue) vs SciPy \(theirs.pvalue)")
            }
        }
    }

    @Test func emptyOrNaNSamplesHaveNoAnswer() {
        #expect(MannWhitney.test([], [1, 2]) == nil)
        #expect(MannWhitney.test([1, .nan], [1, 2]) == nil)
    }

    @Test func theEffectSizeIsTheShareOfPairsWonByX() throws {
        #expect(try #require(MannWhitney.test([10, 11, 12], [1, 2])).probabilityOfSuperiority == 1)
        #expect(try #require(MannWhitney.test([1, 2], [10, 11, 12])).probabilityOfSuperiority == 0)
        #expect(try #require(MannWhitney.test([5, 5], [5, 5])).probabilityOfSuperiority == 0.5)
    }
}
