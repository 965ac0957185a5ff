import KubeModels

/// One Rollout per Service. The first Rollout to use a Service claims it with the annotation
/// `cutover.dev/managed-by: <rollout>` (a patch conditional on the version it read, so two claiming
/// at once cannot both win) and moves its selector only once the claim is seen. Another Rollout
/// naming a claimed Service touches nothing (`Available=False`, reason `ServiceInUse`); a claim by
/// a Rollout that is gone is free to take. See docs/rollout-reference.md#one-rollout-per-service.
extension PlanBuilder {
    /// Another Rollout that claims one of this Rollout's Services and still names it: the Service and it.
    static func serviceInUse(in snapshot: ReleaseSnapshot) -> (service: String, owner: String)? {
        let me = snapshot.rollout.metadata.name ?? ""
        for name in snapshot.rollout.serviceNames {
            guard let owner = snapshot.claimedBy[name], owner != me else { continue }
            return (name, owner)
        }
        return nil
    }

    /// Claims of the Rollout's Services that are not its own yet: unclaimed, or claimed by a
    /// Rollout that is gone or no longer names them.
    var serviceClaims: [ReleaseAction] {
        let owner = name
        return rollout.serviceNames.compactMap { service in
            guard snapshot.claimedBy[service] == nil, let metadata = snapshot.services[service]?.metadata,
                metadata.annotations?[CutoverLabels.managedBy] != owner
            else { return nil }
            return .claimService(ServiceClaim(service: service, owner: owner, resourceVersion: metadata.resourceVersion ?? ""))
        }
    }

    /// `Service shared is managed by Rollout first`, when another Rollout claims one.
    var serviceInUseText: String? {
        serviceInUse.map { "Service \($0.service) is managed by Rollout \($0.owner); \(name) leaves it alone" }
    }
}
