import KubeModels

/// Who last set a field of a Rollout, as far as the API server tells: the field manager of the
/// newest `metadata.managedFields` entry that owns it (`kubectl-client-side-apply`, `kubectl-edit`,
/// `kubectl-annotate`, `argocd-controller`, `helm`). The API does not record the user; a pipeline
/// can set a meaningful manager with `kubectl apply --field-manager=<who>`.
public enum FieldAuthor {
    /// The fields whose authors Cutover records, as paths in a `fieldsV1` set.
    public enum Field: CaseIterable, Sendable {
        /// `spec.template`: who started a release (`status.history[].startedBy`).
        case template
        /// The `cutover.dev/promote-unverified` annotation: who let a release through unverified.
        case promoteUnverified

        var path: [String] {
            switch self {
            case .template: ["f:spec", "f:template"]
            case .promoteUnverified: ["f:metadata", "f:annotations", "f:\(CutoverLabels.promoteUnverified)"]
            }
        }
    }

    /// The manager, or nil when no entry owns the field (managedFields off, or stripped).
    public static func name(of field: Field, in metadata: ObjectMeta) -> String? {
        entry(owning: field, in: metadata)?.manager
    }

    /// The newest entry that owns `field` (the last one listed among equal times).
    static func entry(owning field: Field, in metadata: ObjectMeta) -> ManagedFieldsEntry? {
        var newest: ManagedFieldsEntry?
        for entry in metadata.managedFields ?? [] where entry.subresource == nil || entry.subresource == "" {
            guard entry.manager != nil, field.path.reduce(entry.fieldsV1, { $0?[$1] }) != nil else { continue }
            if let best = newest, let bestTime = best.time, let time = entry.time, time < bestTime { continue }
            newest = entry
        }
        return newest
    }

    /// `metadata.managedFields` reduced to the authors of the recorded fields, each entry with only
    /// the part of its field set that makes it one: what a cache keeps so that ``name(of:in:)``
    /// still answers.
    public static func reduced(_ metadata: ObjectMeta) -> [ManagedFieldsEntry]? {
        let kept = Field.allCases.compactMap { field -> ManagedFieldsEntry? in
            guard var entry = entry(owning: field, in: metadata) else { return nil }
            entry.fieldsV1 = field.path.reversed().reduce(JSONValue.object([:])) { inner, key in .object([key: inner]) }
            entry.apiVersion = nil
            entry.fieldsType = nil
            return entry
        }
        return kept.isEmpty ? nil : kept
    }
}
