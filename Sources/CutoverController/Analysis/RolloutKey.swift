import KubeRuntime

/// A namespace and name identifying one Rollout.
public typealias RolloutKey = ObjectKey
