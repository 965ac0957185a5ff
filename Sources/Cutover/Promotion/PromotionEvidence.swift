/// What the promotion gate asks the controller to read: every source of `spec.promotion`, for
/// the release of `revision`. The answer comes back as ``PromotionEvidence``.
public struct PromotionCheck: Sendable, Hashable {
    /// The revision waiting at the gate.
    public var revision: String
    /// The sources to read.
    public var sources: [PromotionSource]
    /// The member a ReleaseGroup source is asked about: this Rollout's name.
    public var member: String

    public init(revision: String, sources: [PromotionSource], member: String) {
        self.revision = revision
        self.sources = sources
        self.member = member
    }
}

/// The sources of a ``PromotionCheck`` as the controller read them.
public struct PromotionEvidence: Sendable, Hashable {
    /// The revision the check was for.
    public var revision: String
    /// One per source, in `spec.promotion.from` order.
    public var sources: [SourceEvidence]

    public init(revision: String, sources: [SourceEvidence]) {
        self.revision = revision
        self.sources = sources
    }
}

/// One source as read.
public struct SourceEvidence: Sendable, Hashable {
    public var source: PromotionSource
    public var found: Found

    /// What reading the source gave.
    public enum Found: Sendable, Hashable {
        /// A source Rollout: its releases.
        case rollout(SourceReleases)
        /// A source ReleaseGroup: the group's releases, and those of its member named like this
        /// Rollout (nil when it has no such member).
        case group(SourceReleases, member: SourceReleases?)
        /// The API answered that the object does not exist.
        case notFound
        /// The source could not be read (cluster down, forbidden, bad kubeconfig): never a pass.
        case unreachable(String)
    }

    public init(source: PromotionSource, found: Found) {
        self.source = source
        self.found = found
    }
}

/// A source object's `status.history` and what it serves now.
public struct SourceReleases: Sendable, Hashable {
    /// Oldest first, as in status.
    public var history: [ReleaseRecord]
    /// The Rollout's `status.activeRevision` (a group: nil).
    public var serving: String?

    public init(history: [ReleaseRecord], serving: String? = nil) {
        self.history = history
        self.serving = serving
    }
}
