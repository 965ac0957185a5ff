import Cutover
import Foundation
import KubeModels

/// The invariants of a ReleaseGroup (docs/release-groups.md) that can be seen from outside,
/// checked like the Rollout's after every change in resourceVersion order. A member is a Rollout
/// labelled `cutover.dev/group`; its group's decisions are read from the group's status as it was
/// at that change (the group writes a cutover before it switches for it); a revert counts from the
/// moment its cause is in the members, as the group and its members read it (its switches go out
/// before the group's record).
extension ClusterModel {
    /// A member's entry in the group release that releases `revision` (as green or, with
    /// `asBlue`, as the revision it goes back to), with the release and the group's name.
    func groupRelease(of member: String, revision: String, asBlue: Bool = false)
        -> (group: String, release: GroupRelease, member: GroupReleaseMember)?
    {
        guard let name = rollouts[member]?.metadata.labels?[CutoverLabels.group], let release = groups[name]?.status?.release,
            let entry = release.members.first(where: { $0.name == member && (asBlue ? $0.blueRevision : $0.revision) == revision })
        else { return nil }
        return (name, release, entry)
    }

    /// The revision a member's active Service selects now, if the selector has the key.
    func selectedRevision(ofMember member: String) -> String? {
        guard let service = rollouts[member]?.spec.services.active, let current = services[service] else { return nil }
        return current.spec?.selector?[CutoverLabels.revision]
    }

    /// Whether a member's green is ready at full size (the Cutover barrier's condition on it).
    func greenReadyAtFullSize(_ member: GroupReleaseMember) -> Bool {
        let replicas = rollouts[member.name]?.spec.replicas ?? 1
        return deployments(of: member.name).contains { deployment in
            deployment.metadata.labels?[CutoverLabels.revision] == member.revision && (deployment.spec?.replicas ?? 1) >= replicas
                && (deployment.status?.readyReplicas ?? 0) >= replicas
        }
    }

    /// When a member's active Service switches to its green: the group decided that member's
    /// cutover (`cutoverAt`) and has not reverted; every member of the release is at the Cutover
    /// barrier or past it (green ready at full size: none still in its canary); every member of an
    /// earlier wave already serves green.
    mutating func checkGroupCutover(previous: Service?, current: Service) {
        guard let previous, case .revision(let revision) = Self.selectorState(of: current),
            Self.selectorState(of: previous) != .revision(revision),
            let member = rollouts.values.first(where: { $0.spec.services.active == current.metadata.name })?.metadata.name,
            let (group, release, entry) = groupRelease(of: member, revision: revision)
        else { return }
        var problems: [(invariant: String, detail: String)] = []
        if release.outcome == .rolledBack {
            problems.append(("no member serves green after its group reverted", "\(member) switched to \(revision) after group \(group) reverted"))
        } else if entry.cutoverAt == nil {
            problems.append((
                "a member cuts over only when its group decided it",
                "\(member) switched to \(revision) before group \(group) decided its wave (barrier \(release.barrier?.rawValue ?? "-"))"
            ))
        }
        for other in release.members where !greenReadyAtFullSize(other) && selectedRevision(ofMember: other.name) != other.revision {
            problems.append((
                "no member cuts over while another is still in its canary",
                "\(member) switched to \(revision) while \(other.name)'s green \(other.revision) was not ready at full size"
            ))
        }
        for earlier in release.members where earlier.wave < entry.wave && selectedRevision(ofMember: earlier.name) != earlier.revision {
            problems.append((
                "a wave cuts over only once every earlier wave serves green",
                "\(member) (wave \(entry.wave)) switched while \(earlier.name) (wave \(earlier.wave)) did not serve \(earlier.revision)"
            ))
        }
        for problem in problems {
            violations.append(Violation(invariant: problem.invariant, detail: problem.detail, resourceVersion: resourceVersion, at: now))
        }
    }

    /// When a member finishes its release (Healthy on its green): its group completed the release,
    /// so every member of it serves green (a member whose Service was deleted aside). No member
    /// finishes a release the others did not.
    mutating func checkGroupCompletion(previous: Rollout?, current: Rollout) {
        guard let status = current.status, status.phase == .healthy, let active = status.activeRevision,
            previous?.status?.phase != .healthy || previous?.status?.activeRevision != active,
            let name = current.metadata.name, let (group, release, _) = groupRelease(of: name, revision: active)
        else { return }
        // A member whose Service its user deleted (or created again, not yet switched by Cutover)
        // serves what its user wrote: not judged.
        let notServing = release.members.filter { member in
            guard let service = rollouts[member.name]?.spec.services.active, servingServices.contains(service) else { return false }
            return selectedRevision(ofMember: member.name) != member.revision
        }.map(\.name)
        guard release.outcome != .promoted || !notServing.isEmpty else { return }
        violations.append(
            Violation(
                invariant: "no member finishes a release the others did not",
                detail: "\(name) became Healthy on \(active) with group \(group)'s release \(release.outcome?.rawValue ?? "in flight")"
                    + (notServing.isEmpty ? "" : " and \(notServing.sorted()) not serving green"),
                resourceVersion: resourceVersion, at: now))
    }

    /// When a member's blue Deployment goes to 0 replicas: its group completed the release (blue
    /// is held through every member's hold window, and for a revert).
    mutating func checkGroupBlueKept(previous: Deployment?, current: Deployment) {
        guard let previous, (previous.spec?.replicas ?? 1) > 0, current.spec?.replicas == 0,
            let member = current.metadata.labels?[CutoverLabels.rollout], let revision = current.metadata.labels?[CutoverLabels.revision],
            let (group, release, _) = groupRelease(of: member, revision: revision, asBlue: true), release.outcome != .promoted
        else { return }
        violations.append(
            Violation(
                invariant: "blue is kept until the group completed",
                detail: "\(member)'s blue \(revision) scaled to 0 with group \(group)'s release \(release.outcome?.rawValue ?? "in flight")",
                resourceVersion: resourceVersion, at: now))
    }

    /// States checked after every change: once a reverted group's member is back on blue, its
    /// active Service never selects a ready pod of the reverted green again (until a retry or a
    /// new release); the group is written only through its status, apart from kubectl.
    mutating func checkGroups(into broken: inout [String: (invariant: String, detail: String)]) {
        for (name, group) in groups {
            for entry in group.metadata.managedFields ?? [] where entry.subresource != "status" {
                let manager = entry.manager ?? ""
                if !manager.hasPrefix("kubectl") {
                    broken["group-written/\(name)/\(manager)"] = (
                        "nothing the user wrote is changed", "ReleaseGroup \(name) was written outside its status by \(manager)"
                    )
                }
            }
            guard let release = group.status?.release else { continue }
            // Recorded, or (in flight) its cause already in the members: the members are only
            // gathered for a release in flight, as this runs after every change.
            let reverted =
                release.outcome == nil
                ? release.revertCause(
                    members: rollouts.filter { $0.value.metadata.labels?[CutoverLabels.group] == name }, abortRequested: group.abortRequested) != nil
                : release.outcome == .rolledBack && release.retried != true
            for member in release.members {
                guard let service = rollouts[member.name]?.spec.services.active, let selector = services[service]?.spec?.selector else { continue }
                guard reverted else {
                    backOnBlue[service] = nil
                    continue
                }
                if selector[CutoverLabels.revision] == member.blueRevision { backOnBlue[service] = member.revision }
                guard backOnBlue[service] == member.revision else { continue }
                let served = pods(matching: selector).filter { $0.isReady && $0.metadata.labels?[CutoverLabels.revision] == member.revision }
                if !served.isEmpty || selector[CutoverLabels.revision] == member.revision {
                    broken["group-reverted-served/\(service)"] = (
                        "no member serves green after its group reverted",
                        "Service \(service) of \(member.name) selects \(served.count) ready pod(s) of \(member.revision) after group \(name) reverted and it was back on \(member.blueRevision)"
                    )
                }
            }
        }
    }
}
