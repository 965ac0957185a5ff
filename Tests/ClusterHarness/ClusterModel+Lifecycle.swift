import Cutover
import Foundation
import KubeModels

/// The release life cycle as docs/rollout-reference.md draws it ("The life of a release"),
/// checked on every Rollout status change the watch delivered, and the end of every release.
extension ClusterModel {
    /// How far into a release each in-flight phase is. Within one release (one green revision)
    /// the rank never goes back, apart from the hold window's inconclusive analysis waiting for
    /// approval and resuming. One status write may move several ranks forward at once (a green
    /// already ready goes straight to its canary or cutover).
    package static let releaseRank: [RolloutPhase: Int] = [
        .progressing: 0, .canary: 1, .awaitingApproval: 2, .promoting: 2, .holdWindow: 3,
    ]

    /// Phases in which a release is over (or cannot go on without a human or a spec change).
    package static let settledPhases: Set<RolloutPhase> = [.healthy, .rolledBack, .degraded, .invalidSpec]

    /// The phase graph of docs/rollout-reference.md ("How the checker reads the phases"): within
    /// one green revision the release only moves forward (and the canary step with it); a release
    /// never ends RolledBack without having been in flight; a revision becomes active (Healthy on a
    /// new revision while another served) only from a cutover.
    mutating func checkPhaseGraph(previous: Rollout?, current: Rollout) {
        guard let after = current.status, let phase = after.phase, let before = previous?.status, let from = before.phase,
            from != phase || phase == .canary, from != .invalidSpec, phase != .invalidSpec
        else { return }
        let name = current.metadata.name ?? ""
        let sameGreen = before.greenRevision != nil && before.greenRevision == after.greenRevision
        var problems: [String] = []
        if sameGreen, let was = Self.releaseRank[from], let now = Self.releaseRank[phase], now < was,
            !(from == .holdWindow && phase == .awaitingApproval)
        {
            problems.append("\(from.rawValue) → \(phase.rawValue) goes back within the release of \(after.greenRevision ?? "-")")
        }
        if sameGreen, from == .awaitingApproval, phase == .canary || phase == .progressing {
            problems.append("\(from.rawValue) → \(phase.rawValue) goes back within the release of \(after.greenRevision ?? "-")")
        }
        if from == .canary, phase == .canary, sameGreen, let was = before.currentStepIndex, let now = after.currentStepIndex, now < was {
            problems.append("canary step went back from \(was) to \(now) on green \(after.greenRevision ?? "-")")
        }
        if from == .healthy, phase == .rolledBack {
            problems.append("Healthy → RolledBack without a release in flight")
        }
        if phase == .healthy, let was = before.activeRevision, let now = after.activeRevision, was != now, now == before.greenRevision,
            ![.holdWindow, .promoting, .awaitingApproval].contains(from)
        {
            problems.append("green \(now) became active from \(from.rawValue), not from a cutover")
        }
        for problem in problems {
            violations.append(
                Violation(
                    invariant: "phases move only along the documented graph", detail: "Rollout \(name): \(problem)",
                    resourceVersion: resourceVersion, at: now))
        }
    }

    /// The Rollouts of `rollouts` whose release has not ended for their current spec: not in a
    /// settled phase, or not yet reported on for their generation. Paused Rollouts and those
    /// waiting for a human (AwaitingApproval) count as not ended: the caller resolves them first.
    package static func unsettled(_ rollouts: [Rollout]) -> [(name: String, state: String)] {
        rollouts.compactMap { rollout in
            let status = rollout.status
            let settled = status.map { settledPhases.contains($0.phase ?? .progressing) } ?? false
                && status?.observedGeneration == rollout.metadata.generation
            guard !settled, rollout.metadata.deletionTimestamp == nil else { return nil }
            return (rollout.metadata.name ?? "", "\(RolloutState(status)); message \(status?.message ?? "-")")
        }.sorted { $0.name < $1.name }
    }
}
