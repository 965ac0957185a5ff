import KubeModels

/// A change a ``Reflector`` applied to its store, as its subscribers see it.
///
/// A relist reports the differences it found against the store it replaced, so a subscriber
/// misses nothing across a 410 or a reconnect.
public enum ObjectChange<Object: KubeObject>: Sendable {
    case added(Object)
    case modified(old: Object, new: Object)
    case deleted(Object)

    /// The object after the change (the last known state for a deletion).
    public var object: Object {
        switch self {
        case .added(let object), .deleted(let object): return object
        case .modified(_, let new): return new
        }
    }

    /// The object before the change, when there was one.
    public var oldObject: Object? {
        switch self {
        case .added: return nil
        case .modified(let old, _): return old
        case .deleted(let object): return object
        }
    }

    /// `namespace/name` of the object.
    public var key: String { object.metadata.key }
}

extension ObjectChange {
    /// Whether the change can matter to a reconcile of the object itself: an addition, a
    /// deletion, or a modification of its generation (spec), labels, annotations, finalizers or
    /// deletionTimestamp. A status-only write — typically the controller's own — is not one
    /// (kube-rs's `predicate_filter(generation)`, widened to the metadata users annotate).
    /// For a kind without a generation (no status subresource: a ConfigMap) every change is one.
    public var isSpecOrMetadataChange: Bool {
        guard case .modified(let old, let new) = self else { return true }
        let before = old.metadata, after = new.metadata
        if before.generation == nil, after.generation == nil { return true }
        return before.generation != after.generation || before.labels != after.labels
            || before.annotations != after.annotations || before.finalizers != after.finalizers
            || before.deletionTimestamp != after.deletionTimestamp
    }
}

extension ObjectChange {
    /// What a change of the primary kind wakes: the object's own key, except for a status-only
    /// write (``isSpecOrMetadataChange``).
    public var primaryKeys: [ObjectKey] { isSpecOrMetadataChange ? [ObjectKey(object)] : [] }

    /// What a change of an owned kind wakes: the key of the object's controller owner (the
    /// ownerReference with `controller: true`) when it is of `kind`.
    public func ownerKeys(kind: String) -> [ObjectKey] {
        guard let owner = object.metadata.controllerReference, owner.kind == kind else { return [] }
        return [ObjectKey(namespace: object.metadata.namespace ?? "", name: owner.name)]
    }
}
