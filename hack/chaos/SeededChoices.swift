import KubeSim

/// The seeded choices of the workload and the fault schedule.
extension SeededGenerator {
    /// True with `probability`.
    mutating func chance(_ probability: Double) -> Bool { nextUnit() < probability }

    /// One of the values, each as likely as its weight.
    mutating func pick<T>(_ weighted: [(Int, T)]) -> T {
        var roll = Int(next() % UInt64(weighted.reduce(0) { $0 + $1.0 }))
        for (weight, value) in weighted {
            if roll < weight { return value }
            roll -= weight
        }
        return weighted[weighted.count - 1].1
    }
}
