import Cutover

/// A namespace and name identifying one Rollout.
public struct RolloutKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The Rollout's namespace.
    public var namespace: String
    /// The Rollout's name.
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of `rollout` (empty namespace or name when unset).
    public init(_ rollout: Rollout) {
        self.init(namespace: rollout.metadata.namespace ?? "", name: rollout.metadata.name ?? "")
    }

    /// `namespace/name`, as kubectl and logs write it.
    public var description: String { "\(namespace)/\(name)" }

    public static func < (lhs: RolloutKey, rhs: RolloutKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
