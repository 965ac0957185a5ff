/// A metric's `judge`: green's samples over a window against blue's, with a Mann-Whitney U test
/// (``MannWhitney``) for whether green moved, and the shift of the medians for how far.
///
/// - fewer than `minSamples` values on either side: inconclusive, never a pass;
/// - no significant change in the `regression` direction (p-value ≥ 1 − `confidence`): pass;
/// - significant, but the medians differ by less than `minEffect` of blue's: marginal (a pass
///   that lowers the release score);
/// - significant and at least `minEffect`: a breach.
extension JudgeSpec {
    /// The defaults of a judge's optional fields.
    public enum Defaults {
        public static let window = "5m"
        public static let step = "15s"
        public static let regression = Regression.increase
        public static let confidence = 0.95
        public static let minSamples: Int32 = 10
        public static let minEffect = 0.1
    }

    /// The most samples a side may have (`window / step`): every measurement ranks them all.
    public static let maxSamples: Int64 = 1000

    public var windowSeconds: Int64 { DurationText.seconds(window ?? Defaults.window) ?? 300 }
    public var stepSeconds: Int64 { Swift.max(1, DurationText.seconds(step ?? Defaults.step) ?? 15) }

    /// `query` as the subquery that samples it every `step` over `window`: one instant query
    /// returns the whole series.
    public func sampling(_ query: String) -> String {
        "(\(query))[\(DurationText.format(windowSeconds)):\(DurationText.format(stepSeconds))]"
    }

    /// The judgement of `metric`'s `green` samples against `blue`'s (non-finite values dropped).
    public func judge(metric: String, green: [Double], blue: [Double]) -> Judgement {
        let green = green.filter(\.isFinite), blue = blue.filter(\.isFinite)
        let needed = Int(minSamples ?? Defaults.minSamples)
        guard green.count >= needed, blue.count >= needed else {
            return Judgement(
                verdict: .inconclusive,
                message: "\(metric): \(green.count) green and \(blue.count) blue samples over \(DurationText.format(windowSeconds)), fewer than minSamples \(needed)")
        }
        let direction = Regression(rawValue: regression ?? "") ?? Defaults.regression
        let alternative: MannWhitney.Alternative =
            switch direction {
            case .increase: .greater
            case .decrease: .less
            case .either: .twoSided
            }
        let greenMedian = Self.median(green), blueMedian = Self.median(blue)
        let shift = Self.relativeShift(from: blueMedian, to: greenMedian)
        guard let test = MannWhitney.test(green, blue, alternative: alternative) else {
            return Judgement(verdict: .error, message: "\(metric): the samples could not be compared")
        }
        let alpha = 1 - (confidence ?? Defaults.confidence)
        let effect = minEffect ?? Defaults.minEffect
        let numbers = "median \(NumberText.short(greenMedian)) vs blue \(NumberText.short(blueMedian)) (\(Self.percent(shift)))"
        let samples = "\(green.count)/\(blue.count) samples"
        guard test.pValue < alpha else {
            return Judgement(
                verdict: .pass, value: greenMedian, baseline: blueMedian,
                message: "\(metric) \(numbers): no significant \(direction.noun) (p=\(Self.pValueText(test.pValue)) ≥ \(NumberText.short(alpha)), \(samples))")
        }
        let significance = test.pValue < 0.0001 ? "p<0.0001" : "p=\(Self.pValueText(test.pValue)) < \(NumberText.short(alpha))"
        guard abs(shift) >= effect else {
            return Judgement(
                verdict: .marginal, value: greenMedian, baseline: blueMedian,
                message: "\(metric) \(numbers): a significant \(direction.noun) (\(significance), \(samples)) below minEffect \(Self.percent(effect, signed: false))")
        }
        return Judgement(
            verdict: .breach, value: greenMedian, baseline: blueMedian,
            message: "\(metric) \(numbers): a significant \(direction.noun) (\(significance), \(samples)) of at least minEffect \(Self.percent(effect, signed: false))")
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// `(to − from) / |from|`; from a median of 0 any change is infinitely large.
    static func relativeShift(from base: Double, to value: Double) -> Double {
        if value == base { return 0 }
        if base == 0 { return value > 0 ? .infinity : -.infinity }
        return (value - base) / abs(base)
    }

    static func percent(_ fraction: Double, signed: Bool = true) -> String {
        if fraction.isInfinite { return fraction > 0 ? "+∞%" : "-∞%" }
        let text = NumberText.short((fraction * 1000).rounded() / 10) + "%"
        return signed && fraction >= 0 ? "+" + text : text
    }

    /// Four decimals: `0.0003`, `0.5749`, `1`.
    static func pValueText(_ p: Double) -> String {
        NumberText.short((p * 10000).rounded() / 10000)
    }
}

extension Regression {
    var noun: String {
        switch self {
        case .increase: "increase"
        case .decrease: "decrease"
        case .either: "change"
        }
    }
}
