import Cutover
import Foundation
import KubeModels
import Testing

#if canImport(Glibc)
import Glibc
@testable import ClusterHarness
#endif

extension EndToEnd {
    @Suite("Leader election") struct LeaderElectionTests {
        @Test("two replicas: only the Lease holder acts; SIGKILL it and the other takes over within the lease duration")
        func onlyTheLeaderActsAndTheOtherTakesOver() async throws {
            var options = EndToEndCluster.Options()
            options.controller = false
            try await EndToEndCluster.run(options) { cluster in
                let election = EndToEndCluster.LeaderElection()
                try await cluster.kubectl("create", "namespace", election.leaseNamespace)
                let leader = try await cluster.startController("replica-a", leaderElection: election)
                _ = try await cluster.waitForLeaseHolder(prefix: "replica-a_", election)
                let follower = try await cluster.startController("replica-b", leaderElection: election)
                _ = try await eventually("replica-b to start", timeout: .seconds(30)) {
                    (follower.log.contains("starting") ? true : nil, follower.logTail(5))
                }

                var manifest = cluster.rolloutManifest()
                let blue = try await cluster.deployFirst(manifest)
                manifest.image = "registry.example.com/payment:1.4.3"
                let first = try await cluster.release(manifest, until: "Healthy on 1.4.3") {
                    $0.status?.phase == .healthy && $0.status?.activeRevision != blue
                }
                let green = try #require(first.status?.activeRevision)
                #expect(try await cluster.leaseHolder(election).hasPrefix("replica-a_"), "replica-a kept the lease")
                let events = try await cluster.events()
                #expect(!events.isEmpty)
                #expect(
                    events.allSatisfy { ($0.reportingInstance ?? "").hasPrefix("replica-a_") },
                    "every Event came from the leader: \(Set(events.compactMap(\.reportingInstance)))")
                for line in ["started leading", "caches synced", "created Deployment", "scaled Deployment"] {
                    #expect(!follower.log.contains(line), "the follower logged \"\(line)\":\n\(follower.logTail(20))")
                }

                // A second release; the leader dies in its canary.
                manifest.image = "registry.example.com/payment:1.4.4"
                let canary = try await cluster.release(manifest, until: "Canary") { $0.status?.phase == .canary }
                let next = try #require(canary.status?.greenRevision)
                await leader.stop(signal: SIGKILL)
                let killedAt = ContinuousClock.now
                _ = try await cluster.waitForLeaseHolder(prefix: "replica-b_", election)
                let takeover = ContinuousClock.now - killedAt
                let allowed = Duration.seconds(election.leaseDuration + 2 * election.retryPeriod + 1)
                print("e2e leader election: replica-b holds the lease \(takeover) after replica-a was killed (lease \(election.leaseDuration)s)")
                #expect(takeover <= allowed, "took over after \(takeover); lease duration \(election.leaseDuration)s")

                let done = try await cluster.monitor.waitForRollout("payment", "Healthy on 1.4.4 under replica-b", timeout: .seconds(90)) {
                    $0.status?.phase == .healthy && $0.status?.activeRevision == next
                }
                #expect(done.status?.activeRevision == next)
                #expect(try await cluster.replicas(of: green) == "0")
                #expect(follower.log.contains("started leading"))
                let later = try await cluster.events().filter { ($0.reportingInstance ?? "").hasPrefix("replica-b_") }
                #expect(!later.isEmpty, "replica-b recorded the rest of the release")
            }
        }
    }
}

extension EndToEndCluster {
    /// `spec.holderIdentity` of the election Lease, read with kubectl ("" while there is none).
    func leaseHolder(_ election: LeaderElection) async throws -> String {
        let result = try await kubectl.run(
            ["get", "lease", election.leaseName, "-n", election.leaseNamespace, "-o", "jsonpath={.spec.holderIdentity}"],
            allowFailure: true)
        return result.status == 0 ? result.stdout : ""
    }

    /// Waits until the Lease's holder identity starts with `prefix`; returns the holder.
    func waitForLeaseHolder(prefix: String, _ election: LeaderElection) async throws -> String {
        // Polled through the API client rather than kubectl, so the takeover time is measured to ~50 ms.
        try await eventually("a Lease holder named \(prefix)…", timeout: .seconds(60), interval: .milliseconds(50)) {
            let lease = try? await client.get(Lease.self, name: election.leaseName, namespace: election.leaseNamespace)
            let holder = lease?.spec?.holderIdentity ?? ""
            return (holder.hasPrefix(prefix) ? holder : nil, "holder \"\(holder)\"")
        }
    }
}
