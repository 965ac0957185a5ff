import KubeModels

extension ReleaseScore {
    /// The score of green's results taken after `start` (strictly: the plan that opens a window
    /// also judges the previous window's results), or nil while a metric has none yet.
    ///
    /// A metric's part is the mean of its results' credits (Pass 1, Marginal ½, Breach,
    /// Inconclusive and Error 0), from the history kept in status (the newest
    /// ``MetricStatus/historyLimit``); every metric counts alike.
    public static func of(
        _ analysis: [MetricStatus], metrics: [MetricSpec], green: String, since start: Timestamp, thresholds: ScoreSpec?
    ) -> ReleaseScore? {
        var total = 0.0
        var parts: [String] = []
        parts.reserveCapacity(metrics.count)
        for metric in metrics {
            // One pass over the kept history, counting per verdict (in `Verdict.allCases` order).
            var counts = [Int](repeating: 0, count: Verdict.allCases.count)
            var taken = 0
            for record in analysis.first(where: { $0.name == metric.name })?.history ?? [] where record.revision == green && record.at > start {
                counts[record.verdict.index] += 1
                taken += 1
            }
            guard taken > 0 else { return nil }
            var credit = 0.0
            var described = ""
            for (index, verdict) in Verdict.allCases.enumerated() where counts[index] > 0 {
                credit += Double(counts[index]) * verdict.credit
                described += (described.isEmpty ? "" : ", ") + String(counts[index]) + " " + verdict.rawValue
            }
            credit /= Double(taken)
            total += credit
            parts.append(metric.name + " " + String(Int((credit * 100 + 1e-9).rounded(.down))) + " (" + described + ")")
        }
        guard !metrics.isEmpty else { return nil }
        // The epsilon keeps 0.29 × 100 = 28.999… at 29.
        let value = Int32((total / Double(metrics.count) * 100 + 1e-9).rounded(.down))
        return ReleaseScore(value: value, result: thresholds.map { $0.result(of: value) }, since: start, message: parts.joined(separator: ", "))
    }
}

extension ScoreSpec {
    /// `value` against these thresholds.
    public func result(of value: Int32) -> ScoreResult {
        if value >= pass { return .pass }
        return value >= marginal ?? pass ? .marginal : .fail
    }
}

extension Verdict {
    /// The position in `allCases`.
    var index: Int {
        switch self {
        case .pass: 0
        case .marginal: 1
        case .breach: 2
        case .inconclusive: 3
        case .error: 4
        }
    }

    /// What a result adds to the release score.
    var credit: Double {
        switch self {
        case .pass: 1
        case .marginal: 0.5
        case .breach, .inconclusive, .error: 0
        }
    }
}
