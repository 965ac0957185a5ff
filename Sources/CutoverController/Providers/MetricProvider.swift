import Cutover

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a metric's numbers come from. The ``AnalysisRunner`` hands each provider the queries of
/// its kind (``MetricQuery/Source``) and merges what they measured.
///
/// Promises every provider keeps: one measurement per query, in order, taken for `time`; every
/// failure (configuration, network, an answer without a number) an `.error` measurement with a
/// message, never a thrown error; a dead or slow endpoint costs its timeout, then an error.
public protocol MetricProvider: Sendable {
    func measure(_ queries: [MetricQuery], for rollout: Rollout, at time: Date) async -> [Measurement]
    /// Closes the provider's connections.
    func shutdown() async
}

/// Runs `measure` on every query concurrently and returns what it measured in the queries'
/// order (nil: nothing for that query, one of another provider). Every provider measures so.
func measureEach(_ queries: [MetricQuery], _ measure: @escaping @Sendable (MetricQuery) async -> Measurement?) async -> [Measurement] {
    await withTaskGroup(of: (Int, Measurement?).self) { group in
        for (index, query) in queries.enumerated() {
            group.addTask { (index, await measure(query)) }
        }
        var results = [Measurement?](repeating: nil, count: queries.count)
        for await (index, measurement) in group { results[index] = measurement }
        return results.compactMap { $0 }
    }
}

extension MetricQuery.Source {
    /// The provider kind, for grouping queries.
    var kind: MetricProviderKind {
        switch self {
        case .prometheus: .prometheus
        case .web: .web
        case .job: .job
        }
    }
}

/// The providers there are.
enum MetricProviderKind: Hashable, CaseIterable {
    case prometheus, web, job
}
