import Cutover
import Foundation
import KubeModels
import KubeRuntime
import Testing

#if canImport(Glibc)
import Glibc
@testable import ClusterHarness
#endif

extension EndToEnd {
    @Suite("Shards") struct ShardTests {
        /// Two Rollout names per shard of three (the shard of `shop/<name>`).
        static func names(perShard: Int = 2, shards map: ShardMap) -> [Int: [String]] {
            var names: [Int: [String]] = [:]
            for index in 0... {
                let name = "svc-\(index)"
                let shard = map.shard(of: "shop/\(name)")
                if names[shard, default: []].count < perShard { names[shard, default: []].append(name) }
                if names.count == map.count, names.values.allSatisfy({ $0.count == perShard }) { return names }
            }
            return names
        }

        @Test("three replicas, three shards: each Rollout is acted on only by its shard's replica; SIGKILL one mid-release and another finishes its Rollouts")
        func threeReplicasShareTheRolloutsAndTakeOverAKilledOnesShard() async throws {
            try await EndToEndCluster.runForShards { cluster, election in
                var election = election
                election.shards = 3
                let map = ShardMap(count: election.shards)
                let replicas = ["replica-a", "replica-b", "replica-c"]
                var processes: [String: ChildProcess] = [:]
                for name in replicas { processes[name] = try await cluster.startController(name, leaderElection: election) }
                let holders = try await cluster.waitForShardHolders(election, distinct: 3)

                let byShard = Self.names(shards: map)
                var manifests: [RolloutManifest] = []
                for name in byShard.values.flatMap({ $0 }).sorted() {
                    var manifest = cluster.rolloutManifest()
                    manifest.name = name
                    manifest.replicas = 2
                    manifest.steps = [(20, "3s"), (50, "3s")]
                    manifests.append(manifest)
                }
                try await cluster.apply(
                    manifests.map { RolloutManifest.services(name: $0.name, namespace: cluster.namespace) }.joined(separator: "---\n"),
                    file: "services.yaml")
                try await cluster.apply(manifests.map(\.yaml).joined(separator: "---\n"), file: "first.yaml")
                var blues: [String: String] = [:]
                for manifest in manifests {
                    let rollout = try await cluster.monitor.waitForRollout(manifest.name, "Healthy", timeout: .seconds(90)) {
                        $0.status?.phase == .healthy && $0.status?.activeRevision != nil
                    }
                    blues[manifest.name] = rollout.status?.activeRevision
                }
                // Labelled with their shard, Rollouts and Deployments alike.
                let labels = try await cluster.getAll("rollouts", jsonpath: #"{.metadata.labels.cutover\.dev/shard}"#)
                let deploymentLabels = try await cluster.getAll("deployments", jsonpath: #"{.metadata.labels.cutover\.dev/shard}"#)
                let serviceLabels = try await cluster.getAll("services", jsonpath: #"{.metadata.labels.cutover\.dev/shard}"#)
                for (shard, names) in byShard {
                    for name in names {
                        #expect(labels[name] == map.label(shard), "\(name)")
                        #expect(deploymentLabels["\(name)-\(blues[name] ?? "")"] == map.label(shard), "\(name)'s Deployment")
                        #expect(serviceLabels[name] == map.label(shard) && serviceLabels["\(name)-preview"] == map.label(shard), "\(name)'s Services")
                    }
                }

                // A release of all six; the replica of one shard dies while its Rollouts are in their canary.
                for index in manifests.indices { manifests[index].image = "registry.example.com/payment:1.4.3" }
                try await cluster.apply(manifests.map(\.yaml).joined(separator: "---\n"), file: "release.yaml")
                let victimShard = 0
                for name in byShard[victimShard] ?? [] {
                    _ = try await cluster.monitor.waitForRollout(name, "Canary", timeout: .seconds(90)) { $0.status?.phase == .canary }
                }
                let victim = try #require(holders[victimShard])
                let victimName = try #require(replicas.first { victim.hasPrefix("\($0)_") })
                await processes[victimName]?.stop(signal: SIGKILL)
                let killedAt = ContinuousClock.now
                let successor = try await cluster.waitForShardHolder(victimShard, election, otherThan: victim)
                let takeover = ContinuousClock.now - killedAt
                print("e2e shards: shard \(victimShard) taken over by \(successor) \(takeover) after \(victim) was killed (lease \(election.leaseDuration)s)")
                #expect(takeover <= .seconds(election.leaseDuration + 5), "took over after \(takeover)")

                for manifest in manifests {
                    let done = try await cluster.monitor.waitForRollout(manifest.name, "Healthy on 1.4.3", timeout: .seconds(120)) {
                        $0.status?.phase == .healthy && $0.status?.activeRevision != blues[manifest.name]
                    }
                    #expect(done.status?.activeRevision != nil)
                }
                // Every Event of a Rollout came from its shard's replica: the victim's Rollouts from
                // the victim, then its successor; the others from their one replica.
                for (shard, names) in byShard {
                    let allowed: Set<String> = shard == victimShard ? [victim, successor] : [holders[shard] ?? ""]
                    for name in names {
                        let instances = Set(try await cluster.events(about: name).compactMap(\.reportingInstance))
                        #expect(instances.isSubset(of: allowed), "\(name): Events from \(instances), shard \(shard)'s replicas \(allowed)")
                    }
                }
                let survivorLogs = replicas.filter { $0 != victimName }.compactMap { processes[$0]?.log }
                #expect(survivorLogs.contains { $0.contains("took shard \(victimShard)") })
            }
        }
    }
}

extension EndToEnd.ShardTests {
    @Test("from one controller to two sharded replicas: what it made is labelled and taken over; Rollouts that join a group move to its shard and release with it")
    func migrationAndAGroupMovingItsMembers() async throws {
        try await EndToEndCluster.runForShards { cluster, election in
            var election = election
            // Two Rollouts in different shards of two, the group in the shard of the first.
            let map = ShardMap(count: 2)
            let group = (0...).lazy.map { "duo-\($0)" }.first { map.shard(of: "shop/\($0)") == map.shard(of: "shop/svc-0") }!
            let other = (1...).lazy.map { "svc-\($0)" }.first { map.shard(of: "shop/\($0)") != map.shard(of: "shop/svc-0") }!
            var manifests: [RolloutManifest] = []
            for name in ["svc-0", other] {
                var manifest = cluster.rolloutManifest()
                manifest.name = name
                manifest.replicas = 2
                manifests.append(manifest)
            }
            let single = try await cluster.startController("single", leaderElection: election)
            var blues: [String: String] = [:]
            for manifest in manifests { blues[manifest.name] = try await cluster.deployFirst(manifest) }
            await single.stop(signal: SIGTERM)

            election.shards = 2
            for name in ["replica-a", "replica-b"] { try await cluster.startController(name, leaderElection: election) }
            _ = try await cluster.waitForShardHolders(election, distinct: 2)
            func labelled(_ name: String, _ shard: Int) async throws -> Bool {
                let want = map.label(shard)
                let rollout = try await cluster.get("rollout/\(name)", jsonpath: #"{.metadata.labels.cutover\.dev/shard}"#)
                let deployment = try await cluster.get("deployment/\(name)-\(blues[name] ?? "")", jsonpath: #"{.metadata.labels.cutover\.dev/shard}"#)
                let services = try await cluster.getAll("services", jsonpath: #"{.metadata.labels.cutover\.dev/shard}"#)
                return rollout == want && deployment == want && services[name] == want && services["\(name)-preview"] == want
            }
            for name in ["svc-0", other] {
                _ = try await eventually("\(name), its Deployment and Services labelled with its shard", timeout: .seconds(60)) {
                    (try await labelled(name, map.shard(of: "shop/\(name)")) ? true : nil, "not yet")
                }
            }

            // Both join a group: the second moves to the group's shard, and the group releases both.
            try await cluster.apply(ReleaseGroupManifest(name: group, namespace: cluster.namespace).yaml, file: "group.yaml")
            for index in manifests.indices { manifests[index].group = group }
            try await cluster.apply(manifests.map(\.yaml).joined(separator: "---\n"), file: "members.yaml")
            let groupShard = map.shard(of: "shop/\(group)")
            _ = try await eventually("\(other) moved to the group's shard", timeout: .seconds(60)) {
                (try await labelled(other, groupShard) ? true : nil, "not yet")
            }
            try await cluster.monitor.waitForGroup(group, "to list both members, Healthy") {
                $0.status?.members?.filter { $0.phase == RolloutPhase.healthy.rawValue }.count == 2
            }
            for index in manifests.indices { manifests[index].image = "registry.example.com/payment:1.4.3" }
            let greens = try await cluster.releaseGroup(manifests, blues: blues, group: group)
            for manifest in manifests {
                _ = try await cluster.monitor.waitForRollout(manifest.name, "Healthy on its green", timeout: .seconds(90)) {
                    $0.status?.phase == .healthy && $0.status?.activeRevision == greens[manifest.name]
                }
            }
        }
    }
}

extension EndToEndCluster {
    /// Runs `body` on a cluster that starts no controller of its own, with the Leases' namespace
    /// and the sharded install's RBAC ready (``prepareShards(_:)``); `body` starts the replicas.
    static func runForShards(_ body: (EndToEndCluster, LeaderElection) async throws -> Void) async throws {
        var options = Options()
        options.controller = false
        try await run(options) { cluster in
            let election = LeaderElection()
            try await cluster.prepareShards(election)
            try await body(cluster, election)
        }
    }

    /// The Leases' namespace, and the RBAC of the sharded install (manifests-sharded/) for the
    /// controller's ServiceAccount.
    func prepareShards(_ election: LeaderElection) async throws {
        try await kubectl("create", "namespace", election.leaseNamespace)
        for file in ["clusterrole-shards.yaml", "role-shards.yaml", "rolebinding-shards.yaml"] {
            try await kubectl("apply", "-f", Binaries.repositoryRoot.appendingPathComponent("manifests-sharded/\(file)").path)
        }
    }

    /// The holders of the shard Leases (`<lease-name>-shard-<i>`), once `distinct` replicas hold all of them.
    func waitForShardHolders(_ election: LeaderElection, distinct: Int) async throws -> [Int: String] {
        try await eventually("\(election.shards) shard Leases held by \(distinct) replicas", timeout: .seconds(60)) {
            var holders: [Int: String] = [:]
            for shard in 0..<election.shards {
                let lease = try? await client.get(Lease.self, name: "\(election.leaseName)-shard-\(shard)", namespace: election.leaseNamespace)
                if let holder = lease?.spec?.holderIdentity, !holder.isEmpty { holders[shard] = holder }
            }
            let done = holders.count == election.shards && Set(holders.values).count == distinct
            return (done ? holders : nil, "holders \(holders)")
        }
    }

    /// Waits until shard `shard`'s Lease names a holder other than `previous`; returns it.
    func waitForShardHolder(_ shard: Int, _ election: LeaderElection, otherThan previous: String) async throws -> String {
        try await eventually("shard \(shard) held by another replica than \(previous)", timeout: .seconds(60), interval: .milliseconds(50)) {
            let lease = try? await client.get(Lease.self, name: "\(election.leaseName)-shard-\(shard)", namespace: election.leaseNamespace)
            let holder = lease?.spec?.holderIdentity ?? ""
            return (!holder.isEmpty && holder != previous ? holder : nil, "holder \"\(holder)\"")
        }
    }
}
