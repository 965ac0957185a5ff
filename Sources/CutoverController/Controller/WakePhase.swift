import KubeRuntime

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// When a Rollout looks again after a timed wait.
///
/// The planner counts in whole seconds (status times have no fraction), so a plan's
/// `requeueAfter` names a whole second: any instant of it gives the same plan. Each Rollout wakes
/// at its own fixed point of that second, from its namespace and name. Rollouts that started a
/// step in the same second (a release group's members, a mass release) then measure and write
/// their status spread over the second instead of all at one instant, so one member's breach is
/// not reconciled behind fourteen passes.
struct WakePhase {
    /// The fraction of a second this Rollout wakes at: whole milliseconds from 0.001 to 0.999,
    /// never the edge of a second, where a wake a hair early would still see the one before.
    let fraction: Double

    init(_ key: RolloutKey) {
        var hash: UInt32 = 2_166_136_261  // FNV-1a
        for byte in "\(key.namespace)/\(key.name)".utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        self.init(fraction: Double(1 + hash % 999) / 1000)
    }

    init(fraction: Double) {
        self.fraction = fraction
    }

    /// How long to wait, now, after a plan made at `plannedAt` asked to look again
    /// `requeueAfter` seconds later (counted from the whole second the planner saw). A zero
    /// `requeueAfter` stays "at once".
    func delay(requeueAfter: Double, plannedAt: Date, now: Date) -> Duration {
        guard requeueAfter > 0 else { return .zero }
        let wake = plannedAt.timeIntervalSince1970.rounded(.down) + requeueAfter + fraction
        let milliseconds = ((wake - now.timeIntervalSince1970) * 1000).rounded()
        return .milliseconds(Int64(max(0, milliseconds)))
    }
}
