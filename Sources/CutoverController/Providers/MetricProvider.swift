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
