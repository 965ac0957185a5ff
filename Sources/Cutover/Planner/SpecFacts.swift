import KubeModels

/// What the planner derives from a Rollout's spec alone: its validation, the resolved spec, and
/// the template's fingerprint and hash. A generation's spec never changes (the API server bumps
/// `metadata.generation` with every change of the spec, and name and namespace are fixed), so a
/// controller computes these once per generation and hands them to every plan of it
/// (``ReleaseSnapshot/specFacts``) instead of each plan doing it again. A plan given none, or
/// facts of another object or generation, computes them itself: the result is the same.
public struct SpecFacts: Sendable, Hashable {
    /// The object and generation they were computed from.
    public let uid: String
    public let generation: Int64
    let errors: [ValidationError]
    let spec: ResolvedSpec
    /// ``PlanBuilder/fingerprint(canonicalJSON:)`` of the template.
    let fingerprint: String
    /// The template's hash with `collisionCount` 0.
    let hash: String

    /// The facts of `rollout`; nil when it has no uid or generation to tell them by.
    public init?(_ rollout: Rollout) {
        guard let uid = rollout.metadata.uid, let generation = rollout.metadata.generation else { return nil }
        self.uid = uid
        self.generation = generation
        errors = rollout.validate()
        spec = rollout.spec.resolved()
        let canonical = TemplateHash.canonicalJSON(of: rollout.spec.template)
        fingerprint = PlanBuilder.fingerprint(canonicalJSON: canonical)
        hash = TemplateHash.of(canonicalJSON: canonical, collisionCount: 0)
    }

    /// Whether these are the facts of this version of `rollout`'s spec.
    public func describe(_ rollout: Rollout) -> Bool {
        rollout.metadata.uid == uid && rollout.metadata.generation == generation
    }
}
