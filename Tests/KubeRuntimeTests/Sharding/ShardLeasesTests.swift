import KubeAPI
import KubeModels
import KubeSim
import SimulatorHarness
import Testing
@testable import KubeRuntime

/// Shard ownership through Leases on KubeSim, with short timings: lease 2 s, renew 1.5 s, retry 0.5 s.
@Suite struct ShardLeasesTests {
    static func replica(_ identity: String, _ client: KubeClient, shards: Int) throws -> ShardLeases {
        ShardLeases(
            client: client, map: ShardMap(count: shards),
            configuration: try LeaderElectionConfiguration(
                leaseName: "cutover", leaseNamespace: "default", identity: identity, leaseDuration: .seconds(2),
                renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(500)))
    }

    static func start(_ replica: ShardLeases) -> Task<Void, Never> { Task { await replica.run() } }

    /// Every shard acted on by exactly one replica.
    static func split(_ replicas: [ShardLeases], count: Int) -> Bool {
        let active = replicas.map(\.active)
        return active.reduce(0) { $0 + $1.count } == count && Set(active.flatMap { $0 }) == Set(0..<count)
    }

    /// Fails the test when a shard is ever active in two replicas, sampled every 20 ms until `until` holds.
    static func neverTwoOwners(_ replicas: [ShardLeases], until: @escaping () -> Bool, within seconds: Double = 10) async throws {
        try await eventually(within: seconds, "the condition") {
            let active = replicas.map(\.active)
            let all = active.flatMap { $0 }
            #expect(all.count == Set(all).count, "a shard active in two replicas: \(active)")
            return until()
        }
    }

    static func holders(_ sim: KubeSim) async -> [String: String] {
        let list = await sim.request("GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases?labelSelector=cutover.dev%2Flease-set%3Dcutover").body
        var holders: [String: String] = [:]
        for item in list["items"]?.arrayValue ?? [] {
            holders[item["metadata"]?["name"]?.stringValue ?? ""] = item["spec"]?["holderIdentity"]?.stringValue ?? ""
        }
        return holders
    }

    @Test func threeReplicasSplitSixShardsTwoEach() async throws {
        try await withRuntimeSimulator { sim, client in
            let replicas = try ["a", "b", "c"].map { try Self.replica($0, client, shards: 6) }
            let tasks = replicas.map(Self.start)
            defer { for task in tasks { task.cancel() } }
            try await Self.neverTwoOwners(replicas) { replicas.allSatisfy { $0.active.count == 2 } && Self.split(replicas, count: 6) }
            try await eventually("every replica to see the three members") { replicas.allSatisfy { $0.members == ["a", "b", "c"] } }
            let holders = await Self.holders(sim)
            for (index, replica) in replicas.enumerated() {
                for shard in replica.active { #expect(holders["cutover-shard-\(shard)"] == ["a", "b", "c"][index]) }
            }
            #expect(holders.keys.filter { $0.hasPrefix("cutover-member-") }.count == 3)
            #expect(replicas.allSatisfy { $0.fenceReason() == nil })
        }
    }

    @Test func aKilledReplicasShardsAreTakenOverWhenItsLeasesExpire() async throws {
        try await withRuntimeSimulator { _, client in
            let replicas = try ["a", "b", "c"].map { try Self.replica($0, client, shards: 3) }
            var tasks = replicas.map(Self.start)
            defer { for task in tasks { task.cancel() } }
            try await eventually("one shard each") { Self.split(replicas, count: 3) && replicas.allSatisfy { $0.active.count == 1 } }
            let orphan = try #require(replicas[2].active.first)
            // A kill: c stops renewing and hands nothing back.
            tasks[2].cancel()
            tasks.remove(at: 2)
            let killed = ContinuousClock.now
            try await Self.neverTwoOwners(Array(replicas.prefix(2))) { Self.split(Array(replicas.prefix(2)), count: 3) }
            let elapsed = ContinuousClock.now - killed
            // Not before c's lease could have expired (2 s, less the time c's last renewal was old).
            #expect(elapsed > .milliseconds(1000), "\(elapsed)")
            #expect(replicas[0].active.contains(orphan) || replicas[1].active.contains(orphan))
            #expect(replicas[2].active.isEmpty, "c's renewals stopped: past its renew deadline it acts on nothing")
            #expect(replicas[2].fenceReason() != nil)
        }
    }

    /// Both replicas' rounds are driven by hand: the order of their looks is the test's.
    @Test func aJoiningReplicaGetsAShardOnlyOnceTheWorkOnItHasEnded() async throws {
        try await withRuntimeSimulator { _, client in
            let a = try Self.replica("a", client, shards: 2), b = try Self.replica("b", client, shards: 2)
            await a.step()
            #expect(a.active == [0, 1])
            #expect(a.begin(0) && a.begin(1))
            await b.step()  // b announces itself; both shards are a's
            await a.step()  // a sees b: its target is 1, it hands one back
            #expect(a.active.count == 1)
            let handed = try #require(Set([0, 1]).subtracting(a.active).first)
            #expect(a.begin(handed) == false, "no new work on a shard being handed back")
            // While the work on it runs, a does not release it and b does not get it.
            for _ in 0..<4 {
                await a.step()
                await b.step()
                #expect(b.active.isEmpty)
            }
            a.end(handed)
            await a.step()  // released now
            await b.step()
            #expect(b.active == [handed])
            #expect(a.active == Set([0, 1]).subtracting([handed]))
            a.end(1 - handed)
        }
    }

    @Test func aGracefulStopHandsEveryShardOverAtOnce() async throws {
        try await withRuntimeSimulator { sim, client in
            let a = try Self.replica("a", client, shards: 4), b = try Self.replica("b", client, shards: 4)
            let aTask = Self.start(a)
            try await eventually("a to hold all four") { a.active.count == 4 }
            let bTask = Self.start(b)
            defer { bTask.cancel() }
            try await eventually("two each") { Self.split([a, b], count: 4) && b.active.count == 2 }
            aTask.cancel()
            await aTask.value
            await a.release()
            let released = ContinuousClock.now
            #expect(a.active.isEmpty)
            // Released leases (and a's member Lease deleted): b takes them in its next rounds, not after 2 s.
            try await eventually("b to hold all four") { b.active.count == 4 }
            #expect(ContinuousClock.now - released < .milliseconds(1800))
            #expect(await Self.holders(sim).keys.filter { $0.hasPrefix("cutover-member-") }.count == 1)
        }
    }

    @Test func aReplicaHoldingNoShardMayNotWrite() async throws {
        try await withRuntimeSimulator { _, client in
            let a = try Self.replica("a", client, shards: 1)
            #expect(a.fenceReason() == "this replica holds no shard")
            #expect(a.begin(0) == false)
        }
    }
    @Test func aLargerShardCountTakesOverFromASmallerOneNeverBothAtOnce() async throws {
        try await withRuntimeSimulator { _, client in
            let old = try Self.replica("a", client, shards: 2), new = try Self.replica("b", client, shards: 3)
            var tasks = [Self.start(old)]
            defer { for task in tasks { task.cancel() } }
            try await eventually("a to hold both of its shards") { old.active == [0, 1] }
            tasks.append(Self.start(new))
            try await eventually(within: 15, "b to act on all three, a on none") {
                #expect(old.active.isEmpty || new.active.isEmpty, "two configurations acting at once: a \(old.active), b \(new.active)")
                return new.active == [0, 1, 2] && old.active.isEmpty
            }
            #expect(old.yielding == "replicas with --shards 3 are running (this one has --shards 2)")
            #expect(new.yielding == nil)
        }
    }

    @Test func aControllerWithoutShardsKeepsShardedReplicasWaitingUntilItStops() async throws {
        try await withRuntimeSimulator { _, client in
            let leader = try LeaderElectorTests.elector("solo", client)
            let leading = Box(false)
            let solo = LeaderElectorTests.campaign(leader, leading)
            try await eventually("solo to lead") { leading.get }
            let sharded = try Self.replica("a", client, shards: 2)
            // Its rounds by hand: every one sees the leader and takes nothing.
            for _ in 0..<4 {
                await sharded.step()
                #expect(sharded.yielding == "a controller without shards holds the leader Lease")
                #expect(sharded.active.isEmpty)
            }
            solo.cancel()  // a graceful stop releases the leader Lease
            try await eventually("a to act on both shards") {
                await sharded.step()
                return sharded.active == [0, 1]
            }
        }
    }
}
