import KubeModels

/// A ``RolloutSpec`` with every default applied: the one place defaults live. Built by
/// ``RolloutSpec/resolved()``; meaningful once ``RolloutSpec/validate()`` found nothing.
public struct ResolvedSpec: Sendable, Hashable {
    /// `spec.replicas`, default 1.
    public var replicas: Int32
    /// `spec.minReadySeconds`, default 0.
    public var minReadySeconds: Int32
    /// `spec.progressDeadlineSeconds`, default 600.
    public var progressDeadlineSeconds: Int64
    /// `spec.revisionHistoryLimit`, default 3.
    public var revisionHistoryLimit: Int32
    /// The canary steps, empty without canary.
    public var steps: [ResolvedStep]
    /// Whether `strategy.approval` is `Manual`.
    public var manualApproval: Bool
    /// `strategy.holdWindow` in seconds, default 0.
    public var holdWindowSeconds: Int64
    /// `analysis.interval` in seconds, default 30, at least 1.
    public var intervalSeconds: Int64
    /// The metrics with `noData` and the limits filled in.
    public var metrics: [MetricSpec]
    /// `spec.releaseHistoryLimit`, default 5.
    public var releaseHistoryLimit: Int

    /// One canary step with its pause in seconds.
    public struct ResolvedStep: Sendable, Hashable {
        /// Percent of traffic for green.
        public var weight: Int32
        /// Minimum seconds at this weight.
        public var pauseSeconds: Int64
    }

    /// The defaults, named so the CRD and the reference doc can be checked against them.
    public enum Defaults {
        /// `spec.replicas`.
        public static let replicas: Int32 = 1
        /// `spec.minReadySeconds`.
        public static let minReadySeconds: Int32 = 0
        /// `spec.progressDeadlineSeconds`.
        public static let progressDeadlineSeconds: Int32 = 600
        /// `spec.revisionHistoryLimit`.
        public static let revisionHistoryLimit: Int32 = 3
        /// `spec.strategy.approval`.
        public static let approval = "Automatic"
        /// `spec.strategy.holdWindow`.
        public static let holdWindow = "0s"
        /// A canary step's `pause`.
        public static let pause = "0s"
        /// `spec.analysis.interval`.
        public static let interval = "30s"
        /// A metric's `noData`.
        public static let noData = "Inconclusive"
        /// A metric's `failureLimit`.
        public static let failureLimit: Int32 = 0
        /// A metric's `inconclusiveLimit`.
        public static let inconclusiveLimit: Int32 = 3
        /// A metric's `errorLimit`.
        public static let errorLimit: Int32 = 4
        /// A metric's `consecutiveBreachLimit`.
        public static let consecutiveBreachLimit: Int32 = 1
        /// A metric's `consecutiveSuccessLimit`.
        public static let consecutiveSuccessLimit: Int32 = 1
        /// `spec.releaseHistoryLimit`.
        public static let releaseHistoryLimit: Int32 = 5
    }

    /// Green's replicas beside blue's `replicas` for `weight` percent of the traffic:
    /// `round(R·w/(100−w))`, at least 1.
    public func canaryReplicas(weight: Int32) -> Int32 {
        let r = Double(replicas), w = Double(weight)
        return Swift.max(1, Int32((r * w / (100 - w)).rounded()))
    }
}

extension RolloutSpec {
    /// This spec with every default applied.
    public func resolved() -> ResolvedSpec {
        typealias D = ResolvedSpec.Defaults
        let steps = (strategy?.canary?.steps ?? []).map {
            ResolvedSpec.ResolvedStep(weight: $0.weight, pauseSeconds: DurationText.seconds($0.pause ?? D.pause) ?? 0)
        }
        let metrics = (analysis?.metrics ?? []).map { metric -> MetricSpec in
            var metric = metric
            metric.noData = metric.noData ?? D.noData
            metric.failureLimit = metric.failureLimit ?? D.failureLimit
            metric.inconclusiveLimit = metric.inconclusiveLimit ?? D.inconclusiveLimit
            metric.errorLimit = metric.errorLimit ?? D.errorLimit
            metric.consecutiveBreachLimit = metric.consecutiveBreachLimit ?? D.consecutiveBreachLimit
            metric.consecutiveSuccessLimit = metric.consecutiveSuccessLimit ?? D.consecutiveSuccessLimit
            return metric
        }
        return ResolvedSpec(
            replicas: replicas ?? D.replicas,
            minReadySeconds: minReadySeconds ?? D.minReadySeconds,
            progressDeadlineSeconds: Int64(progressDeadlineSeconds ?? D.progressDeadlineSeconds),
            revisionHistoryLimit: revisionHistoryLimit ?? D.revisionHistoryLimit,
            steps: steps,
            manualApproval: (strategy?.approval ?? D.approval) == "Manual",
            holdWindowSeconds: DurationText.seconds(strategy?.holdWindow ?? D.holdWindow) ?? 0,
            intervalSeconds: Swift.max(1, DurationText.seconds(analysis?.interval ?? D.interval) ?? 30),
            metrics: metrics,
            releaseHistoryLimit: Int(releaseHistoryLimit ?? D.releaseHistoryLimit))
    }
}
