/// Which of a fixed number of shards a key (`namespace/name`) belongs to, and the label that says
/// so on the objects of that shard.
///
/// The shard of a key is a jump consistent hash (Lamping and Veach, 2014) of a 64-bit hash of the
/// key: it depends on nothing but the key and the shard count, so every replica computes the same
/// answer, and growing the count from N to N+1 moves only the keys that land in the new shard
/// (about 1/(N+1) of them). Keys spread evenly: at 30,000 keys the shards differ from the mean by
/// well under 10 %.
///
/// The label value names the count as well (`2-of-3`), so objects labelled under another count are
/// told apart from current ones with one selector (``staleSelector(key:)``).
public struct ShardMap: Sendable, Hashable {
    /// How many shards there are (at least 1).
    public let count: Int

    public init(count: Int) {
        precondition(count >= 1, "a shard map needs at least one shard")
        self.count = count
    }

    /// The shard (`0..<count`) of `key`.
    public func shard(of key: String) -> Int {
        Self.jump(Self.hash(key), buckets: count)
    }

    /// The label value of `shard`: `2-of-3`.
    public func label(_ shard: Int) -> String { "\(shard)-of-\(count)" }

    /// The shard a label value names, or nil when it is not one of this map's (another count, garbage).
    public func shard(label: String) -> Int? {
        let parts = label.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1] == "of", Int(parts[2]) == count, let shard = Int(parts[0]), (0..<count).contains(shard),
            label == self.label(shard)
        else { return nil }
        return shard
    }

    /// A label selector for the objects of `shards`: `key in (0-of-3,2-of-3)`.
    public func selector(key: String, shards: some Sequence<Int>) -> String {
        "\(key) in (\(shards.sorted().map(label).joined(separator: ",")))"
    }

    /// A label selector for the objects no current shard holds: without the label, or labelled
    /// under another count (`notin` matches objects that lack the key, as the API defines it).
    public func staleSelector(key: String) -> String {
        "\(key) notin (\((0..<count).map(label).joined(separator: ",")))"
    }

    /// FNV-1a over the UTF-8 bytes, then a SplitMix64 finaliser: FNV alone leaves keys that differ
    /// in their last byte (`web-1`, `web-2`) close together in the high bits jump hashing reads.
    static func hash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return mix(hash)
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Jump consistent hash: the bucket in `0..<buckets` of `key`.
    static func jump(_ key: UInt64, buckets: Int) -> Int {
        var key = key
        var bucket: Int64 = -1
        var next: Int64 = 0
        while next < Int64(buckets) {
            bucket = next
            key = key &* 2_862_933_555_777_941_757 &+ 1
            next = Int64(Double(bucket + 1) * (Double(Int64(1) << 31) / Double((key >> 33) + 1)))
        }
        return Int(bucket)
    }
}
