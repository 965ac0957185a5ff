import KubeModels

/// `spec.promotion`: the environments a new template must have passed before this Rollout
/// releases it (staging → production). See docs/promotion.md.
public struct PromotionSpec: Codable, Sendable, Hashable {
    /// Every source must have released (and soaked) what this Rollout is asked to release.
    public var from: [PromotionSource]
    /// How long the source's release must have been Completed (default `0`).
    public var soak: String?
    /// `Images` (default: the same container images) or `Template` (the same pod template revision).
    public var match: String?

    public init(from: [PromotionSource], soak: String? = nil, match: String? = nil) {
        self.from = from
        self.soak = soak
        self.match = match
    }
}

/// One environment a release must have passed: a Rollout, or a ReleaseGroup (its member of this
/// Rollout's name), in this cluster or in the one a kubeconfig Secret names.
public struct PromotionSource: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The source's namespace.
    public var namespace: String
    /// The source Rollout's name (or set `group`).
    public var rollout: String?
    /// The source ReleaseGroup's name (or set `rollout`): its member named like this Rollout must
    /// have released the same images, in a group release that completed.
    public var group: String?
    /// A Secret in this Rollout's namespace holding a kubeconfig for the source's cluster (token or
    /// client certificate; no exec plugins). Absent: this cluster.
    public var kubeconfigSecret: SecretKeyReference?

    public init(namespace: String, rollout: String? = nil, group: String? = nil, kubeconfigSecret: SecretKeyReference? = nil) {
        self.namespace = namespace
        self.rollout = rollout
        self.group = group
        self.kubeconfigSecret = kubeconfigSecret
    }

    /// `staging/payment`, `staging/shop (group)`, with ` in <secret>` for another cluster.
    public var description: String {
        let object = group.map { "\(namespace)/\($0) (group)" } ?? "\(namespace)/\(rollout ?? "")"
        return kubeconfigSecret.map { "\(object) in \($0.name)" } ?? object
    }
}

/// What a promotion source must have released: see ``PromotionSpec/match``.
public enum PromotionMatch: String, Codable, Sendable, Hashable, CaseIterable {
    /// The same `container=image` pairs (other fields of the template may differ per environment).
    case images = "Images"
    /// The same pod template (the same revision hash).
    case template = "Template"
}

/// `status.promotion`: the promotion gate's last judgment of the template, and in a release
/// record (`status.history[].promotion`) where that release was verified.
public struct PromotionStatus: Codable, Sendable, Hashable {
    /// The revision judged.
    public var revision: String
    /// Whether its release may start.
    public var allowed: Bool
    /// `Verified`, `Overridden`, or why not: `NotReleased`, `Releasing`, `RolledBack`, `Soaking`,
    /// `NotSoaked`, `NoLongerServing`, `SourceNotFound`, `SourceUnreachable`.
    public var reason: String
    /// One line: what the release waits for (`staging/payment soaked 12m of 30m`), or where it was verified.
    public var message: String
    /// When the sources were last read.
    public var checkedAt: Timestamp?
    /// Every source, as judged.
    public var sources: [PromotionSourceStatus]?
    /// Set when `cutover.dev/promote-unverified` let the release through unverified.
    public var override: PromotionOverride?

    public init(
        revision: String, allowed: Bool, reason: String, message: String, checkedAt: Timestamp? = nil,
        sources: [PromotionSourceStatus]? = nil, override: PromotionOverride? = nil
    ) {
        self.revision = revision
        self.allowed = allowed
        self.reason = reason
        self.message = message
        self.checkedAt = checkedAt
        self.sources = sources
        self.override = override
    }
}

/// One source as the promotion gate judged it.
public struct PromotionSourceStatus: Codable, Sendable, Hashable {
    /// The source (`staging/payment`, `staging/shop (group)`, `… in <secret>`).
    public var source: String
    /// Whether it vouches for the release.
    public var verified: Bool
    /// `Verified` or why not (see ``PromotionStatus/reason``).
    public var reason: String
    /// What was found, after the source's name: `has not released registry.example.com/payment:1.5.0`,
    /// `soaked 12m of 30m`.
    public var message: String
    /// The source's revision that released the same images (or template).
    public var revision: String?
    /// When the source's release of it completed.
    public var completedAt: Timestamp?
    /// When it has soaked long enough; set while it soaks.
    public var soakedAt: Timestamp?

    public init(
        source: String, verified: Bool, reason: String, message: String, revision: String? = nil,
        completedAt: Timestamp? = nil, soakedAt: Timestamp? = nil
    ) {
        self.source = source
        self.verified = verified
        self.reason = reason
        self.message = message
        self.revision = revision
        self.completedAt = completedAt
        self.soakedAt = soakedAt
    }
}

/// A release let through unverified by `cutover.dev/promote-unverified`.
public struct PromotionOverride: Codable, Sendable, Hashable {
    /// The annotation's value (a ticket, a reason).
    public var value: String
    /// The field manager that set the annotation, when the API server says.
    public var by: String?
    /// When the controller acted on it.
    public var at: Timestamp

    public init(value: String, by: String? = nil, at: Timestamp) {
        self.value = value
        self.by = by
        self.at = at
    }
}
