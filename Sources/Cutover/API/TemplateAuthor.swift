import KubeModels

/// Who last changed a Rollout's pod template, as far as the API server tells: the field manager
/// of the newest `metadata.managedFields` entry that owns `spec.template` (`kubectl-client-side-apply`,
/// `kubectl-edit`, `argocd-controller`, `helm`). The API does not record the user; a pipeline can
/// set a meaningful manager with `kubectl apply --field-manager=<who>`.
public enum TemplateAuthor {
    /// The manager, or nil when no entry owns the template (managedFields off, or stripped).
    public static func name(in metadata: ObjectMeta) -> String? {
        entry(in: metadata)?.manager
    }

    /// The newest entry that owns `spec.template` (the last one listed among equal times).
    static func entry(in metadata: ObjectMeta) -> ManagedFieldsEntry? {
        var newest: ManagedFieldsEntry?
        for entry in metadata.managedFields ?? [] where entry.subresource == nil || entry.subresource == "" {
            guard entry.fieldsV1?["f:spec"]?["f:template"] != nil, entry.manager != nil else { continue }
            if let best = newest, let bestTime = best.time, let time = entry.time, time < bestTime { continue }
            newest = entry
        }
        return newest
    }

    /// `metadata.managedFields` reduced to the template's author, with only the part of its field
    /// set that makes it one: what a cache keeps so that ``name(in:)`` still answers.
    public static func reduced(_ metadata: ObjectMeta) -> [ManagedFieldsEntry]? {
        guard var entry = entry(in: metadata) else { return nil }
        entry.fieldsV1 = .object(["f:spec": .object(["f:template": .object([:])])])
        entry.apiVersion = nil
        entry.fieldsType = nil
        return [entry]
    }
}
