import KubeModels

/// Something that wakes keys of a ``Reconciler``: the changes of a cached kind mapped to keys, or
/// a stream of keys from the reconciler's own background work.
public struct Trigger<Key: Hashable & Sendable>: Sendable {
    /// The cache to run (nil for a stream of keys); a cache named by several triggers runs once.
    let cache: (any RunnableCache)?
    /// Subscribes (call once, before the caches run) and returns the loops that feed the keys
    /// into the work queue until their streams end.
    let subscribe: @Sendable () -> [Feed]

    typealias Feed = @Sendable (WorkQueue<Key>) async -> Void

    /// Every change of `cache`'s objects wakes the keys `keys` maps it to (none: ignored). The
    /// mapping runs as the change is applied and must be quick and free of side effects; only
    /// the keys wait in the stream, never the objects.
    public static func changes<Object>(
        of cache: ObjectCache<Object>, keys: @escaping @Sendable (ObjectChange<Object>) -> [Key]
    ) -> Trigger {
        Trigger(cache: cache) {
            let streams = cache.changes { change -> [Key]? in
                let woken = keys(change)
                return woken.isEmpty ? nil : woken
            }
            return streams.map { stream in { queue in await queue.enqueue(keys: stream) } }
        }
    }

    /// Keys from outside the caches (a background measurement that finished), never waiting.
    public static func keys(_ stream: AsyncStream<Key>) -> Trigger {
        Trigger(cache: nil) {
            [{ queue in for await key in stream { await queue.add(key) } }]
        }
    }
}

extension Trigger where Key == ObjectKey {
    /// The primary kind: a change of an object wakes its own key, except a status-only write
    /// (usually the controller's own), see ``ObjectChange/isSpecOrMetadataChange``.
    public static func primary<Object>(_ cache: ObjectCache<Object>) -> Trigger {
        changes(of: cache) { $0.primaryKeys }
    }

    /// An owned kind: a change of an object whose controller ownerReference is of `ownerKind`
    /// wakes the owner's key.
    public static func owned<Object>(_ cache: ObjectCache<Object>, byKind ownerKind: String) -> Trigger {
        changes(of: cache) { $0.ownerKeys(kind: ownerKind) }
    }
}

/// A cache a ``Controller`` runs: type-erased ``ObjectCache``.
protocol RunnableCache: AnyObject, Sendable {
    var hasSynced: Bool { get }
    func run() async
}

extension ObjectCache: RunnableCache {}
