import Cutover
import KubeModels

/// The actions the plugin can ask of a ReleaseGroup, each through the annotation the group
/// controller acts on (docs/release-groups.md, "Actions"); they mirror ``RolloutAction``.
public enum GroupAction: String, Sendable, CaseIterable {
    /// `cutover.dev/promote`: approve the cutover of every member (approval `Manual`).
    case promote
    /// `cutover.dev/abort`: revert the group release in flight.
    case abort
    /// `cutover.dev/retry`: release the revisions of a rolled-back group release again.
    case retry

    /// Decides whether the action makes sense for `group` now and what it will do. `token` is the
    /// fresh value for the annotation (acted on once per new value). Throws
    /// ``CLIError/refused(_:)`` with the reason and the alternative when it has nothing to act on.
    public func plan(for group: ReleaseGroup, token: String) throws -> ActionPlan {
        let name = group.metadata.name ?? "-"
        guard let status = group.status, let phase = status.phase else {
            throw CLIError.refused("releasegroup \(name) has no status yet: no controller has acted on it (is cutover-controller running?)")
        }
        func refuse(_ why: String) -> CLIError { .refused("cannot \(rawValue) releasegroup \(name): \(why)") }
        let members = (status.release?.members ?? []).sorted { ($0.wave, $0.name) < ($1.wave, $1.name) }

        switch self {
        case .promote:
            switch phase {
            case .awaitingApproval:
                guard status.release?.approved != true else {
                    throw refuse("the cutover is already approved; the group switches the active Services wave by wave")
                }
                return ActionPlan(annotation: CutoverLabels.promote, value: token, next: "\(Self.cutoverText(members)); once the longest member hold window is over, every blue scales to 0. Analysis keeps running: a breach in any member still reverts every member.")
            case .progressing, .canary:
                let when = group.spec.manualApproval
                    ? "promote approves the cutover once every member waits at Cutover (AwaitingApproval); it skips no canary step"
                    : "with approval Automatic the group cuts over by itself once every member waits at Cutover"
                throw refuse("not every member has reached the cutover yet (\(phase.rawValue)\(status.step.map { ", \($0)" } ?? "")); \(when)")
            case .cuttingOver, .holdWindow:
                throw refuse("the group already cuts over (\(phase.rawValue)): nothing waits for approval; abort to revert")
            case .healthy:
                throw refuse("no group release in flight (Healthy); change a member's template to start one")
            case .rolledBack:
                throw refuse("the last group release was rolled back; use `kubectl cutover retry group \(name)` to release it again")
            case .invalidSpec:
                throw refuse("the group is InvalidSpec: \(status.message ?? "-")")
            }
        case .abort:
            guard [.progressing, .canary, .awaitingApproval, .cuttingOver, .holdWindow].contains(phase) else {
                throw refuse("no group release in flight (\(phase.rawValue))")
            }
            let back = members.map { "\($0.name) → \($0.blueRevision)" }.joined(separator: ", ")
            return ActionPlan(annotation: CutoverLabels.abort, value: token, next: "every changed member's active Service goes back to its blue in one reconcile (\(back)), the greens scale to 0 and the group becomes RolledBack (reason Aborted). These revisions are not released again until a member's template changes or `kubectl cutover retry group \(name)`.")
        case .retry:
            guard phase == .rolledBack else {
                throw refuse("nothing was rolled back (\(phase.rawValue)); retry releases a RolledBack group release again")
            }
            let again = members.map { "\($0.name) \($0.revision)" }.joined(separator: ", ")
            return ActionPlan(annotation: CutoverLabels.retry, value: token, next: "the group releases the same revisions again (\(again)) from their blues: the greens come up, then the group holds them at each barrier as before.")
        }
    }

    /// `the group switches every member's active Service to green at once (a, b)`, or wave by wave.
    static func cutoverText(_ members: [GroupReleaseMember]) -> String {
        let waves = Dictionary(grouping: members, by: \.wave).sorted { $0.key < $1.key }.map { $0.value.map(\.name).joined(separator: ", ") }
        guard waves.count > 1 else {
            return "the group switches every member's active Service to green at once (\(waves.first ?? "-"))"
        }
        let order = waves.enumerated().map { "wave \($0.offset + 1): \($0.element)" }.joined(separator: "; then ")
        return "the group switches the active Services to green wave by wave (\(order)), each wave once the one before serves green"
    }
}
