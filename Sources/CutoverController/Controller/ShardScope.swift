import Cutover
import KubeAPI
import KubeModels
import KubeRuntime

/// The shards one controller replica acts on (`--shards N`, N > 1), as its caches are built for
/// them: Rollouts and their Deployments labelled `cutover.dev/shard` with one of ``active``.
///
/// A Rollout's shard is the hash of `namespace/name`, or of its ReleaseGroup's
/// `namespace/name` when it is a member (a group and all its members are in one shard, so one
/// replica decides for the group and acts for each member).
public struct ShardScope: Sendable {
    /// Who holds which shard; the gate every reconcile passes (``ShardLeases/begin(_:)``).
    public let leases: ShardLeases
    /// The shards the caches were built for.
    public let active: Set<Int>

    public init(leases: ShardLeases, active: Set<Int>) {
        self.leases = leases
        self.active = active
    }

    public var map: ShardMap { leases.map }

    /// Selects the objects of ``active``.
    var selector: String { map.selector(key: CutoverLabels.shard, shards: active) }

    /// Selects the Rollouts and Deployments no current shard holds (unlabelled, or labelled under another count).
    var staleSelector: String { map.staleSelector(key: CutoverLabels.shard) }

    /// The shard a Rollout with `metadata` belongs in.
    func shard(of metadata: ObjectMeta) -> Int {
        let namespace = metadata.namespace ?? ""
        if let group = metadata.labels?[CutoverLabels.group], !group.isEmpty { return map.shard(of: "\(namespace)/\(group)") }
        return map.shard(of: "\(namespace)/\(metadata.name ?? "")")
    }

    /// The shard of the ReleaseGroup under `key` (its members' too).
    func shard(ofGroup key: ObjectKey) -> Int { map.shard(of: "\(key.namespace)/\(key.name)") }

    /// The shard `object` is labelled with, when it is one of this map's.
    func labelledShard(of metadata: ObjectMeta) -> Int? { metadata.labels?[CutoverLabels.shard].flatMap(map.shard(label:)) }

    /// Runs `body` while acting on `shard` (nil, without running it, when this replica may not:
    /// the shard is being handed over, or its lease was not renewed in time).
    func acting<T>(on shard: Int, _ body: () async throws -> T) async rethrows -> T? {
        guard leases.begin(shard) else { return nil }
        defer { leases.end(shard) }
        return try await body()
    }
}

/// The API calls of sharding, shared by the Rollout reconciler and the labeller.
extension KubeClient {
    /// Merge-patches `cutover.dev/shard: label` onto the object, and nothing else of it.
    @discardableResult
    func labelShard<Object: KubeObject>(
        _ type: Object.Type, _ name: String, namespace: String, _ label: String, fieldManager: String
    ) async throws -> Object {
        try await patch(
            type, name: name, namespace: namespace, patch: .merge(["metadata": ["labels": [CutoverLabels.shard: .string(label)]]]),
            fieldManager: fieldManager)
    }

    /// The object, or nil when there is none.
    func getIfExists<Object: KubeObject>(_ type: Object.Type, _ name: String, namespace: String) async throws -> Object? {
        do {
            return try await get(type, name: name, namespace: namespace)
        } catch let error as KubeError where error.isNotFound {
            return nil
        }
    }
}
