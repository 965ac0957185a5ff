import KubeModels

/// A namespace and name identifying one object: what a work queue holds and a reconcile takes.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The object's namespace; empty for a cluster-scoped kind.
    public var namespace: String
    /// The object's name.
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of `object` (empty namespace or name when unset).
    public init(_ object: some KubeObject) {
        self.init(namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? "")
    }

    /// `namespace/name` as kubectl and logs write it; `name` alone for a cluster-scoped object.
    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
