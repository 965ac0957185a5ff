#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KubeModels

/// The records a replica writes on the set's Leases.
extension ShardLeases {
    /// A new Lease held by this replica: a shard's, or its member Lease (which carries its shard count).
    func newLease(name: String, role: Role) -> Lease {
        let now = Date()
        return Lease(
            metadata: ObjectMeta(
                name: name, namespace: configuration.leaseNamespace,
                labels: [Self.setLabel: configuration.leaseName, Self.roleLabel: role.rawValue].merging(
                    role == .member ? [Self.countLabel: "\(map.count)"] : [:]) { a, _ in a }),
            spec: LeaseSpec(
                holderIdentity: configuration.identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
                acquireTime: .micro(now), renewTime: .micro(now), leaseTransitions: 0))
    }

    /// `spec` renewed by this replica now (taken over, when another held it).
    func renewed(_ spec: LeaseSpec?, now: Date) -> LeaseSpec {
        var spec = spec ?? LeaseSpec()
        spec.holderIdentity = configuration.identity
        spec.leaseDurationSeconds = configuration.leaseDurationSeconds
        spec.renewTime = .micro(now)
        if spec.acquireTime == nil { spec.acquireTime = .micro(now) }
        return spec
    }
}
