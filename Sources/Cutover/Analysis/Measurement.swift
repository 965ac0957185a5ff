import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One result of a metric query, taken by the controller's runner after a ``ReleaseAction/measure(_:)``
/// and handed to the next plan in ``ReleaseSnapshot/measurements``.
public struct Measurement: Codable, Sendable, Hashable {
    /// The metric's `name` in the spec.
    public var metric: String
    /// The green revision the query was rendered for; results for another revision are ignored.
    public var revision: String
    /// When the query was evaluated.
    public var at: Date
    /// Green's result.
    public var value: Sample
    /// Blue's result, for metrics with a `baseline` query.
    public var baseline: Sample?

    public init(metric: String, revision: String, at: Date, value: Sample, baseline: Sample? = nil) {
        self.metric = metric
        self.revision = revision
        self.at = at
        self.value = value
        self.baseline = baseline
    }

    /// What one instant query returned.
    public enum Sample: Codable, Sendable, Hashable {
        /// A scalar (NaN counts as no data).
        case value(Double)
        /// A judged metric's samples over its window, oldest first; the last is the current value.
        case series([Double])
        /// A check that passed or failed (a metric's Job), and what it said.
        case check(passed: Bool, message: String)
        /// An empty result.
        case noData
        /// Prometheus unreachable, a bad query, a non-scalar result.
        case error(String)
    }
}

extension MetricQuery {
    /// The ``Measurement`` of this query's results, ready for the next snapshot.
    public func measurement(at time: Date, value: Measurement.Sample, baseline: Measurement.Sample? = nil) -> Measurement {
        Measurement(metric: metric, revision: revision, at: time, value: value, baseline: hasBaseline ? baseline : nil)
    }
}

/// The judgement of one measurement.
public enum Verdict: String, Codable, Sendable, Hashable, CaseIterable {
    /// Within every threshold.
    case pass = "Pass"
    /// Within every threshold, but the judge found a significant change smaller than `minEffect`:
    /// a pass that lowers the release score.
    case marginal = "Marginal"
    /// Outside a threshold (or no data with `noData: Fail`).
    case breach = "Breach"
    /// No data or NaN with `noData: Inconclusive`.
    case inconclusive = "Inconclusive"
    /// The query could not be answered.
    case error = "Error"
}

extension Verdict {
    /// Pass or marginal: counts toward `consecutiveSuccessLimit` and ends a breach row.
    public var passes: Bool { self == .pass || self == .marginal }
}

/// A verdict with the numbers behind it.
///
/// The numbers go into `status`, Events and notifications as JSON, which has no infinities: a
/// non-finite one (Prometheus answers `x / 0` with +Inf) is left out, and the message spells it.
public struct Judgement: Sendable, Hashable {
    /// The verdict.
    public var verdict: Verdict
    /// Green's value, when there was one and it is finite.
    public var value: Double?
    /// Blue's baseline value, when one was compared and it is finite.
    public var baseline: Double?
    /// The threshold crossed, for a breach (when finite).
    public var limit: Double?
    /// A short human explanation (`0.2 > max 0.01`, `error-rate +Inf > max 0.01`).
    public var message: String

    public init(verdict: Verdict, value: Double? = nil, baseline: Double? = nil, limit: Double? = nil, message: String) {
        self.verdict = verdict
        self.value = value.flatMap(Self.finite)
        self.baseline = baseline.flatMap(Self.finite)
        self.limit = limit.flatMap(Self.finite)
        self.message = message
    }

    private static func finite(_ number: Double) -> Double? { number.isFinite ? number : nil }
}

extension MetricSpec {
    /// Judges `measurement` against this metric's thresholds and `noData` policy.
    public func judge(_ measurement: Measurement) -> Judgement {
        let policy = NoDataPolicy(rawValue: noData ?? "") ?? .inconclusive
        func missing(_ what: String) -> Judgement {
            switch policy {
            case .inconclusive: return Judgement(verdict: .inconclusive, message: "\(what): no data")
            case .fail: return Judgement(verdict: .breach, message: "\(what): no data (noData: Fail)")
            case .pass: return Judgement(verdict: .pass, message: "\(what): no data (noData: Pass)")
            }
        }
        let value: Double
        switch measurement.value {
        case .error(let message): return Judgement(verdict: .error, message: "query failed: \(message)")
        case .noData: return missing(name)
        case .value(let number) where number.isNaN: return missing(name)
        case .value(let number): value = number
        case .series(let values):
            guard let last = values.last, !last.isNaN else { return missing(name) }
            value = last
        case .check(let passed, let message):
            return Judgement(verdict: passed ? .pass : .breach, message: "\(name): \(message)")
        }
        if let max, value > max {
            return Judgement(verdict: .breach, value: value, limit: max, message: "\(name) \(NumberText.short(value)) > max \(NumberText.short(max))")
        }
        if let min, value < min {
            return Judgement(verdict: .breach, value: value, limit: min, message: "\(name) \(NumberText.short(value)) < min \(NumberText.short(min))")
        }
        guard baseline != nil, maxIncrease != nil || maxDecrease != nil || judge != nil else {
            return Judgement(verdict: .pass, value: value, message: passMessage(value))
        }
        let base: Double
        switch measurement.baseline {
        case .error(let message)?: return Judgement(verdict: .error, value: value, message: "baseline query failed: \(message)")
        case .noData?, nil: return missing("\(name) baseline")
        case .value(let number)? where number.isNaN: return missing("\(name) baseline")
        case .value(let number)?: base = number
        case .series(let values)?:
            guard let last = values.last, !last.isNaN else { return missing("\(name) baseline") }
            base = last
        case .check?:
            return Judgement(verdict: .error, value: value, message: "\(name): a check has no baseline")
        }
        if let maxIncrease {
            let limit = base * (1 + maxIncrease)
            if value > limit {
                return Judgement(
                    verdict: .breach, value: value, baseline: base, limit: limit,
                    message: "\(name) \(NumberText.short(value)) > \(NumberText.short(limit)) (blue \(NumberText.short(base)) +\(NumberText.short(maxIncrease * 100))%)")
            }
        }
        if let maxDecrease {
            let limit = base * (1 - maxDecrease)
            if value < limit {
                return Judgement(
                    verdict: .breach, value: value, baseline: base, limit: limit,
                    message: "\(name) \(NumberText.short(value)) < \(NumberText.short(limit)) (blue \(NumberText.short(base)) -\(NumberText.short(maxDecrease * 100))%)")
            }
        }
        if let judge {
            guard case .series(let green) = measurement.value, case .series(let blue)? = measurement.baseline else {
                return Judgement(verdict: .error, value: value, baseline: base, message: "\(name): the judge needs green's and blue's samples")
            }
            return judge.judge(metric: name, green: green, blue: blue)
        }
        return Judgement(verdict: .pass, value: value, baseline: base, message: passMessage(value))
    }

    private func passMessage(_ value: Double) -> String {
        if let max { return "\(name) \(NumberText.short(value)) ≤ \(NumberText.short(max))" }
        if let min { return "\(name) \(NumberText.short(value)) ≥ \(NumberText.short(min))" }
        return "\(name) \(NumberText.short(value)) ok"
    }
}

/// What an empty or NaN result means.
public enum NoDataPolicy: String, Sendable, Hashable, CaseIterable {
    case inconclusive = "Inconclusive"
    case fail = "Fail"
    case pass = "Pass"
}
