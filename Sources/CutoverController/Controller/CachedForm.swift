import Cutover
import KubeModels

/// What the controller's caches keep of each object: only what the planner and the actions read.
/// At 10,000 Rollouts the caches are nearly all of the controller's memory, and a revision
/// Deployment's pod template is most of its size while nothing reads it back: the planner finds
/// a revision's template by the fingerprint annotation and builds new Deployments from the
/// Rollout. Status writes go to the status subresource, where the server keeps the stored
/// metadata, so trimming a cached Rollout's metadata cannot erase anything.
public enum CachedForm {
    /// The annotation `kubectl apply` keeps a whole copy of the applied object in.
    public static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    /// A Rollout without kubectl's last-applied copy of itself, and with `managedFields` reduced
    /// to the entries that name who last changed the template and who set
    /// `cutover.dev/promote-unverified` (for the release record).
    @Sendable public static func rollout(_ rollout: Rollout) -> Rollout {
        var rollout = rollout
        rollout.metadata.managedFields = FieldAuthor.reduced(rollout.metadata)
        rollout.metadata.annotations?[lastApplied] = nil
        return rollout
    }

    /// A revision Deployment without `managedFields`, its pod template, the copy of the template
    /// in `cutover.dev/template` (for `kubectl cutover undo`, which reads it from the API), its
    /// rollout strategy and its status conditions: readiness is judged from the replica counts
    /// and observedGeneration.
    @Sendable public static func deployment(_ deployment: Deployment) -> Deployment {
        var deployment = deployment
        deployment.metadata.managedFields = nil
        deployment.metadata.annotations?[lastApplied] = nil
        deployment.metadata.annotations?[CutoverLabels.template] = nil
        deployment.spec?.template = PodTemplateSpec()
        deployment.spec?.strategy = nil
        deployment.status?.conditions = nil
        return deployment
    }

    /// A Service reduced to its metadata (without `managedFields` and kubectl's last-applied copy),
    /// its selector (the one field the planner reads and patches) and its ports (the preview URL
    /// gate hooks are given).
    @Sendable public static func service(_ service: Service) -> Service {
        var service = service
        service.metadata.managedFields = nil
        service.metadata.annotations?[lastApplied] = nil
        service.spec = service.spec.map { ServiceSpec(selector: $0.selector, ports: $0.ports) }
        return service
    }

    /// What the shard labeller reads of an object: its name, labels and owners (no annotations,
    /// no `managedFields`).
    @Sendable public static func labelsAndOwners<Object>(_ object: MetadataOnly<Object>) -> MetadataOnly<Object> {
        var object = object
        object.metadata.managedFields = nil
        object.metadata.annotations = nil
        return object
    }

    /// A ReleaseGroup without kubectl's last-applied copy and `managedFields`.
    @Sendable public static func releaseGroup(_ group: ReleaseGroup) -> ReleaseGroup {
        var group = group
        group.metadata.managedFields = nil
        group.metadata.annotations?[lastApplied] = nil
        return group
    }
}
