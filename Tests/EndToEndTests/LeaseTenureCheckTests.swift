import Foundation
import KubeModels
import Testing
@testable import ClusterHarness

extension EndToEnd {
    /// The chaos runner's "one replica acts on a Rollout at a time" check can fail: fed Lease
    /// records, it tells a write within a holder's tenure from one outside it.
    @Suite("Lease tenure check") struct LeaseTenureCheckTests {
        static let start = Date(timeIntervalSince1970: 1_800_000_000)

        static func lease(_ holder: String, acquiredAfter seconds: Double, transitions: Int32) -> Lease {
            Lease(
                metadata: ObjectMeta(name: "cutover-controller-shard-1", namespace: "cutover-system"),
                spec: LeaseSpec(
                    holderIdentity: holder, leaseDurationSeconds: 4, acquireTime: .micro(start.addingTimeInterval(seconds)),
                    renewTime: .micro(start.addingTimeInterval(seconds)), leaseTransitions: transitions))
        }

        static func check() -> LeaseTenureCheck {
            var election = ControllerProcess.LeaderElection()
            election.shards = 3
            return LeaseTenureCheck(election: election)
        }

        @Test func aWriteCountsOnlyWithinTheWritersTenure() {
            let check = Self.check()
            // a holds shard 1 from 0 s, hands it back at 10 s, b takes it at 10.5 s.
            check.record([Self.lease("a", acquiredAfter: 0, transitions: 1)])
            check.record([Self.lease("", acquiredAfter: 10, transitions: 1)])
            check.record([Self.lease("b", acquiredAfter: 10.5, transitions: 2)])
            let lease = "cutover-controller-shard-1"
            #expect(check.held(lease, by: "a", at: Self.start.addingTimeInterval(5)))
            #expect(check.held(lease, by: "a", at: Self.start.addingTimeInterval(-0.5)), "an Event's second is floored")
            #expect(!check.held(lease, by: "a", at: Self.start.addingTimeInterval(11)), "a wrote after it handed the shard back")
            #expect(!check.held(lease, by: "b", at: Self.start.addingTimeInterval(5)), "b wrote before it took the shard")
            #expect(check.held(lease, by: "b", at: Self.start.addingTimeInterval(30)))
            #expect(!check.held("cutover-controller-shard-2", by: "a", at: Self.start.addingTimeInterval(5)))
        }

        @Test func tenuresMissedBetweenTwoLooksAreNotJudged() {
            let check = Self.check()
            check.record([Self.lease("a", acquiredAfter: 0, transitions: 1)])
            // Two transitions later: someone held it in between, unseen.
            check.record([Self.lease("a", acquiredAfter: 20, transitions: 3)])
            #expect(check.held("cutover-controller-shard-1", by: "c", at: Self.start.addingTimeInterval(15)))
            #expect(!check.held("cutover-controller-shard-1", by: "c", at: Self.start.addingTimeInterval(25)))
        }

        @Test func aRolloutsLeaseIsItsShardsOrTheLeaders() throws {
            var rollout = try InvariantCheckTests.rollout("{}")
            #expect(Self.check().leaseName(of: rollout) == nil, "not labelled yet")
            rollout.metadata.labels = ["cutover.dev/shard": "2-of-3"]
            #expect(Self.check().leaseName(of: rollout) == "cutover-controller-shard-2")
            let leader = LeaseTenureCheck(election: ControllerProcess.LeaderElection())
            #expect(leader.leaseName(of: rollout) == "cutover-controller")
        }
    }
}
