import Foundation
import KubeAPI
import KubeModels
import KubeSim
import SimulatorHarness
import Testing
@testable import KubeRuntime

/// A controller without shards started beside sharded replicas of the same Lease set (the plain
/// install applied over the sharded one) waits until they are gone before it takes the leader
/// Lease: they act on their shards without it. Rounds are driven by hand on a manual clock.
@Suite struct LeaderElectorShardGuardTests {
    static func unsharded(_ client: KubeClient, time: ManualTimeSource) throws -> LeaderElector {
        LeaderElector(
            client: client,
            configuration: try LeaderElectionConfiguration(
                leaseName: "cutover", leaseNamespace: "default", identity: "plain", leaseDuration: .seconds(2),
                renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(500)),
            time: time)
    }

    /// A sharded replica's member Lease, as ``ShardLeases`` writes it (`seconds`: its duration).
    static func member(_ identity: String, seconds: Int32 = 15) -> Lease {
        Lease(
            metadata: ObjectMeta(
                name: "cutover-member-\(identity)", namespace: "default",
                labels: [ShardLeases.setLabel: "cutover", ShardLeases.roleLabel: ShardLeases.Role.member.rawValue, ShardLeases.countLabel: "3"]),
            spec: LeaseSpec(holderIdentity: identity, leaseDurationSeconds: seconds, acquireTime: .micro(Date()), renewTime: .micro(Date())))
    }

    static func leaderLease(_ client: KubeClient) async throws -> Lease? {
        do {
            return try await client.get(Lease.self, name: "cutover", namespace: "default")
        } catch let error as KubeError where error.isNotFound {
            return nil
        }
    }

    @Test func itWaitsUntilTheShardedReplicasExpireOnItsOwnClock() async throws {
        try await withRuntimeSimulator { _, client in
            _ = try await client.create(Self.member("s1"))
            _ = try await client.create(Self.member("s2"))
            // Another Lease set's member is not ours to wait for.
            var other = Self.member("x")
            other.metadata.labels?[ShardLeases.setLabel] = "another"
            _ = try await client.create(other)
            let time = ManualTimeSource()
            let plain = try Self.unsharded(client, time: time)
            #expect(try await plain.tryAcquireOrRenew() == .heldBy("sharded replicas s1, s2 (--shards)"))
            #expect(try await Self.leaderLease(client) == nil, "not even created while they live")
            time.advance(by: .seconds(14))
            #expect(try await plain.tryAcquireOrRenew() == .heldBy("sharded replicas s1, s2 (--shards)"))
            time.advance(by: .seconds(1))
            #expect(try await plain.tryAcquireOrRenew() == .acquired, "15 s unchanged on its clock: gone")
            #expect(try await Self.leaderLease(client)?.spec?.holderIdentity == "plain")
            // Holding the leader Lease, it renews whatever starts meanwhile: the sharded replicas yield to it.
            _ = try await client.create(Self.member("s3"))
            #expect(try await plain.tryAcquireOrRenew() == .acquired)
        }
    }

    @Test func aStoppedReplicaDeletesItsMemberLeaseAndFreesTheWayAtOnce() async throws {
        try await withRuntimeSimulator { _, client in
            _ = try await client.create(Self.member("s1"))
            let time = ManualTimeSource()
            let plain = try Self.unsharded(client, time: time)
            #expect(try await plain.tryAcquireOrRenew() == .heldBy("sharded replicas s1 (--shards)"))
            try await client.delete(Lease.self, name: "cutover-member-s1", namespace: "default")
            #expect(try await plain.tryAcquireOrRenew() == .acquired)
        }
    }

    @Test func itDoesNotLeadWhenItCannotSeeThem() async throws {
        try await withRuntimeSimulator { sim, client in
            let rules: JSONValue = ["rules": [["verb": "list", "resource": "leases", "fraction": 1.0, "code": 403]]]
            #expect(await sim.request("POST", "/sim/faults", body: rules).status == 200)
            let plain = try Self.unsharded(client, time: ManualTimeSource())
            guard case .failed(let reason) = try await plain.tryAcquireOrRenew() else {
                Issue.record("acquired without knowing whether sharded replicas run")
                return
            }
            #expect(reason.hasPrefix("list the Leases of sharded replicas (label cutover.dev/lease-set=cutover)"), "\(reason)")
            #expect(try await Self.leaderLease(client) == nil)
        }
    }
}
