import Cutover
import Foundation
import KubeModels
import Testing

#if canImport(Glibc)
import Glibc
@testable import ClusterHarness
#endif

extension EndToEnd.ShardTests {
    /// Going back from `manifests-sharded/` to `manifests/`: the controller without shards waits
    /// until no sharded replica is alive, then takes the leader Lease and acts on everything.
    @Test("from sharded replicas back to one controller: it waits while any replica lives, then takes over, even after a SIGKILL")
    func backToOneControllerWaitsForTheShardedReplicas() async throws {
        try await EndToEndCluster.runForShards { cluster, election in
            var sharded = election
            sharded.shards = 2
            let a = try await cluster.startController("replica-a", leaderElection: sharded)
            let b = try await cluster.startController("replica-b", leaderElection: sharded)
            _ = try await cluster.waitForShardHolders(sharded, distinct: 2)
            var manifest = cluster.rolloutManifest()
            manifest.replicas = 2
            let blue = try await cluster.deployFirst(manifest)

            // The plain install's controller starts beside them: it takes nothing, and says why.
            var plain = sharded
            plain.shards = 1
            let single = try await cluster.startController("single", leaderElection: plain)
            _ = try await eventually("the controller without shards to say it waits", timeout: .seconds(30)) {
                (single.log.contains("not taking the leader Lease while sharded replicas run") ? true : nil, "not yet")
            }
            manifest.image = "registry.example.com/payment:1.4.3"
            let second = try await cluster.release(manifest, until: "Healthy on 1.4.3, released by the sharded replicas") {
                $0.status?.phase == .healthy && $0.status?.activeRevision != blue
            }
            #expect(try await cluster.leaseHolder(plain) == "", "no leader while sharded replicas run")
            let byReplicas = Set(try await cluster.events(about: manifest.name).compactMap(\.reportingInstance))
            #expect(byReplicas.allSatisfy { $0.hasPrefix("replica-") }, "Events from \(byReplicas)")

            // One replica stops, the other is killed: the controller without shards takes over
            // once the killed one's member Lease expired, and releases on its own.
            await a.stop(signal: SIGTERM)
            await b.stop(signal: SIGKILL)
            let killedAt = ContinuousClock.now
            _ = try await cluster.waitForLeaseHolder(prefix: "single_", plain)
            let waited = ContinuousClock.now - killedAt
            print("e2e shards: the controller without shards took the leader Lease \(waited) after the last sharded replica was killed (lease \(plain.leaseDuration)s)")
            #expect(waited >= .seconds(plain.leaseDuration - 1), "took the Lease \(waited) after the kill, before the member Lease could expire")
            #expect(waited <= .seconds(plain.leaseDuration + 5), "took the Lease \(waited) after the kill")
            manifest.image = "registry.example.com/payment:1.4.4"
            _ = try await cluster.release(manifest, until: "Healthy on 1.4.4, released by the controller without shards") {
                $0.status?.phase == .healthy && $0.status?.activeRevision != second.status?.activeRevision
            }
            let later = try await cluster.events(about: manifest.name).filter { ($0.reportingInstance ?? "").hasPrefix("single_") }
            #expect(!later.isEmpty, "the controller without shards recorded the last release")
        }
    }
}
