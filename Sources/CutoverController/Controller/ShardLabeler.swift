import Cutover
import KubeAPI
import KubeModels
import KubeRuntime
import Logging

/// With `--shards N`: labels the Rollouts and revision Deployments that no current shard holds
/// (new Rollouts, ones from before sharding, ones labelled under another shard count) with
/// `cutover.dev/shard`. Each replica runs one, watching only those (a `notin` selector, metadata
/// only: few objects, once labelled they leave the cache), and labels the ones in a shard it acts
/// on (``ShardLeases/begin(_:)``), so every write to a Rollout comes from the replica acting on
/// its shard.
///
/// A Rollout whose shard changes while labelled (it joins or leaves a ReleaseGroup) is moved by
/// the replica acting on its old shard (``RolloutController``).
public final class ShardLabeler: Reconciler {
    public enum Key: Hashable, Sendable, CustomStringConvertible {
        case rollout(ObjectKey)
        case deployment(ObjectKey)

        public var description: String {
            switch self {
            case .rollout(let key): return "rollout \(key)"
            case .deployment(let key): return "deployment \(key)"
            }
        }
    }

    let client: KubeClient
    let scope: ShardScope
    let fieldManager: String
    /// Metadata only: at the first start with shards every Rollout is here until labelled.
    let rollouts: ObjectCache<MetadataOnly<Rollout>>
    let deployments: ObjectCache<MetadataOnly<Deployment>>
    let logger: Logger
    /// Objects to look at again: those of the shards this replica just began to act on.
    private let woken: AsyncStream<Key>
    private let wake: AsyncStream<Key>.Continuation

    /// One per replica, for as long as it runs: it labels for whichever shards the replica acts on.
    public init(
        client: KubeClient, leases: ShardLeases, namespaces: [String] = [], fieldManager: String = "cutover-controller",
        logger: Logger = Logger(label: "cutover.shards")
    ) {
        self.client = client
        scope = ShardScope(leases: leases, active: Set(0..<leases.map.count))
        self.fieldManager = fieldManager
        self.logger = logger
        (woken, wake) = AsyncStream.makeStream()
        rollouts = ObjectCache(
            client: client, namespaces: namespaces, labelSelector: scope.staleSelector, transform: CachedForm.labelsAndOwners, logger: logger)
        deployments = ObjectCache(
            client: client, namespaces: namespaces, labelSelector: "\(CutoverLabels.rollout),\(scope.staleSelector)",
            transform: CachedForm.labelsAndOwners, logger: logger)
    }

    public var triggers: [Trigger<Key>] {
        [
            .changes(of: rollouts) { change in Self.isGone(change) ? [] : [.rollout(ObjectKey(change.object))] },
            .changes(of: deployments) { change in Self.isGone(change) ? [] : [.deployment(ObjectKey(change.object))] },
            .keys(woken),
        ]
    }

    /// An object of a shard nobody here acted on was left alone: when this replica begins to act
    /// on shards, their unlabelled Rollouts (and every unlabelled Deployment: its shard is its
    /// owner's) are looked at again.
    public func runBackground() async {
        var acting: Set<Int> = []
        func look(at active: Set<Int>) {
            let gained = active.subtracting(acting)
            acting = active
            guard !gained.isEmpty else { return }
            rollouts.forEach { rollout in
                if gained.contains(scope.shard(of: rollout.metadata)) { wake.yield(.rollout(ObjectKey(rollout))) }
            }
            deployments.forEach { wake.yield(.deployment(ObjectKey($0))) }
        }
        let changes = scope.leases.changes()
        look(at: scope.leases.active)
        for await active in changes { look(at: active) }
        wake.finish()
    }

    static func isGone<Object>(_ change: ObjectChange<Object>) -> Bool {
        if case .deleted = change { return true }
        return false
    }

    public func reconcile(_ key: Key) async throws -> Duration? {
        switch key {
        case .rollout(let key):
            guard let rollout = rollouts.get(key) else { return nil }
            try await label(Rollout.self, key, shard: scope.shard(of: rollout.metadata))
        case .deployment(let key):
            guard let deployment = deployments.get(key), let owner = deployment.metadata.controllerReference, owner.kind == "Rollout"
            else { return nil }
            // The owner is in another cache or none of this replica's: read it (gone: the
            // Deployment is being garbage-collected with it).
            guard let rollout = try await client.getIfExists(Rollout.self, owner.name, namespace: key.namespace),
                rollout.metadata.uid == owner.uid
            else { return nil }
            try await label(Deployment.self, key, shard: scope.shard(of: rollout.metadata))
        }
        return nil
    }

    /// Labels the object with `shard` if this replica acts on it; the replica that does otherwise.
    private func label<Object: KubeObject>(_ type: Object.Type, _ key: ObjectKey, shard: Int) async throws {
        let value = scope.map.label(shard)
        let labelled: Bool? = try await scope.acting(on: shard) {
            do {
                _ = try await client.labelShard(type, key.name, namespace: key.namespace, value, fieldManager: fieldManager) as Object
            } catch let error as KubeError where error.isNotFound {
                return false
            }
            return true
        }
        if labelled == true { logger.debug("labelled \(Object.resource.kind) \(key) with shard \(value)") }
    }
}
