import KubeModels
import Synchronization

/// A thread-safe cache of objects of one kind, keyed by `namespace/name` and indexed by owner UID
/// and by namespace.
///
/// Readers see either the state before a write or after it, never a mix: a relist is collected
/// off to the side and swapped in with ``replaceAll(_:transformed:)`` in one step, so the store is never
/// half-filled. Reads run under the lock and copy out only what they return: a ``StoreSnapshot``
/// held across a write makes that write copy the whole store (copy-on-write), which at 10,000
/// objects and a burst of watch events was most of the controller's transient memory.
///
/// Read your own writes: ``assumeWritten(_:over:)`` puts what a controller's own write returned
/// into the store at once, so its next reconcile does not plan from the version that write
/// replaced (client-go's "expectations", kube's mutation cache). Until the watch delivers that
/// write, the older versions it replaced are not applied again; the delivery itself is no news.
public final class Store<Object: KubeObject>: Sendable {
    private struct Contents {
        var snapshot = StoreSnapshot<Object>()
        /// Per key with an assumed write the watch has not delivered yet: the resourceVersions
        /// that write (and the assumed writes before it) replaced.
        var superseded: [String: Set<String>] = [:]
    }

    private let state: Mutex<Contents>
    private let transform: @Sendable (Object) -> Object

    /// - Parameter transform: applied to every object before it is cached, e.g.
    ///   ``Store/droppingManagedFields(_:)`` to save memory.
    public init(transform: @escaping @Sendable (Object) -> Object = { $0 }) {
        self.state = Mutex(Contents())
        self.transform = transform
    }

    /// A transform that drops `metadata.managedFields`, which controllers rarely read and which is
    /// about a third of a Deployment's size.
    public static var droppingManagedFields: @Sendable (Object) -> Object {
        { object in
            var object = object
            object.metadata.managedFields = nil
            return object
        }
    }

    // MARK: Reads

    /// The current contents as an immutable value; later writes do not change it. The next write
    /// while it is held copies the store: prefer the reads below in hot paths.
    public func snapshot() -> StoreSnapshot<Object> { state.withLock { $0.snapshot } }

    /// The object under `key` (`namespace/name`, or `name` for a cluster-scoped kind).
    public func get(_ key: String) -> Object? { state.withLock { $0.snapshot.objects[key] } }

    /// The object named `name` in `namespace`.
    public func get(name: String, namespace: String?) -> Object? { get(Self.key(name: name, namespace: namespace)) }

    /// Every object, in no particular order.
    public func list() -> [Object] { state.withLock { Array($0.snapshot.objects.values) } }

    /// The objects in `namespace`.
    public func list(namespace: String) -> [Object] { state.withLock { $0.snapshot.list(namespace: namespace) } }

    /// The objects that list `uid` among their ownerReferences.
    public func owned(by uid: String) -> [Object] { state.withLock { $0.snapshot.owned(by: uid) } }

    /// Calls `body` with every object, in no particular order, under the store's lock: quick
    /// bodies only, and none that touches this store.
    public func forEach(_ body: (Object) -> Void) {
        state.withLock { state in
            for object in state.snapshot.objects.values { body(object) }
        }
    }

    /// How many objects are cached.
    public var count: Int { state.withLock { $0.snapshot.objects.count } }

    /// How many keys hold an assumed write that the watch has not delivered yet.
    public var assumedCount: Int { state.withLock { $0.superseded.count } }

    // MARK: Writes (the reflector's)

    /// Inserts or replaces `object` (after the transform) and returns the change: `added`, or
    /// `modified` from what it replaced. While an assumed write of ours is pending, returns nil,
    /// changing nothing, for every version but that write: a watch delivers in order, so what it
    /// brings before our write is older (the version our write replaced, or one written by someone
    /// else just before a patch of ours that did not name a version). The write itself arriving
    /// returns nil too (its change was returned when it was assumed), and ends the wait.
    @discardableResult
    public func upsert(_ object: Object) -> ObjectChange<Object>? {
        let object = transform(object)
        return state.withLock { contents in
            let key = object.metadata.key
            if contents.superseded[key] != nil {
                guard contents.snapshot[key]?.metadata.resourceVersion == object.metadata.resourceVersion else { return nil }
                contents.superseded[key] = nil
                return nil
            }
            return contents.snapshot.upsert(object).map { .modified(old: $0, new: object) } ?? .added(object)
        }
    }

    /// Whether the store holds `key` at exactly `resourceVersion` (so a watch event of that
    /// version need not be decoded: ``Reflector`` skips it, see ``delivered(_:resourceVersion:)``).
    public func holds(_ key: String, resourceVersion: String) -> Bool {
        state.withLock { $0.snapshot[key]?.metadata.resourceVersion == resourceVersion }
    }

    /// The watch delivered the version the store holds for `key`: as ``upsert(_:)`` of that very
    /// version, it ends the wait of an assumed write and changes nothing.
    public func delivered(_ key: String, resourceVersion: String) {
        state.withLock { contents in
            guard contents.superseded[key] != nil, contents.snapshot[key]?.metadata.resourceVersion == resourceVersion else { return }
            contents.superseded[key] = nil
        }
    }

    /// Removes the object with `object`'s key; returns what was cached.
    @discardableResult
    public func remove(_ object: Object) -> Object? { remove(key: object.metadata.key) }

    /// Removes the object with `key` (see ``key(name:namespace:)``); returns what was cached.
    @discardableResult
    public func remove(key: String) -> Object? {
        state.withLock { contents in
            contents.superseded[key] = nil
            return contents.snapshot.remove(key: key)
        }
    }

    /// `object` as the store keeps it (after the transform): a relist applies it page by page, so
    /// a list of 20,000 Deployments is never held whole with their pod templates.
    public func cachedForm(of object: Object) -> Object { transform(object) }

    /// Replaces the whole contents at once and returns the previous contents, so the caller can
    /// tell what a relist added, changed and removed. A listed object that an assumed write
    /// replaced stays as that write. `objects` are transformed first unless `transformed` says
    /// they are in ``cachedForm(of:)`` already.
    @discardableResult
    public func replaceAll(_ objects: [Object], transformed: Bool = false) -> StoreSnapshot<Object> {
        var fresh = StoreSnapshot<Object>()
        for object in objects { fresh.upsert(transformed ? object : transform(object)) }
        return state.withLock { current in
            let previous = current.snapshot
            var superseded: [String: Set<String>] = [:]
            for (key, versions) in current.superseded {
                guard let listed = fresh[key], versions.contains(listed.metadata.resourceVersion ?? ""),
                    let assumed = previous[key]
                else { continue }
                fresh.upsert(assumed)
                superseded[key] = versions
            }
            current = Contents(snapshot: fresh, superseded: superseded)
            return previous
        }
    }

    // MARK: Read your own writes

    /// Puts `written` — what the API server returned for a write of ours that was based on
    /// version `base` of the same object (for a patch without a version: the one cached when it
    /// was sent) — into the store now, instead of when the watch delivers it. Does nothing when the store no longer shows `base` (the watch already delivered this
    /// write or a newer version) or shows no object at all. Until the watch delivers `written` or a
    /// newer version, versions it replaced are not applied again.
    ///
    /// Returns the change from `base` to `written` (nil when nothing was assumed): subscribers hear
    /// of the write now (``Reflector/assumeWritten(_:over:)`` publishes it), not when the watch
    /// delivers it, and that delivery is then no change.
    @discardableResult
    public func assumeWritten(_ written: Object, over base: String) -> ObjectChange<Object>? {
        let written = transform(written)
        let key = written.metadata.key
        return state.withLock { contents in
            guard let current = contents.snapshot[key], let shown = current.metadata.resourceVersion, shown == base,
                written.metadata.resourceVersion != base
            else { return nil }
            contents.superseded[key, default: []].insert(shown)
            contents.snapshot.upsert(written)
            return .modified(old: current, new: written)
        }
    }

    static func key(name: String, namespace: String?) -> String {
        if let namespace, !namespace.isEmpty { return "\(namespace)/\(name)" }
        return name
    }
}

/// The contents of a ``Store`` at one instant, with its indexes.
public struct StoreSnapshot<Object: KubeObject>: Sendable {
    /// Objects by `namespace/name`.
    public private(set) var objects: [String: Object] = [:]
    private var byOwner: [String: Set<String>] = [:]
    private var byNamespace: [String: Set<String>] = [:]

    public init() {}

    /// The object under `key`.
    public subscript(key: String) -> Object? { objects[key] }

    /// The objects in `namespace`.
    public func list(namespace: String) -> [Object] {
        (byNamespace[namespace] ?? []).compactMap { objects[$0] }
    }

    /// The objects that list `uid` among their ownerReferences.
    public func owned(by uid: String) -> [Object] {
        (byOwner[uid] ?? []).compactMap { objects[$0] }
    }

    /// The keys of the objects that list `uid` among their ownerReferences.
    public func keys(ownedBy uid: String) -> Set<String> { byOwner[uid] ?? [] }

    public var count: Int { objects.count }

    @discardableResult
    mutating func upsert(_ object: Object) -> Object? {
        let key = object.metadata.key
        let old = objects.updateValue(object, forKey: key)
        if let old { unindex(old, key: key) }
        index(object, key: key)
        return old
    }

    @discardableResult
    mutating func remove(key: String) -> Object? {
        guard let old = objects.removeValue(forKey: key) else { return nil }
        unindex(old, key: key)
        return old
    }

    private mutating func index(_ object: Object, key: String) {
        for owner in object.metadata.ownerReferences ?? [] { byOwner[owner.uid, default: []].insert(key) }
        byNamespace[object.metadata.namespace ?? "", default: []].insert(key)
    }

    private mutating func unindex(_ object: Object, key: String) {
        for owner in object.metadata.ownerReferences ?? [] {
            byOwner[owner.uid]?.remove(key)
            if byOwner[owner.uid]?.isEmpty == true { byOwner[owner.uid] = nil }
        }
        let namespace = object.metadata.namespace ?? ""
        byNamespace[namespace]?.remove(key)
        if byNamespace[namespace]?.isEmpty == true { byNamespace[namespace] = nil }
    }
}
