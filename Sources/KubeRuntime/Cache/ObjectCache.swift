import KubeAPI
import KubeModels
import Logging

/// The cache of one kind a controller reads: one ``Reflector`` watching every namespace, or one
/// per watched namespace (a ``Store`` is replaced whole on a relist, so two namespaces never
/// share one). A ``Controller`` runs the caches its ``Trigger``s name.
public final class ObjectCache<Object: KubeObject>: Sendable {
    /// Every reflector of this kind.
    public let reflectors: [Reflector<Object>]
    private let byNamespace: [String: Reflector<Object>]

    /// - Parameters:
    ///   - namespaces: the namespaces to watch; empty watches all of them.
    ///   - labelSelector: only objects with these labels are cached.
    ///   - transform: applied to every object before it is cached (drop what no reconcile reads).
    public init(
        client: KubeClient, namespaces: [String] = [], labelSelector: String? = nil,
        transform: @escaping @Sendable (Object) -> Object = { $0 }, logger: Logger
    ) {
        func reflector(_ namespace: String?) -> Reflector<Object> {
            Reflector(
                client: client, configuration: .init(namespace: namespace, labelSelector: labelSelector),
                store: Store(transform: transform), logger: logger)
        }
        if namespaces.isEmpty {
            reflectors = [reflector(nil)]
            byNamespace = [:]
        } else {
            let unique = Array(Set(namespaces)).sorted()
            let made = unique.map { reflector($0) }
            reflectors = made
            byNamespace = Dictionary(uniqueKeysWithValues: zip(unique, made))
        }
    }

    /// The store holding `namespace`'s objects; nil for a namespace that is not watched.
    public func store(for namespace: String) -> Store<Object>? { reflector(for: namespace)?.store }

    private func reflector(for namespace: String) -> Reflector<Object>? {
        byNamespace.isEmpty ? reflectors.first : byNamespace[namespace]
    }

    /// The object named `name` in `namespace`.
    public func get(name: String, namespace: String) -> Object? { store(for: namespace)?.get(name: name, namespace: namespace) }

    /// The object under `key`.
    public func get(_ key: ObjectKey) -> Object? { get(name: key.name, namespace: key.namespace) }

    /// The objects in `namespace`.
    public func list(namespace: String) -> [Object] { store(for: namespace)?.list(namespace: namespace) ?? [] }

    /// The objects in `namespace` whose controller ownerReference has `uid`.
    public func controlled(by uid: String, namespace: String) -> [Object] {
        (store(for: namespace)?.owned(by: uid) ?? []).filter { $0.metadata.controllerReference?.uid == uid }
    }

    /// Calls `body` with every cached object, store by store under each store's lock: quick
    /// bodies only.
    public func forEach(_ body: (Object) -> Void) {
        for reflector in reflectors { reflector.store.forEach(body) }
    }

    /// See ``Reflector/assumeWritten(_:over:)``: `written` is what our write of version `base` returned.
    public func assumeWritten(_ written: Object, over base: String) {
        reflector(for: written.metadata.namespace ?? "")?.assumeWritten(written, over: base)
    }

    /// Whether every reflector has its first complete list.
    public var hasSynced: Bool { reflectors.allSatisfy(\.hasSynced) }

    /// One stream per reflector of `map` of every change from now on (nil: skipped); see
    /// ``Reflector/changes(_:)``. Subscribe before ``run()`` to hear the first lists.
    public func changes<Value: Sendable>(_ map: @escaping @Sendable (ObjectChange<Object>) -> Value?) -> [AsyncStream<Value>] {
        reflectors.map { $0.changes(map) }
    }

    /// Runs every reflector until the calling task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            for reflector in reflectors { group.addTask { await reflector.run() } }
        }
    }
}
