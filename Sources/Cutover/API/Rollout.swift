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
    /// Webhooks that gate the cutover (smoke tests, external checks). Out of line: rarely set,
    /// and 864 bytes of every cached Rollout inline.
    @OutOfLine public var hooks: RolloutHooks?
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
        return status.earlierReleases.prefix(Int(revisions)).contains(revision)
    }
}

extension RolloutStatus {
    /// The revisions whose release ended `Promoted` in `history`, newest first, each once, the
    /// serving one left out: where a rollback (or `kubectl cutover undo`) may go back to.
    public var earlierReleases: [String] {
        var recent: [String] = []
        for record in (history ?? []).reversed() where record.outcome == .promoted && record.revision != activeRevision {
            if !recent.contains(record.revision) { recent.append(record.revision) }
        }
        return recent
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
