import KubeAPI
import KubeModels
import KubeRuntime
import Logging

/// The reflectors of one kind: one watching every namespace, or one per watched namespace (a
/// ``Store`` is replaced whole on a relist, so two namespaces never share one).
final class NamespacedCache<Object: KubeObject>: Sendable {
    /// Every reflector of this kind; run each of them.
    let reflectors: [Reflector<Object>]
    private let byNamespace: [String: Reflector<Object>]

    /// - Parameter namespaces: the namespaces to watch; empty watches all of them.
    init(
        client: KubeClient, namespaces: [String], labelSelector: String? = nil,
        transform: @escaping @Sendable (Object) -> Object = { $0 }, logger: Logger
    ) {
        func reflector(_ namespace: String?) -> Reflector<Object> {
            Reflector(
                client: client,
                configuration: .init(namespace: namespace, labelSelector: labelSelector),
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
    func store(for namespace: String) -> Store<Object>? {
        byNamespace.isEmpty ? reflectors.first?.store : byNamespace[namespace]?.store
    }

    /// The object named `name` in `namespace`, from the cache.
    func get(name: String, namespace: String) -> Object? { store(for: namespace)?.get(name: name, namespace: namespace) }

    /// Whether every reflector has its first complete list.
    var hasSynced: Bool { reflectors.allSatisfy(\.hasSynced) }
}
