import KubeModels

/// One step the controller takes for a plan. Execute a plan's actions in order: the order is part
/// of the plan (for example the active Service moves back to blue before green is scaled down).
/// Every action is idempotent, and planning again after executing them never repeats a create.
public enum ReleaseAction: Sendable, Hashable {
    /// Create this Deployment (complete object, owner reference set). `AlreadyExists` is success.
    case createDeployment(Deployment)
    /// Set `spec.replicas` of the named Deployment (via its scale subresource or a merge patch).
    case scaleDeployment(name: String, replicas: Int32)
    /// Delete the named Deployment (an old revision beyond `revisionHistoryLimit`).
    case deleteDeployment(name: String)
    /// Set (or remove) the one selector key Cutover owns on a Service; see ``ServiceSelectorPatch``.
    case patchServiceSelector(ServiceSelectorPatch)
    /// Claim a Service for this Rollout (`cutover.dev/managed-by`), only if it is still at the
    /// version read; see ``ServiceClaim``.
    case claimService(ServiceClaim)
    /// Record a Kubernetes Event on the Rollout; the controller records them once the status is written.
    case recordEvent(RolloutEvent)
    /// Run these queries now and pass the results to the next plan as ``Measurement``s.
    case measure([MetricQuery])
    /// Call this gate hook (in the background) and pass its outcome to a later plan as a
    /// ``HookResult``; a call of a hook already running is ignored.
    case callHook(HookCall)
    /// Read the sources of `spec.promotion` (in the background) and pass what was found to a later
    /// plan as ``ReleaseSnapshot/promotion``.
    case checkPromotion(PromotionCheck)
}

/// A merge patch of `spec.selector["cutover.dev/revision"]` on one Service, nothing else.
public struct ServiceSelectorPatch: Sendable, Hashable {
    /// The Service name, in the Rollout's namespace.
    public var service: String
    /// The revision to select, or `nil` to remove the key (traffic split by replica count).
    public var revision: String?

    public init(service: String, revision: String?) {
        self.service = service
        self.revision = revision
    }

    /// The JSON merge patch body: `{"spec":{"selector":{"cutover.dev/revision":<hash or null>}}}`.
    public var mergePatch: JSONValue {
        .object(["spec": .object(["selector": .object([CutoverLabels.revision: revision.map { .string($0) } ?? .null])])])
    }
}

/// A merge patch writing `cutover.dev/managed-by: <owner>` on a Service with the
/// `metadata.resourceVersion` it was read at, so the server applies it only to that version: of
/// two Rollouts claiming one Service at once, one gets 409 Conflict and then sees the other's claim.
public struct ServiceClaim: Sendable, Hashable {
    /// The Service name, in the Rollout's namespace.
    public var service: String
    /// The claiming Rollout.
    public var owner: String
    /// The Service's resourceVersion when the claim was planned.
    public var resourceVersion: String

    public init(service: String, owner: String, resourceVersion: String) {
        self.service = service
        self.owner = owner
        self.resourceVersion = resourceVersion
    }

    /// `{"metadata":{"resourceVersion":<read>,"annotations":{"cutover.dev/managed-by":<owner>}}}`.
    public var mergePatch: JSONValue {
        .object(["metadata": .object([
            "resourceVersion": .string(resourceVersion), "annotations": .object([CutoverLabels.managedBy: .string(owner)]),
        ])])
    }
}

/// An Event to record on the Rollout.
public struct RolloutEvent: Sendable, Hashable {
    /// `Normal` or `Warning`.
    public var type: String
    /// A CamelCase reason (`ReleaseStarted`, `RolledBack`).
    public var reason: String
    /// What happened, for `kubectl describe`.
    public var message: String

    public init(type: String = "Normal", reason: String, message: String) {
        self.type = type
        self.reason = reason
        self.message = message
    }
}

/// One metric to measure now, with its queries already rendered.
public struct MetricQuery: Sendable, Hashable {
    /// The metric's name in the spec.
    public var metric: String
    /// The green revision the queries are about; copy it into ``Measurement/revision``.
    public var revision: String
    /// Where the numbers come from, variables filled in.
    public var source: Source

    /// A metric's provider and what to ask it.
    public enum Source: Sendable, Hashable {
        case prometheus(PrometheusQuery)
        case web(WebMetric)
        /// The Job to run, made by the plan; `timeoutSeconds` bounds the wait for it.
        case job(Job, timeoutSeconds: Int64)
    }

    public init(metric: String, revision: String, source: Source) {
        self.metric = metric
        self.revision = revision
        self.source = source
    }

    /// A Prometheus query.
    public init(metric: String, revision: String, address: String, query: String, baseline: String? = nil, sampled: Bool = false) {
        self.init(
            metric: metric, revision: revision,
            source: .prometheus(PrometheusQuery(address: address, query: query, baseline: baseline, sampled: sampled)))
    }

    /// Whether the measurement has a baseline (blue's side) to report.
    public var hasBaseline: Bool {
        if case .prometheus(let query) = source { return query.baseline != nil }
        return false
    }
}

/// A Prometheus metric's queries, rendered.
public struct PrometheusQuery: Sendable, Hashable {
    /// Prometheus base URL; empty: the Rollout's `analysis.prometheus.address`.
    public var address: String
    /// Green's query.
    public var query: String
    /// Blue's baseline query, for metrics with a baseline.
    public var baseline: String?
    /// The queries are subqueries sampling a judged metric over its window: each answers a
    /// range vector of one series, taken as ``Measurement/Sample/series(_:)``.
    public var sampled: Bool

    public init(address: String, query: String, baseline: String? = nil, sampled: Bool = false) {
        self.address = address
        self.query = query
        self.baseline = baseline
        self.sampled = sampled
    }
}
