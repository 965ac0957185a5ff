import Cutover
import KubeAPI
import PrometheusExposition
import Synchronization

/// The controller's operator metrics (docs/metrics.md), kept in a swift-prometheus registry and
/// written out in the Prometheus text exposition format by ``exposition()``.
///
/// Promises:
/// - every series is named `cutover_…` and carries `# HELP` and `# TYPE` lines;
/// - the label sets are bounded: phases, verbs, codes and reasons come from fixed or server-defined
///   vocabularies, and the per-Rollout measurement gauges are removed by ``forget(_:)`` (a deleted
///   Rollout) and ``releaseEnded(_:)`` (a release promoted or reverted), so 10,000 Rollouts cost at
///   most one series per Rollout and analysis metric while their releases run;
/// - all methods are thread-safe and quick (a lock and a dictionary lookup); none suspends.
///
/// One instance per controller: the registry is not global, so tests may run several controllers
/// in one process.
public final class ControllerMetrics: Sendable {
    /// The registry every metric lives in; ``exposition()`` renders it.
    public let registry: PrometheusCollectorRegistry

    private let reconcileDuration: DurationHistogram
    private let queueDepth: Gauge
    private let leader: Gauge
    private let promotions: Counter
    private let measurementErrors: Counter
    private let phaseGauges: [String: Gauge]
    private let groupPhaseGauges: [String: Gauge]
    private let groupPromotions: Counter
    private let lastValues = Mutex<PerRollout>(PerRollout())
    /// With shards: per shard, whether this replica acts on it and the Rollouts it caches of it.
    private let shardGauges = Mutex<[(active: Gauge, rollouts: Gauge)]>([])

    private struct PerRollout {
        var gauges: [RolloutKey: [String: Gauge]] = [:]
        /// The revision whose release ended last, per Rollout: a measurement of it that finishes
        /// late must not bring its series back.
        var ended: [RolloutKey: String] = [:]
    }

    /// The `phase` label of a Rollout without a status yet.
    public static let unknownPhase = "Unknown"

    /// Reconcile duration buckets: a reconcile is mostly cache reads and a few API writes.
    public static let reconcileBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        reconcileDuration = registry.makeDurationHistogram(
            descriptor: Family.reconcileDurationSeconds, labels: [], buckets: Self.reconcileBuckets)
        queueDepth = registry.makeGauge(descriptor: Family.workqueueDepth)
        leader = registry.makeGauge(descriptor: Family.leader)
        promotions = registry.makeCounter(descriptor: Family.promotionsTotal)
        measurementErrors = registry.makeCounter(descriptor: Family.analysisMeasurementErrorsTotal)
        var phases: [String: Gauge] = [:]
        for phase in RolloutPhase.allCases.map(\.rawValue) + [Self.unknownPhase] {
            phases[phase] = registry.makeGauge(descriptor: Family.rollouts, labels: [("phase", phase)])
        }
        phaseGauges = phases
        var groupPhases: [String: Gauge] = [:]
        for phase in ReleaseGroupPhase.allCases.map(\.rawValue) + [Self.unknownPhase] {
            groupPhases[phase] = registry.makeGauge(descriptor: Family.releaseGroups, labels: [("phase", phase)])
        }
        groupPhaseGauges = groupPhases
        groupPromotions = registry.makeCounter(descriptor: Family.groupPromotionsTotal)
    }

    /// The metrics in the Prometheus text exposition format (version 0.0.4).
    public func exposition() -> String { registry.emitToString() }

    /// The `Content-Type` of ``exposition()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    // MARK: Recording

    /// One reconcile took `duration`; `error` is its failure, if any.
    public func reconciled(in duration: Duration, error: (any Error)?) {
        reconcileDuration.record(duration)
        if let error { reconcileFailed(reason: Self.reason(of: error)) }
    }

    /// One reconcile failed for `reason` (see ``reason(of:)``).
    public func reconcileFailed(reason: String) {
        registry.makeCounter(descriptor: Family.reconcileErrorsTotal, labels: [("reason", reason)]).increment()
    }

    /// A gate hook or a notification finished all its attempts; `kind` is `preCutover`,
    /// `postCutover` or `notification`.
    public func webhookFinished(kind: String, succeeded: Bool) {
        registry.makeCounter(
            descriptor: Family.webhooksTotal, labels: [("kind", kind), ("result", succeeded ? "success" : "failure")]
        ).increment()
    }

    /// One Kubernetes API response (or transport failure, code 0): wire it to `KubeClient.Options.observer`.
    public func observe(_ request: KubeClient.RequestRecord) {
        registry.makeCounter(
            descriptor: Family.kubeApiRequestsTotal, labels: [("verb", request.verb), ("code", String(request.code))]
        ).increment()
    }

    /// A release ended, as the planner decided: promoted, or reverted for a reason.
    func record(_ outcome: ReleaseEnding) { count(outcome, promotions: promotions, reverts: Family.revertsTotal) }

    /// A group release ended: promoted, or reverted for the reason of its cause.
    func recordGroup(_ outcome: ReleaseEnding) { count(outcome, promotions: groupPromotions, reverts: Family.groupRevertsTotal) }

    private func count(_ outcome: ReleaseEnding, promotions: Counter, reverts: MetricNameDescriptor) {
        switch outcome {
        case .promoted:
            promotions.increment()
        case .reverted(_, let reason):
            registry.makeCounter(descriptor: reverts, labels: [("reason", reason)]).increment()
        }
    }

    /// Sets the queue depth, the Rollouts and ReleaseGroups per phase (every phase, zeros
    /// included) and leadership; called just before a scrape is rendered.
    public func update(queueDepth depth: Int, phases: [String: Int], groupPhases: [String: Int] = [:], isLeader: Bool) {
        queueDepth.set(to: Double(depth))
        for (phase, gauge) in phaseGauges { gauge.set(to: Double(phases[phase] ?? 0)) }
        for (phase, gauge) in groupPhaseGauges { gauge.set(to: Double(groupPhases[phase] ?? 0)) }
        leader.set(to: isLeader ? 1 : 0)
    }

    /// With `--shards N`: sets `cutover_shard_active` and `cutover_shard_rollouts` for every shard
    /// (N series each, made on the first call).
    public func updateShards(count: Int, active: Set<Int>, rollouts: [Int: Int]) {
        shardGauges.withLock { gauges in
            if gauges.isEmpty {
                gauges = (0..<count).map { shard in
                    (registry.makeGauge(descriptor: Family.shardActive, labels: [("shard", "\(shard)")]),
                     registry.makeGauge(descriptor: Family.shardRollouts, labels: [("shard", "\(shard)")]))
                }
            }
            for (shard, gauge) in gauges.enumerated() {
                gauge.active.set(to: active.contains(shard) ? 1 : 0)
                gauge.rollouts.set(to: Double(rollouts[shard] ?? 0))
            }
        }
    }

    /// Sets leadership alone (on a leadership change).
    public func setLeader(_ isLeader: Bool) { leader.set(to: isLeader ? 1 : 0) }

    // MARK: Per-Rollout series

    /// Sets the last value of `metric` of `rollout`; a failed measurement counts an error and
    /// leaves the last value as it was; *no data* leaves it too.
    func measured(_ measurement: Measurement, rollout: RolloutKey) {
        if measurement.value.errorMessage != nil || measurement.baseline?.errorMessage != nil {
            measurementErrors.increment()
        }
        guard case .value(let value) = measurement.value, !value.isNaN else { return }
        // Set under the lock, so a concurrent removal cannot leave a stale series registered.
        lastValues.withLock { all in
            guard all.ended[rollout] != measurement.revision else { return }
            if let existing = all.gauges[rollout]?[measurement.metric] { return existing.set(to: value) }
            let made = registry.makeGauge(
                descriptor: Family.analysisLastValue,
                labels: [("namespace", rollout.namespace), ("rollout", rollout.name), ("metric", measurement.metric)])
            all.gauges[rollout, default: [:]][measurement.metric] = made
            made.set(to: value)
        }
    }

    /// Removes the per-Rollout series of a deleted Rollout.
    public func forget(_ rollout: RolloutKey) {
        lastValues.withLock { all in
            all.ended[rollout] = nil
            for gauge in (all.gauges.removeValue(forKey: rollout) ?? [:]).values { registry.unregisterGauge(gauge) }
        }
    }

    /// Removes the per-Rollout series of a Rollout whose release of `revision` ended (promoted or
    /// reverted): its measurements are history, and late ones of `revision` are ignored.
    public func releaseEnded(_ rollout: RolloutKey, revision: String) {
        lastValues.withLock { all in
            all.ended[rollout] = revision
            for gauge in (all.gauges.removeValue(forKey: rollout) ?? [:]).values { registry.unregisterGauge(gauge) }
        }
    }

    /// How many per-Rollout series exist now (for tests and capacity checks).
    public var perRolloutSeriesCount: Int { lastValues.withLock { $0.gauges.values.reduce(0) { $0 + $1.count } } }

    /// A bounded label for a reconcile failure: the Kubernetes Status reason for API failures,
    /// `Transport`, `Decoding`, `Fenced`, `Cancelled` or `Other`.
    public static func reason(of error: any Error) -> String {
        switch error {
        case let error as KubeError:
            switch error {
            case .notFound: return "NotFound"
            case .alreadyExists: return "AlreadyExists"
            case .conflict: return "Conflict"
            case .invalid: return "Invalid"
            case .badRequest: return "BadRequest"
            case .unauthorized: return "Unauthorized"
            case .forbidden: return "Forbidden"
            case .expired: return "Expired"
            case .unsupportedMediaType: return "UnsupportedMediaType"
            case .tooManyRequests: return "TooManyRequests"
            case .serverError: return "ServerError"
            case .other: return "Other"
            case .transport: return "Transport"
            case .decoding: return "Decoding"
            case .fenced: return "Fenced"
            }
        case is CancellationError: return "Cancelled"
        default: return "Other"
        }
    }
}

extension ControllerMetrics: AnalysisObserver {
    /// Sets the Rollout's last value of the metric and counts a failure (see ``measured(_:rollout:)``).
    public func measurementTaken(_ measurement: Measurement, rollout: RolloutKey, duration: Duration) {
        measured(measurement, rollout: rollout)
    }
}

/// Names and help texts of the metric families (computed: swift-prometheus' descriptor is not Sendable).
private enum Family {
    static var reconcileDurationSeconds: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_reconcile_duration_seconds", unitName: "",
            helpText: "Time one reconcile of a Rollout took (observe, plan, act, write status), successful or not.")
    }

    static var workqueueDepth: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_workqueue_depth", unitName: "",
            helpText: "Rollout keys waiting in the work queue to be reconciled (not counting delayed ones).")
    }

    static var leader: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_leader", unitName: "",
            helpText: "1 while this replica holds the leader Lease (or runs without leader election; with --shards: acts on any shard), else 0.")
    }

    static var shardActive: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_shard_active", unitName: "",
            helpText: "With --shards: 1 while this replica acts on the shard (holds its Lease, renewed in time), else 0.")
    }

    static var shardRollouts: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_shard_rollouts", unitName: "",
            helpText: "With --shards: Rollouts of the shard in this replica's cache (0 for shards it does not act on).")
    }

    static var promotionsTotal: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_promotions_total", unitName: "",
            helpText: "Releases that completed: green became the active revision.")
    }

    static var analysisMeasurementErrorsTotal: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_analysis_measurement_errors_total", unitName: "",
            helpText: "Analysis measurements that failed (Prometheus unreachable, bad query, more than one series).")
    }

    static var rollouts: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_rollouts", unitName: "",
            helpText: "Rollouts in the controller's cache, by status phase.")
    }

    static var releaseGroups: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_release_groups", unitName: "",
            helpText: "ReleaseGroups in the controller's cache, by status phase.")
    }

    static var groupPromotionsTotal: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_group_promotions_total", unitName: "",
            helpText: "Group releases that completed: every changed member's green became its active revision.")
    }

    static var groupRevertsTotal: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_group_reverts_total", unitName: "",
            helpText: "Group releases reverted, by the reason of the member's failure that caused it (or Aborted, MemberRemoved, ...).")
    }

    static var reconcileErrorsTotal: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_reconcile_errors_total", unitName: "",
            helpText: 
                "Reconciles that failed, by reason (a Kubernetes Status reason, Transport, Decoding or Other); retried with backoff.")
    }

    static var kubeApiRequestsTotal: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_kube_api_requests_total", unitName: "",
            helpText: "Kubernetes API requests by verb and HTTP status code (0: the request never got an answer).")
    }

    static var revertsTotal: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_reverts_total", unitName: "",
            helpText: 
                "Releases reverted to blue, by reason (AnalysisBreach, ProgressDeadlineExceeded, Aborted, Superseded, ...).")
    }

    static var webhooksTotal: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_webhooks_total", unitName: "",
            helpText: "Gate hooks and notifications that finished all their attempts, by kind and result (success or failure).")
    }

    static var analysisLastValue: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "cutover_analysis_last_value", unitName: "",
            helpText: "The last value measured for an analysis metric of a Rollout's release in flight.")
    }
}
