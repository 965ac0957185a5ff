/// How a replica decides which shards to hold, from what it sees of the others: a pure function,
/// so every replica reaches the same split once their views agree.
///
/// - Each live replica's *target* is `count / replicas`, and one more for the first
///   `count % replicas` replicas in identity order: the targets add up to `count`, none differs
///   from another by more than one.
/// - A replica above its target hands back the shards it prefers least; one below takes free
///   shards (nobody's, or a holder's that expired), those it prefers most first.
/// - Preference is a rendezvous hash of (identity, shard): replicas want different shards, so
///   they rarely race for one, and when a replica joins or leaves only the shards that must move
///   do (the others keep theirs).
public enum ShardBalance {
    /// What to do this round.
    public struct Decision: Sendable, Equatable {
        /// Held shards to hand back (after the work on them has finished).
        public var release: [Int] = []
        /// Free shards to try to take, most preferred first.
        public var acquire: [Int] = []
    }

    /// The shards `identity` should hold of `count`, as one of the live `members` (which include it).
    public static func target(for identity: String, members: Set<String>, count: Int) -> Int {
        let ordered = members.union([identity]).sorted()
        let rank = ordered.firstIndex(of: identity)!
        return count / ordered.count + (rank < count % ordered.count ? 1 : 0)
    }

    /// - Parameters:
    ///   - held: the shards `identity` holds now.
    ///   - free: the shards no valid holder has.
    public static func decide(identity: String, members: Set<String>, count: Int, held: Set<Int>, free: Set<Int>) -> Decision {
        let target = target(for: identity, members: members, count: count)
        var decision = Decision()
        if held.count > target {
            decision.release = Array(preferred(by: identity, held).suffix(held.count - target))
        } else if held.count < target {
            decision.acquire = Array(preferred(by: identity, free.subtracting(held)).prefix(target - held.count))
        }
        return decision
    }

    /// Why a replica with `count` shards must hand back its shards and take none, or nil. Of two
    /// configurations running at once (a `--shards` change rolling out), the larger count acts and
    /// the smaller yields as soon as it sees a live replica of the larger; the larger takes shards
    /// only once no replica of another count holds any (``decide`` is not asked before). Both
    /// sides agree, so one configuration acts at a time. A controller without shards holding the
    /// leader Lease wins over any: it does not look at shards.
    public static func yieldReason(count: Int, leaderHeld: Bool, memberCounts: Set<Int>) -> String? {
        if leaderHeld { return "a controller without shards holds the leader Lease" }
        if let larger = memberCounts.filter({ $0 > count }).max() {
            return "replicas with --shards \(larger) are running (this one has --shards \(count))"
        }
        return nil
    }

    /// `shards`, the ones `identity` prefers most first.
    static func preferred(by identity: String, _ shards: Set<Int>) -> [Int] {
        let seed = ShardMap.hash(identity)
        return shards.sorted { a, b in
            let (x, y) = (ShardMap.mix(seed ^ UInt64(a)), ShardMap.mix(seed ^ UInt64(b)))
            return x != y ? x > y : a < b
        }
    }
}
