import KubeModels

/// One change the simulated cluster wants made to the store. The server applies it as its own
/// write (bumping resourceVersion and notifying watchers), exactly as a controller's request would.
public enum SimulatedWrite: Sendable, Hashable {
    /// Create this Pod (a full object; `metadata.name` is already chosen).
    case createPod(namespace: String, object: JSONValue)
    /// Delete this Pod.
    case deletePod(namespace: String, name: String)
    /// Replace the Pod's `status` (as a write to the `status` subresource would).
    case updatePodStatus(namespace: String, name: String, status: JSONValue)
    /// Replace the Deployment's `status` (as a write to the `status` subresource would).
    case updateDeploymentStatus(namespace: String, name: String, status: JSONValue)
    /// Replace the Job's `status` (as a write to the `status` subresource would).
    case updateJobStatus(namespace: String, name: String, status: JSONValue)

    /// The namespace the write goes to.
    public var namespace: String {
        switch self {
        case .createPod(let namespace, _), .deletePod(let namespace, _),
            .updatePodStatus(let namespace, _, _), .updateDeploymentStatus(let namespace, _, _), .updateJobStatus(let namespace, _, _):
            return namespace
        }
    }
}
