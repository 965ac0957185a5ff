import Testing
@testable import KubeRuntime

@Suite struct ShardMapTests {
    static let keys = (0..<30_000).map { "team-\($0 % 40)/service-\($0)" }

    @Test(arguments: [2, 3, 5, 10, 16])
    func thirtyThousandKeysSpreadWithinTenPercentOfTheMean(count: Int) {
        let map = ShardMap(count: count)
        var sizes = [Int](repeating: 0, count: count)
        for key in Self.keys { sizes[map.shard(of: key)] += 1 }
        let mean = Double(Self.keys.count) / Double(count)
        for (shard, size) in sizes.enumerated() {
            #expect(abs(Double(size) - mean) / mean < 0.10, "shard \(shard) holds \(size), the mean is \(mean)")
        }
    }

    @Test func oneMoreShardMovesOnlyKeysIntoTheNewShard() {
        let (three, four) = (ShardMap(count: 3), ShardMap(count: 4))
        var moved = 0
        for key in Self.keys where three.shard(of: key) != four.shard(of: key) {
            #expect(four.shard(of: key) == 3)
            moved += 1
        }
        // About a quarter of the keys move, all of them into the new shard.
        #expect(abs(Double(moved) / Double(Self.keys.count) - 0.25) < 0.02, "\(moved) moved")
    }

    @Test func theShardOfAKeyIsPinned() {
        // Every replica, and every release of the controller, must give the same answer: a change
        // of the hash would move every Rollout at an upgrade.
        #expect(ShardMap.hash("shop/payment") == 9_173_888_682_360_919_891)
        #expect(ShardMap(count: 1).shard(of: "shop/payment") == 0)
        #expect(["shop/payment", "shop/cart", "default/web", "default/api"].map(ShardMap(count: 3).shard(of:)) == [1, 2, 0, 0])
    }

    @Test(arguments: [
        ("0-of-3", 0), ("2-of-3", 2), ("3-of-3", nil), ("2-of-4", nil), ("02-of-3", nil), ("-1-of-3", nil), ("2", nil), ("", nil),
        ("2-by-3", nil),
    ] as [(String, Int?)])
    func labelValuesNameTheShardAndTheCount(label: String, shard: Int?) {
        #expect(ShardMap(count: 3).shard(label: label) == shard)
    }

    @Test func selectors() {
        let map = ShardMap(count: 3)
        #expect(map.label(1) == "1-of-3")
        #expect(map.selector(key: "cutover.dev/shard", shards: [2, 0]) == "cutover.dev/shard in (0-of-3,2-of-3)")
        #expect(map.staleSelector(key: "cutover.dev/shard") == "cutover.dev/shard notin (0-of-3,1-of-3,2-of-3)")
    }
}

@Suite struct ShardBalanceTests {
    @Test(arguments: [
        // count, members, the targets in identity order
        (3, ["a", "b", "c"], [1, 1, 1]),
        (3, ["a", "b"], [2, 1]),
        (4, ["a", "b", "c"], [2, 1, 1]),
        (2, ["a", "b", "c"], [1, 1, 0]),
        (6, ["a"], [6]),
    ] as [(Int, [String], [Int])])
    func targetsAddUpToTheCountAndDifferByAtMostOne(count: Int, members: [String], targets: [Int]) {
        #expect(members.map { ShardBalance.target(for: $0, members: Set(members), count: count) } == targets)
    }

    @Test(arguments: [
        (3, false, [], nil),
        (3, false, [3], nil),
        (3, false, [2], nil),
        (2, false, [2, 3, 4], "replicas with --shards 4 are running (this one has --shards 2)"),
        (3, true, [], "a controller without shards holds the leader Lease"),
    ] as [(Int, Bool, Set<Int>, String?)])
    func oneConfigurationActsAtATime(count: Int, leaderHeld: Bool, memberCounts: Set<Int>, reason: String?) {
        #expect(ShardBalance.yieldReason(count: count, leaderHeld: leaderHeld, memberCounts: memberCounts) == reason)
    }

    @Test func aReplicaAboveItsTargetHandsBackWhatItPrefersLeast() {
        let decision = ShardBalance.decide(identity: "a", members: ["a", "b", "c"], count: 3, held: [0, 1, 2], free: [])
        #expect(decision.release.count == 2 && decision.acquire.isEmpty)
        #expect(decision.release == Array(ShardBalance.preferred(by: "a", [0, 1, 2]).suffix(2)))
    }

    @Test func aReplicaBelowItsTargetTakesOnlyFreeShards() {
        let decision = ShardBalance.decide(identity: "b", members: ["a", "b"], count: 4, held: [], free: [3])
        #expect(decision == ShardBalance.Decision(release: [], acquire: [3]))
        let none = ShardBalance.decide(identity: "b", members: ["a", "b"], count: 4, held: [1, 2], free: [0])
        #expect(none == ShardBalance.Decision())
    }

    /// Rounds of every replica deciding on the same view, until nothing changes.
    static func settle(_ owners: inout [Int: String], members: Set<String>, count: Int) {
        for _ in 0..<10 {
            var changed = false
            for member in members.sorted() {
                let held = Set(owners.filter { $0.value == member }.keys)
                let free = Set((0..<count).filter { owners[$0] == nil || !members.contains(owners[$0]!) })
                let decision = ShardBalance.decide(identity: member, members: members, count: count, held: held, free: free)
                for shard in decision.release { owners[shard] = nil }
                for shard in decision.acquire { owners[shard] = member }
                changed = changed || !decision.release.isEmpty || !decision.acquire.isEmpty
            }
            if !changed { return }
        }
    }

    @Test func churnMovesOnlyTheShardsThatMust() {
        let count = 12
        var owners: [Int: String] = [:]
        Self.settle(&owners, members: ["a", "b", "c"], count: count)
        #expect(Set(owners.values).count == 3 && owners.count == count)
        for member in ["a", "b", "c"] { #expect(owners.values.filter { $0 == member }.count == 4) }

        // c dies: only its four shards move, and the split is 6/6.
        let before = owners
        Self.settle(&owners, members: ["a", "b"], count: count)
        for shard in 0..<count where before[shard] != "c" { #expect(owners[shard] == before[shard], "shard \(shard) moved") }
        #expect(owners.values.filter { $0 == "a" }.count == 6 && owners.values.filter { $0 == "b" }.count == 6)

        // d joins: it gets four, taken from a and b; nothing moves between a and b.
        let twoReplicas = owners
        Self.settle(&owners, members: ["a", "b", "d"], count: count)
        #expect(owners.values.filter { $0 == "d" }.count == 4)
        for shard in 0..<count where owners[shard] != "d" { #expect(owners[shard] == twoReplicas[shard]) }
    }
}
