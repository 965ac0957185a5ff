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
        for metric in metrics {
            let results = (analysis.first { $0.name == metric.name }?.history ?? []).filter { $0.revision == green && $0.at > start }
            guard !results.isEmpty else { return nil }
            let credit = results.reduce(0.0) { $0 + $1.verdict.credit } / Double(results.count)
            total += credit
            let counts = Verdict.allCases.compactMap { verdict -> String? in
                let count = results.count { $0.verdict == verdict }
                return count == 0 ? nil : "\(count) \(verdict.rawValue)"
            }
            parts.append("\(metric.name) \(Int((credit * 100 + 1e-9).rounded(.down))) (\(counts.joined(separator: ", ")))")
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
    /// What a result adds to the release score.
    var credit: Double {
        switch self {
        case .pass: 1
        case .marginal: 0.5
        case .breach, .inconclusive, .error: 0
        }
    }
}
