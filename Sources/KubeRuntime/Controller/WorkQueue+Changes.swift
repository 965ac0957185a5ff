import KubeModels

extension WorkQueue {
    /// Feeds a reflector's changes into the queue until the stream ends: `keys` maps each change
    /// to the keys it should wake (a Rollout's own key; for a child Deployment, its owner's key;
    /// none to ignore it). Run it in the controller's task group next to the reflector.
    public nonisolated func enqueue<Object: KubeObject>(
        _ changes: AsyncStream<ObjectChange<Object>>, keys: @escaping @Sendable (ObjectChange<Object>) -> [Key]
    ) async {
        for await change in changes {
            for key in keys(change) { await add(key) }
        }
    }
}

extension WorkQueue {
    /// Adds every key of `keys` until the stream ends; pair it with ``Reflector/changes(_:)``
    /// mapping each change to the keys it should wake.
    public nonisolated func enqueue(keys: AsyncStream<[Key]>) async {
        for await batch in keys {
            for key in batch { await add(key) }
        }
    }
}

extension ObjectChange {
    /// `namespace/name` of the object's controller owner (the ownerReference with
    /// `controller: true`) when it is of `kind`: the key to reconcile when a child changes.
    public func controllerKey(kind: String) -> String? {
        guard let owner = object.metadata.controllerReference, owner.kind == kind else { return nil }
        return Store<Object>.key(name: owner.name, namespace: object.metadata.namespace)
    }
}
