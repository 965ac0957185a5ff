import KubeModels

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

/// One metric: its source (a PromQL query, a web endpoint or a Job) and what judges it.
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
