import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The barriers: the group opens one once every changed member reached it (docs/release-groups.md).
extension GroupPlanBuilder {
    /// Opens the barrier the release is at, if every member reached it; switches the next wave.
    mutating func advance() {
        guard let release = status.release, release.outcome == nil, let barrier = release.barrier else { return }
        let members = release.members
        switch barrier {
        case .greenReady:
            guard members.allSatisfy(reachedGreenReady), awaitingPromotion.isEmpty else { return }
            announceStart()
            if maxSteps > 0 {
                status.release?.barrier = .step
                status.release?.step = 0
                record(.stepReached(step: 1, steps: maxSteps))
            } else {
                status.release?.barrier = .cutover
            }
        case .step:
            let index = Int(release.step ?? 0)
            guard members.allSatisfy({ steps(of: $0) <= index || passed(step: index, $0) }) else { return }
            if index + 1 < maxSteps {
                status.release?.step = Int32(index + 1)
                record(.stepReached(step: index + 2, steps: maxSteps))
            } else {
                status.release?.barrier = .cutover
                status.release?.step = nil
            }
        case .cutover:
            cutOverNextWave(release)
        case .completion:
            guard let holdUntil = release.holdUntil else { return }
            guard now >= holdUntil else { return wake(at: holdUntil) }
            guard members.allSatisfy({ releasing($0)?.group?.waitingAt == .completion }) else { return }
            status.release?.outcome = .promoted
            status.release?.barrier = nil
            record(.completed(members: members))
        }
    }

    /// At the cutover barrier: the approval, then the next wave once every member is ready at
    /// full size and the wave before serves green; after the last wave, the hold window.
    mutating func cutOverNextWave(_ release: GroupRelease) {
        let members = release.members
        if group.spec.manualApproval, release.approved != true {
            guard members.allSatisfy(readyForApproval) else { return }
            guard pending.promote else {
                if status.history?.last?.timeline.last?.type != .awaitingApproval { record(.awaitingApproval(members: members.count)) }
                return
            }
            pending.promote = false
            status.release?.approved = true
            events.append(RolloutEvent(reason: "Promoted", message: "cutover approved by cutover.dev/promote"))
            return
        }
        let waiting = members.filter { $0.cutoverAt == nil }
        guard let next = waiting.map(\.wave).min() else {
            // Every wave switched: hold blue once every member serves green.
            guard members.allSatisfy({ releasing($0)?.traffic == .green }) else { return }
            let lastCutover = members.compactMap(\.cutoverAt).max() ?? now
            let hold = members.map { self.members[$0.name]?.spec.resolved().holdWindowSeconds ?? 0 }.max() ?? 0
            status.release?.barrier = .completion
            status.release?.holdUntil = Timestamp(lastCutover.date.addingTimeInterval(Double(hold)))
            return
        }
        guard waiting.allSatisfy({ releasing($0)?.group?.waitingAt == .cutover }),
            members.filter({ $0.wave < next }).allSatisfy({ releasing($0)?.traffic == .green })
        else { return }
        let wave = members.filter { $0.wave == next }
        for index in status.release!.members.indices where status.release!.members[index].wave == next {
            status.release!.members[index].cutoverAt = now
        }
        let waves = Set(members.map(\.wave)).sorted()
        record(.cutOver(wave: (waves.firstIndex(of: next) ?? 0) + 1, of: waves.count, members: wave.map(\.name)))
    }

    /// The most canary steps of any changed member.
    var maxSteps: Int { (status.release?.members ?? []).map { steps(of: $0) }.max() ?? 0 }

    /// Green is ready at its first size (the member waits, or is already further).
    func reachedGreenReady(_ member: GroupReleaseMember) -> Bool {
        guard let status = releasing(member) else { return member.cutoverAt != nil }
        if status.group?.waitingAt != nil { return true }
        switch status.phase ?? .progressing {
        case .canary, .awaitingApproval, .promoting, .holdWindow: return true
        default: return false
        }
    }

    /// Canary step `index` passed: the member waits after it, or is further.
    func passed(step index: Int, _ member: GroupReleaseMember) -> Bool {
        guard let status = releasing(member) else { return member.cutoverAt != nil }
        switch status.group?.waitingAt {
        case .step: return Int(status.group?.step ?? 0) >= index
        case .cutover, .completion: return true
        default: break
        }
        switch status.phase ?? .progressing {
        case .promoting, .holdWindow: return true
        case .canary: return Int(status.currentStepIndex ?? 0) > index
        default: return false
        }
    }

    /// Ready for the approval: waiting after its last step (held at canary size) or at cutover.
    func readyForApproval(_ member: GroupReleaseMember) -> Bool {
        if member.cutoverAt != nil { return true }
        guard let status = releasing(member), let waiting = status.group?.waitingAt else { return false }
        let steps = steps(of: member)
        return waiting == .cutover || (waiting == .step && Int(status.group?.step ?? 0) + 1 >= steps)
    }
}
