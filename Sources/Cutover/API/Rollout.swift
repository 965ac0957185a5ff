import KubeModels

/// `cutover.dev/v1alpha1` Rollout: one service released blue/green with optional canary steps and
/// automatic rollback on analysis. See `docs/rollout-reference.md` for every field.
public struct Rollout: KubeObject, Hashable {
    /// Where Rollouts live in the API.
    public static let resource = Resource(
        group: "cutover.dev", version: "v1alpha1", plural: "rollouts", kind: "Rollout", namespaced: true)
    /// `cutover.dev/v1alpha1`.
    public var apiVersion: String? = "cutover.dev/v1alpha1"
    /// `Rollout`.
    public var kind: String? = "Rollout"
    /// Name, namespace, generation and the action annotations.
    public var metadata: ObjectMeta
    /// What the user asks for.
    public var spec: RolloutSpec
    /// Where the release is; written only by the controller.
    public var status: RolloutStatus?
    /// Set when the stored spec does not fit the model (the API server accepted it: a pod template
    /// keeps unknown fields, so `labels: {app: [1]}` passes the schema). ``spec`` is then empty,
    /// ``validate()`` reports the field, and the stored spec is written back unchanged.
    public var undecodableSpec: UndecodableSpec?

    public init(metadata: ObjectMeta, spec: RolloutSpec, status: RolloutStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec, status }

    /// Decodes like the synthesized init, except that a spec that does not fit the model leaves the
    /// Rollout readable (one such Rollout must not fail the controller's whole list and watch).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decode(ObjectMeta.self, forKey: .metadata)
        status = try container.decodeIfPresent(RolloutStatus.self, forKey: .status)
        do {
            spec = try container.decode(RolloutSpec.self, forKey: .spec)
        } catch let error as DecodingError {
            spec = RolloutSpec(selector: LabelSelector(), template: PodTemplateSpec(), services: RolloutServices(active: ""))
            undecodableSpec = UndecodableSpec(
                raw: (try? container.decode(JSONValue.self, forKey: .spec)) ?? .null, error: error,
                specPathLength: container.codingPath.count + 1)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(apiVersion, forKey: .apiVersion)
        try container.encodeIfPresent(kind, forKey: .kind)
        try container.encode(metadata, forKey: .metadata)
        if let undecodableSpec {
            try container.encode(undecodableSpec.raw, forKey: .spec)
        } else {
            try container.encode(spec, forKey: .spec)
        }
        try container.encodeIfPresent(status, forKey: .status)
    }
}

/// A stored spec the model cannot hold: kept verbatim, with the first field that does not fit.
public struct UndecodableSpec: Sendable, Hashable {
    /// The spec as stored.
    public var raw: JSONValue
    /// The field path, `spec.…`.
    public var field: String
    /// What the model expected there.
    public var message: String

    /// `specPathLength`: how many keys of the error's path lead to the spec (a list's items add some).
    init(raw: JSONValue, error: DecodingError, specPathLength: Int) {
        self.raw = raw
        var path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
            message = context.debugDescription
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
            message = "is required"
        @unknown default:
            path = []
            message = String(describing: error)
        }
        // Array elements are shown as `[i]`.
        path.removeFirst(min(specPathLength, path.count))
        field = "spec" + path.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
    }
}

extension Rollout {
    /// The label selector (query-string form) of the Deployments this Rollout owns: list them
    /// with it to build ``ReleaseSnapshot/deployments``.
    public var deploymentSelector: String { "\(CutoverLabels.rollout)=\(metadata.name ?? "")" }

    /// The Services the planner needs in ``ReleaseSnapshot/services`` (active, then preview).
    public var serviceNames: [String] { [spec.services.active] + (spec.services.preview.map { [$0] } ?? []) }
}

/// What the user asks for. Optional fields take the defaults of ``RolloutSpec/resolved()``, the one
/// place defaults are applied. Enumerations are kept as text so a bad value is reported by
/// ``RolloutSpec/validate()`` with its field path instead of failing to decode the whole object.
public struct RolloutSpec: Codable, Sendable, Hashable {
    /// Wanted ready pods of the serving revision (default 1).
    public var replicas: Int32?
    /// Selects the pods of every revision; its `matchLabels` must be a subset of the template's labels.
    public var selector: LabelSelector
    /// The pod template, kept verbatim; its hash names the revision.
    public var template: PodTemplateSpec
    /// Seconds a pod must be ready before it counts as available (default 0).
    public var minReadySeconds: Int32?
    /// Seconds green has to become fully ready after each change of its size (default 600).
    public var progressDeadlineSeconds: Int32?
    /// Old, scaled-down revision Deployments kept for fast manual rollback (default 3).
    public var revisionHistoryLimit: Int32?
    /// The Services Cutover steers.
    public var services: RolloutServices
    /// How traffic moves to green.
    public var strategy: RolloutStrategy?
    /// What decides that green is good.
    public var analysis: AnalysisSpec?
    /// Webhooks that gate the cutover (smoke tests, external checks).
    public var hooks: RolloutHooks?
    /// Where release events are sent.
    public var notifications: [NotificationTarget]?
    /// Releases kept in `status.history` (default 5).
    public var releaseHistoryLimit: Int32?
    /// The environments a new template must have passed first (staging before production).
    public var promotion: PromotionSpec?
    /// Going back to a recently released revision is a fast rollback, not a release.
    public var rollbackWindow: RollbackWindow?

    public init(
        replicas: Int32? = nil, selector: LabelSelector, template: PodTemplateSpec, minReadySeconds: Int32? = nil,
        progressDeadlineSeconds: Int32? = nil, revisionHistoryLimit: Int32? = nil, services: RolloutServices,
        strategy: RolloutStrategy? = nil, analysis: AnalysisSpec? = nil, hooks: RolloutHooks? = nil,
        notifications: [NotificationTarget]? = nil, releaseHistoryLimit: Int32? = nil, promotion: PromotionSpec? = nil,
        rollbackWindow: RollbackWindow? = nil
    ) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.minReadySeconds = minReadySeconds
        self.progressDeadlineSeconds = progressDeadlineSeconds
        self.revisionHistoryLimit = revisionHistoryLimit
        self.services = services
        self.strategy = strategy
        self.analysis = analysis
        self.hooks = hooks
        self.notifications = notifications
        self.releaseHistoryLimit = releaseHistoryLimit
        self.promotion = promotion
        self.rollbackWindow = rollbackWindow
    }
}

/// A template equal to one of the last `revisions` released revisions is a rollback: its
/// Deployment is reused, the canary steps (and the approval) and the analysis are skipped unless
/// `steps` or `analysis` say `Run`, and the active Service switches as soon as it is ready.
public struct RollbackWindow: Codable, Sendable, Hashable {
    /// How many of the last released revisions, newest first and not counting the serving one,
    /// a rollback may go to; at most `releaseHistoryLimit` (the releases kept in status).
    public var revisions: Int32
    /// `Skip` (default) or `Run` the canary steps and the manual approval.
    public var steps: String?
    /// `Skip` (default) or `Run` the analysis.
    public var analysis: String?

    public init(revisions: Int32, steps: String? = nil, analysis: String? = nil) {
        self.revisions = revisions
        self.steps = steps
        self.analysis = analysis
    }

    /// Whether a rollback skips `field` (`steps` or `analysis`).
    public static func skips(_ field: String?) -> Bool { field != "Run" }

    /// Whether releasing `revision` after `status` is a rollback: one of the last `revisions`
    /// distinct revisions promoted (newest first, from `status.history`), not counting the serving one.
    public func covers(_ revision: String, after status: RolloutStatus) -> Bool {
        guard let blue = status.activeRevision, revision != blue else { return false }
        var recent: [String] = []
        for record in (status.history ?? []).reversed() where record.outcome == .promoted && record.revision != blue {
            if !recent.contains(record.revision) { recent.append(record.revision) }
        }
        return recent.prefix(Int(revisions)).contains(revision)
    }
}

/// The Services whose selector's `cutover.dev/revision` key Cutover owns (and nothing else of them).
public struct RolloutServices: Codable, Sendable, Hashable {
    /// The Service users hit.
    public var active: String
    /// Optional Service that always selects green once it is ready, for smoke tests.
    public var preview: String?

    public init(active: String, preview: String? = nil) {
        self.active = active
        self.preview = preview
    }
}

/// Traffic steps, approval and hold window.
public struct RolloutStrategy: Codable, Sendable, Hashable {
    /// Optional traffic steps before full cutover.
    public var canary: CanaryStrategy?
    /// `Automatic` (default) or `Manual`: stop before full cutover until promoted.
    public var approval: String?
    /// How long blue stays at full size after cutover (default `0s`: scaled down at once).
    public var holdWindow: String?

    public init(canary: CanaryStrategy? = nil, approval: String? = nil, holdWindow: String? = nil) {
        self.canary = canary
        self.approval = approval
        self.holdWindow = holdWindow
    }
}

/// Canary steps run in order before full cutover.
public struct CanaryStrategy: Codable, Sendable, Hashable {
    /// At least one; weights strictly increasing.
    public var steps: [CanaryStep]
    public init(steps: [CanaryStep]) { self.steps = steps }
}

/// One traffic step: green gets `weight` percent of the ready pods, for at least `pause`.
public struct CanaryStep: Codable, Sendable, Hashable {
    /// Percentage of traffic for green, 1–99, strictly increasing over the steps.
    public var weight: Int32
    /// Minimum time at this weight (default `0s`); analysis must also have passed.
    public var pause: String?

    public init(weight: Int32, pause: String? = nil) {
        self.weight = weight
        self.pause = pause
    }
}

/// Prometheus analysis run while green receives production traffic.
public struct AnalysisSpec: Codable, Sendable, Hashable {
    /// Where to query; required when metrics are set.
    public var prometheus: PrometheusSource?
    /// How often each metric is measured (default `30s`).
    public var interval: String?
    /// The metrics that judge green; none means no analysis.
    public var metrics: [MetricSpec]?
    /// Thresholds of the release score; without them the score is only reported.
    public var score: ScoreSpec?

    public init(prometheus: PrometheusSource? = nil, interval: String? = nil, metrics: [MetricSpec]? = nil, score: ScoreSpec? = nil) {
        self.prometheus = prometheus
        self.interval = interval
        self.metrics = metrics
        self.score = score
    }
}

/// What the release score (0–100, from the current window's results) must reach: at least `pass`
/// goes ahead, below `marginal` reverts, in between waits for a human.
public struct ScoreSpec: Codable, Sendable, Hashable {
    /// The score a window needs to go ahead (0–100).
    public var pass: Int32
    /// Below this the release reverts (0–100, at most `pass`; default `pass`).
    public var marginal: Int32?

    public init(pass: Int32, marginal: Int32? = nil) {
        self.pass = pass
        self.marginal = marginal
    }
}

/// Where Prometheus answers instant queries, and how to authenticate to it. Secrets are read from
/// the Rollout's own namespace.
public struct PrometheusSource: Codable, Sendable, Hashable {
    /// Base URL, `http://` or `https://`.
    public var address: String
    /// How long one query may take (default `10s`); a slow or dead Prometheus costs this, then an error.
    public var timeout: String?
    /// A Secret key holding a bearer token, sent as `Authorization: Bearer <token>`.
    public var bearerTokenSecret: SecretKeyReference?
    /// A Secret with `username` and `password` keys, sent as HTTP basic auth.
    public var basicAuthSecret: SecretReference?
    /// Extra request headers (for example a tenant header).
    public var headers: [HTTPHeaderSpec]?
    /// A Secret key holding PEM CA certificates to trust for `https` instead of the system roots.
    public var caSecret: SecretKeyReference?
    /// Accept any server certificate over `https` (test setups only).
    public var insecureSkipVerify: Bool?

    public init(
        address: String, timeout: String? = nil, bearerTokenSecret: SecretKeyReference? = nil,
        basicAuthSecret: SecretReference? = nil, headers: [HTTPHeaderSpec]? = nil, caSecret: SecretKeyReference? = nil,
        insecureSkipVerify: Bool? = nil
    ) {
        self.address = address
        self.timeout = timeout
        self.bearerTokenSecret = bearerTokenSecret
        self.basicAuthSecret = basicAuthSecret
        self.headers = headers
        self.caSecret = caSecret
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// One metric: a PromQL instant query and the thresholds that judge it.
public struct MetricSpec: Codable, Sendable, Hashable {
    /// Unique among the metrics; DNS-label-like.
    public var name: String
    /// PromQL measured against green; may use `{{namespace}}`, `{{rollout}}`, `{{green}}`,
    /// `{{blue}}`, `{{service}}`, `{{interval}}`. Exactly one of `query`, `web` and `job`.
    public var query: String?
    /// An HTTP endpoint answering JSON, instead of Prometheus.
    public var web: WebMetric?
    /// A Kubernetes Job per measurement: it passes when the Job completes, breaches when it fails.
    public var job: MetricJob?
    /// Optional PromQL measured against blue in the same window, for `maxIncrease`/`maxDecrease`.
    public var baseline: String?
    /// A value above this is a breach.
    public var max: Double?
    /// A value below this is a breach.
    public var min: Double?
    /// Green may be at most this fraction above the baseline (0.25 = 25 % worse).
    public var maxIncrease: Double?
    /// Green may be at most this fraction below the baseline.
    public var maxDecrease: Double?
    /// `Inconclusive` (default), `Fail` or `Pass`: what an empty or NaN result means.
    public var noData: String?
    /// Breaches tolerated in one release (default 0: the first breach reverts).
    public var failureLimit: Int32?
    /// Consecutive inconclusive results that stop the release for a human (default 3).
    public var inconclusiveLimit: Int32?
    /// Consecutive errors that count as one breach (default 4).
    public var errorLimit: Int32?
    /// Breaches in a row (passes break a row; inconclusive results and errors do not) before
    /// one may revert (default 1); `failureLimit` must be exceeded as well.
    public var consecutiveBreachLimit: Int32?
    /// Passes in a row, all in the current window, before a step, the cutover or the end of the
    /// hold window may go ahead (default 1; at most ``MetricStatus/historyLimit``).
    public var consecutiveSuccessLimit: Int32?
    /// Compares green's samples over a window with blue's (`baseline`) statistically.
    public var judge: JudgeSpec?

    public init(
        name: String, query: String? = nil, web: WebMetric? = nil, job: MetricJob? = nil, baseline: String? = nil, max: Double? = nil,
        min: Double? = nil,
        maxIncrease: Double? = nil, maxDecrease: Double? = nil, noData: String? = nil, failureLimit: Int32? = nil,
        inconclusiveLimit: Int32? = nil, errorLimit: Int32? = nil, consecutiveBreachLimit: Int32? = nil,
        consecutiveSuccessLimit: Int32? = nil, judge: JudgeSpec? = nil
    ) {
        self.name = name
        self.query = query
        self.web = web
        self.job = job
        self.baseline = baseline
        self.max = max
        self.min = min
        self.maxIncrease = maxIncrease
        self.maxDecrease = maxDecrease
        self.noData = noData
        self.failureLimit = failureLimit
        self.inconclusiveLimit = inconclusiveLimit
        self.errorLimit = errorLimit
        self.consecutiveBreachLimit = consecutiveBreachLimit
        self.consecutiveSuccessLimit = consecutiveSuccessLimit
        self.judge = judge
    }
}

/// A statistical comparison of green with blue: the metric's query and baseline are sampled every
/// `step` over the last `window`, and the two samples compared with a Mann-Whitney U test.
public struct JudgeSpec: Codable, Sendable, Hashable {
    /// `MannWhitney`, the only judge.
    public var type: String
    /// How far back the samples go (default `5m`).
    public var window: String?
    /// One sample per step (default `15s`).
    public var step: String?
    /// Which change is a regression: `Increase` (default), `Decrease` or `Either`.
    public var regression: String?
    /// How sure the test must be of a change (default 0.95: p-value below 0.05).
    public var confidence: Double?
    /// Fewer samples on either side is inconclusive (default 10).
    public var minSamples: Int32?
    /// A significant change of the median smaller than this fraction of blue's is marginal, not a
    /// breach (default 0.1: 10 %).
    public var minEffect: Double?

    public init(
        type: String = JudgeType.mannWhitney.rawValue, window: String? = nil, step: String? = nil, regression: String? = nil,
        confidence: Double? = nil, minSamples: Int32? = nil, minEffect: Double? = nil
    ) {
        self.type = type
        self.window = window
        self.step = step
        self.regression = regression
        self.confidence = confidence
        self.minSamples = minSamples
        self.minEffect = minEffect
    }
}

/// A metric read from an HTTP endpoint that answers JSON: a JSONPath picks the number (a boolean
/// counts as 1 or 0). Requests go out under the outbound rules of gate hooks.
public struct WebMetric: Codable, Sendable, Hashable {
    /// The URL, `http://` or `https://`; the query's variables may be used. Or `urlSecret`.
    public var url: String?
    /// A Secret key in the Rollout's namespace holding the URL (no variables); or `url`.
    public var urlSecret: SecretKeyReference?
    /// `GET` (default) or `POST`.
    public var method: String?
    /// The JSON body of a `POST`; the query's variables may be used.
    public var body: String?
    /// Extra request headers.
    public var headers: [HTTPHeaderSpec]?
    /// A Secret in the Rollout's namespace whose every key is sent as a header of that name
    /// (`Authorization`, `X-Api-Key`); read at each measurement.
    public var headersSecret: SecretReference?
    /// How long one request may take (default `10s`); then the measurement is an error.
    public var timeout: String?
    /// Where the number is in the answer: `{.data.score}`, `.results[0].value`, `$` for a bare number.
    public var jsonPath: String

    public init(
        url: String? = nil, urlSecret: SecretKeyReference? = nil, method: String? = nil, body: String? = nil,
        headers: [HTTPHeaderSpec]? = nil, headersSecret: SecretReference? = nil, timeout: String? = nil, jsonPath: String
    ) {
        self.url = url
        self.urlSecret = urlSecret
        self.method = method
        self.body = body
        self.headers = headers
        self.headersSecret = headersSecret
        self.timeout = timeout
        self.jsonPath = jsonPath
    }

    /// The default of ``timeout``, in seconds.
    public static let defaultTimeoutSeconds: Int64 = 10

    /// ``timeout`` in seconds (the default when unset or unparsable: validation reports the latter).
    public var timeoutSeconds: Int64 {
        timeout.flatMap(DurationText.seconds).map { $0 > 0 ? $0 : Self.defaultTimeoutSeconds } ?? Self.defaultTimeoutSeconds
    }
}

/// A metric measured by running a Job (a smoke test, a synthetic check): one Job per
/// measurement, owned by the Rollout; it passes when the Job completes, breaches when it fails
/// (the last lines of its log in the measurement's message). A Job that passed is deleted; a failed
/// one is kept for a look.
public struct MetricJob: Codable, Sendable, Hashable {
    /// The Job's pod template, kept verbatim; `restartPolicy` `Never` or `OnFailure`.
    public var template: PodTemplateSpec
    /// Failed pods before the Job fails (default 0).
    public var backoffLimit: Int32?
    /// How long one Job may run (default `5m`, its `activeDeadlineSeconds`); at most 1h.
    public var timeout: String?

    public init(template: PodTemplateSpec, backoffLimit: Int32? = nil, timeout: String? = nil) {
        self.template = template
        self.backoffLimit = backoffLimit
        self.timeout = timeout
    }

    /// The default of ``timeout``.
    public static let defaultTimeout = "5m"

    /// ``timeout`` in seconds, with the default.
    public var timeoutSeconds: Int64 { DurationText.seconds(timeout ?? Self.defaultTimeout) ?? 300 }

    /// The Job of one measurement: `<rollout>-<metric>-<time in base 36>`, cut to 63 characters.
    public static func jobName(rollout: String, metric: String, at seconds: Int64) -> String {
        let suffix = "-" + String(seconds, radix: 36)
        var head = "\(rollout.prefix(40))-\(metric)"
        head = String(head.prefix(63 - suffix.count))
        while head.hasSuffix("-") { head.removeLast() }
        return head + suffix
    }
}

/// The judges a metric may use.
public enum JudgeType: String, Sendable, Hashable, CaseIterable {
    case mannWhitney = "MannWhitney"
}

/// Which change of a judged metric is a regression.
public enum Regression: String, Sendable, Hashable, CaseIterable {
    case increase = "Increase"
    case decrease = "Decrease"
    case either = "Either"
}
