#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Mann-Whitney U test of two independent samples (green's against blue's): whether values
/// of one tend to be larger than values of the other, with no assumption about their
/// distribution. Computed as SciPy's `scipy.stats.mannwhitneyu` computes it by default (`method`
/// auto, continuity correction on), and checked against it in the tests; docs/analysis-statistics.md
/// says what it assumes.
///
/// - Ranks: both samples together, ties get their average rank. `U` is `x`'s rank sum less
///   `n₁(n₁+1)/2`: how many of the `n₁·n₂` pairs have the `x` value larger (a tie counts ½).
/// - p-value: exact when a sample has at most 8 values and no value is tied (the count of
///   orderings that give each `U`; up to ``exactPairsLimit`` pairs); otherwise the normal
///   approximation with the tie correction of the variance and a continuity correction of ½.
public enum MannWhitney {
    /// What the test asks of `x` against `y`.
    public enum Alternative: String, Sendable, Hashable {
        /// `x` and `y` differ, in either direction.
        case twoSided = "two-sided"
        /// `x` tends to be larger than `y`.
        case greater
        /// `x` tends to be smaller than `y`.
        case less
    }

    /// How the p-value was computed.
    public enum Method: String, Sendable, Hashable {
        case exact
        case asymptotic
    }

    public struct Result: Sendable, Hashable {
        /// `U` of `x`: the pairs where the `x` value is larger, ties counting ½.
        public var u: Double
        /// The probability of a `U` at least this far from `n₁·n₂/2`, in the direction asked, if
        /// both samples came from one distribution.
        public var pValue: Double
        public var method: Method
        /// `U / (n₁·n₂)`: the chance that a value of `x` is larger than one of `y` (ties ½);
        /// 0.5 means no difference. An effect size, independent of how many samples there are.
        public var probabilityOfSuperiority: Double
    }

    /// The test of `x` against `y`; nil when either sample is empty or holds a NaN.
    public static func test(_ x: [Double], _ y: [Double], alternative: Alternative = .twoSided) -> Result? {
        let n1 = x.count, n2 = y.count
        guard n1 > 0, n2 > 0, !x.contains(where: \.isNaN), !y.contains(where: \.isNaN) else { return nil }
        let (ranks, tieSizes) = averageRanks(x + y)
        let u1 = ranks[..<n1].reduce(0, +) - Double(n1 * (n1 + 1)) / 2
        let pairs = Double(n1 * n2)
        let u2 = pairs - u1
        let (u, factor): (Double, Double) =
            switch alternative {
            case .greater: (u1, 1)
            case .less: (u2, 1)
            case .twoSided: (max(u1, u2), 2)
            }
        let exact = (n1 <= 8 || n2 <= 8) && !tieSizes.contains { $0 > 1 } && n1 * n2 <= exactPairsLimit
        let method: Method = exact ? .exact : .asymptotic
        let tail: Double
        switch method {
        case .exact:
            tail = exactTail(atLeast: Int(u.rounded()), n1, n2)
        case .asymptotic:
            let n = Double(n1 + n2)
            let tieTerm = tieSizes.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
            let sigma = (pairs / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
            let z = (u - pairs / 2 - 0.5) / sigma
            // P(Z > z) for a standard normal; every value tied gives sigma 0 and z ±inf or NaN.
            tail = z.isNaN ? 1 : erfc(z / 2.0.squareRoot()) / 2
        }
        return Result(u: u1, pValue: min(1, max(0, factor * tail)), method: method, probabilityOfSuperiority: u1 / pairs)
    }

    /// Ranks 1...n of `values` in their order, tied values sharing their average rank, and the
    /// size of every group of equal values.
    static func averageRanks(_ values: [Double]) -> (ranks: [Double], tieSizes: [Int]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var tieSizes: [Int] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, values[order[end]] == values[order[start]] { end += 1 }
            // Positions start..<end hold ranks start+1 ... end: their average.
            let rank = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = rank }
            tieSizes.append(end - start)
            start = end
        }
        return (ranks, tieSizes)
    }

    /// P(U ≥ u) when all orderings of `n1` values among `n1 + n2` are equally likely.
    ///
    /// The number of orderings giving each `U` is the coefficient of `q^U` in the Gaussian
    /// binomial `[n1+n2 choose m]_q = Π_{i=1...m} (1 − q^(k+i)) / (1 − q^i)` with `m` the smaller
    /// size and `k` the larger. Built one factor at a time: each partial product is itself a
    /// Gaussian binomial, so every division is exact. Counted in Double: exact while the counts
    /// stay below 2⁵³ (8 values beside 300), and beyond that good to about 1e-16 × the `n1·n2`
    /// steps, far inside 1e-9 up to ``exactPairsLimit``.
    static func exactTail(atLeast u: Int, _ n1: Int, _ n2: Int) -> Double {
        let m = min(n1, n2), k = max(n1, n2)
        let top = m * k
        guard u > 0 else { return 1 }
        guard u <= top else { return 0 }
        var counts = [Double](repeating: 0, count: top + 1)
        counts[0] = 1
        for i in 1...m {
            // Times (1 − q^(k+i)), highest powers first so each reads the old coefficient.
            let shift = k + i
            if shift <= top {
                for power in stride(from: top, through: shift, by: -1) { counts[power] -= counts[power - shift] }
            }
            // Divided by (1 − q^i): a running sum with stride i.
            for power in i...top { counts[power] += counts[power - i] }
        }
        // The distribution is symmetric around top/2: sum the shorter side.
        let total = counts.reduce(0, +)
        if u > top - u { return counts[u...].reduce(0, +) / total }
        return 1 - counts[..<u].reduce(0, +) / total
    }

    /// Beyond this many pairs (`n₁·n₂`) the p-value is the normal approximation even when SciPy
    /// would count exactly (a sample of at most 8 without ties): counting needs a number per
    /// possible U, and a controller judging many Rollouts keeps that small; the approximation's
    /// error shrinks as the samples grow.
    static let exactPairsLimit = 100_000
}
