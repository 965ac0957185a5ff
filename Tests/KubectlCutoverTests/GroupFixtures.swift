import Cutover
import CutoverCLI
import KubeAPI
import KubeModels

/// ReleaseGroups and their member Rollouts with hand-written statuses, as the group controller
/// writes them, written through the status subresource of a KubeSim with no controller: the same
/// text on every run, and no dependence on the group controller.
///
/// `shop` is mid-release at canary step 1 (approval Manual, two waves): db-proxy and payment
/// wait at the Step barrier, inventory still runs its step, frontend did not change, search joined
/// since the group last looked, legacy lost its Rollout. `checkout` was reverted by a breach of
/// its member pay, after an earlier promoted release.
enum GroupFixtures {
    static let at = ReportFixtures.at

    // MARK: shop, in flight

    static let dbBlue = "db1b7k2m4q", dbGreen = "db2x9c4v7n"
    static let payBlue = "pm1q8w3e5r", payGreen = "pm2t6y1u9i"
    static let invBlue = "iv1o0p3a5s", invGreen = "iv2d7f2g8h"
    static let frontend = "fe1j4k6l2z", search = "se1x5c7v3b", legacy = "lg1n8m2q4w"
    static let shopRelease = "sh7f3k2x9q"

    static var shopSpec: ReleaseGroupSpec {
        ReleaseGroupSpec(approval: "Manual", waves: [["db-proxy"], ["payment", "inventory"]])
    }

    /// `shop` in `phase`: the release at canary step 1 (or further along, for the phases after it).
    static func shopStatus(_ phase: ReleaseGroupPhase = .canary, generation: Int64) -> ReleaseGroupStatus {
        var status = ReleaseGroupStatus()
        status.phase = phase
        status.observedGeneration = generation
        status.step = "canary step 1/2"
        status.ready = "2/3"
        status.message = "waiting for 1 member to pass step 1"
        status.members = [
            GroupMemberView(name: "db-proxy", revision: dbGreen, phase: "Canary", waitingAt: .step),
            GroupMemberView(name: "frontend", revision: frontend, phase: "Healthy"),
            GroupMemberView(name: "inventory", revision: invGreen, phase: "Canary"),
            GroupMemberView(name: "legacy", revision: legacy, phase: "Healthy"),
            GroupMemberView(name: "payment", revision: payGreen, phase: "Canary", waitingAt: .step),
        ]
        var release = GroupRelease(
            revision: shopRelease, startedAt: at(3600),
            members: [
                GroupReleaseMember(name: "db-proxy", revision: dbGreen, blueRevision: dbBlue, wave: 0),
                GroupReleaseMember(name: "inventory", revision: invGreen, blueRevision: invBlue, wave: 1),
                GroupReleaseMember(name: "payment", revision: payGreen, blueRevision: payBlue, wave: 1),
            ])
        release.barrier = .step
        release.step = 0
        status.release = release
        let record = ReleaseRecord(
            revision: shopRelease, images: ["db-proxy=\(dbGreen)", "inventory=\(invGreen)", "payment=\(payGreen)"], startedAt: at(3600),
            timeline: [ReleaseEvent(at: at(3600), type: .started, message: "releasing db-proxy, inventory, payment")])
        status.history = [record]
        switch phase {
        case .awaitingApproval:
            status.step = "approval"
            status.ready = "3/3"
            status.message = "every member waits at Cutover"
            status.release?.barrier = .cutover
            status.release?.step = nil
        case .holdWindow:
            status.step = "hold until 2026-11-22T04:10:00Z"
            status.ready = "3/3"
            status.message = "every member serves green; blue held"
            status.release?.barrier = .completion
            status.release?.step = nil
            status.release?.approved = true
            status.release?.wavesCutOver = 2
            status.release?.holdUntil = at(3600 + 600)
        default:
            break
        }
        return status
    }

    /// The member Rollouts of `shop` (all but legacy, whose Rollout is gone), labelled for it.
    static var shopMembers: [(String, RolloutStatus)] {
        [
            ("db-proxy", member("shop", blue: dbBlue, green: dbGreen, weight: 20, waitingAt: .step)),
            ("frontend", member("shop", blue: frontend)),
            ("inventory", member("shop", blue: invBlue, green: invGreen, weight: 20)),
            ("payment", member("shop", blue: payBlue, green: payGreen, weight: 50, waitingAt: .step)),
            ("search", member("shop", blue: search)),
        ]
    }

    /// A member's status: in a canary step when it has a green, else Healthy.
    static func member(_ group: String, blue: String, green: String? = nil, weight: Int32 = 0, waitingAt: GroupBarrier? = nil) -> RolloutStatus {
        var status = RolloutStatus()
        status.phase = green == nil ? .healthy : .canary
        status.activeRevision = blue
        status.greenRevision = green
        status.traffic = green == nil ? .blue : .split
        status.weight = weight
        status.currentStepIndex = green == nil ? nil : 0
        status.group = MemberGroupStatus(name: group, waitingAt: waitingAt, step: waitingAt == .step ? 0 : nil)
        return status
    }

    // MARK: checkout, rolled back

    static let cartBlue = "ca2m4n6b8v", cartGreen = "ca3q5w7e9r"
    static let payMemberBlue = "pa2z4x6c8v", payMemberGreen = "pa3t5y7u9i"
    static let promotedRelease = "co4m8n2b6v", revertedRelease = "co9z1x3c5v"

    static var checkoutAbort: AbortStatus {
        AbortStatus(
            reason: "AnalysisBreach", member: "pay", revision: payMemberGreen, metric: "error-rate", value: 0.2418, limit: 0.05,
            message: "error-rate 0.2418 > max 0.05", at: at(3615))
    }

    /// The first group release of checkout: both members promoted together after approval.
    static var promotedRecord: ReleaseRecord {
        var record = ReleaseRecord(
            revision: promotedRelease, images: ["cart=\(cartBlue)", "pay=\(payMemberBlue)"], startedAt: at(0),
            timeline: [
                ReleaseEvent(at: at(0), type: .started, message: "releasing cart, pay"),
                ReleaseEvent(at: at(12), type: .stepReached, message: "canary step 1/1: every member at its first step", step: 1),
                ReleaseEvent(at: at(312), type: .awaitingApproval, message: "every member waits at Cutover", reason: "ManualApproval"),
                ReleaseEvent(at: at(400), type: .cutOver, message: "wave 1/1 cut over: cart, pay"),
                ReleaseEvent(at: at(700), type: .completed, message: "cart, pay serve green"),
            ])
        record.outcome = .promoted
        record.endedAt = at(700)
        record.reason = "Promoted"
        record.message = "cart, pay serve green"
        return record
    }

    /// The second: pay's error rate crossed its limit at step 1, and the group reverted both.
    static var revertedRecord: ReleaseRecord {
        var record = ReleaseRecord(
            revision: revertedRelease, images: ["cart=\(cartGreen)", "pay=\(payMemberGreen)"], startedAt: at(3600),
            timeline: [
                ReleaseEvent(at: at(3600), type: .started, message: "releasing cart, pay"),
                ReleaseEvent(at: at(3611), type: .stepReached, message: "canary step 1/2: every member at its first step", step: 1),
                ReleaseEvent(
                    at: at(3615), type: .rolledBack, message: "pay rolled back: error-rate 0.2418 > max 0.05; the group reverted cart, pay",
                    reason: "AnalysisBreach", metric: "error-rate", value: 0.2418, limit: 0.05),
            ])
        record.outcome = .rolledBack
        record.endedAt = at(3615)
        record.reason = "AnalysisBreach"
        record.message = "pay: error-rate 0.2418 > max 0.05"
        return record
    }

    static func checkoutStatus(generation: Int64) -> ReleaseGroupStatus {
        var status = ReleaseGroupStatus()
        status.phase = .rolledBack
        status.observedGeneration = generation
        status.ready = "2/2"
        status.message = "rolled back: pay error-rate 0.2418 > max 0.05"
        status.members = [
            GroupMemberView(name: "cart", revision: cartBlue, phase: "RolledBack"),
            GroupMemberView(name: "pay", revision: payMemberBlue, phase: "RolledBack"),
        ]
        var release = GroupRelease(
            revision: revertedRelease, startedAt: at(3600),
            members: [
                GroupReleaseMember(name: "cart", revision: cartGreen, blueRevision: cartBlue, wave: 0),
                GroupReleaseMember(name: "pay", revision: payMemberGreen, blueRevision: payMemberBlue, wave: 0),
            ])
        release.outcome = .rolledBack
        status.release = release
        status.abort = checkoutAbort
        status.history = [promotedRecord, revertedRecord]
        status.conditions = [
            Condition(type: "Completed", status: "False", reason: "RolledBack", lastTransitionTime: at(3615)),
            Condition(type: "RolledBack", status: "True", reason: "AnalysisBreach", lastTransitionTime: at(3615)),
        ]
        return status
    }

    static var checkoutMembers: [(String, RolloutStatus)] {
        [("cart", reverted(blue: cartBlue, green: cartGreen)), ("pay", reverted(blue: payMemberBlue, green: payMemberGreen))]
    }

    /// A member its group reverted: blue serves, green is the rolled-back revision.
    static func reverted(blue: String, green: String) -> RolloutStatus {
        var status = RolloutStatus()
        status.phase = .rolledBack
        status.activeRevision = blue
        status.rolledBackRevision = green
        status.traffic = .blue
        status.weight = 0
        status.abort = AbortStatus(
            reason: "GroupReverted", member: "pay", revision: green, metric: "error-rate", value: 0.2418, limit: 0.05,
            message: "group checkout reverted: pay error-rate 0.2418 > max 0.05", at: at(3615))
        status.group = MemberGroupStatus(name: "checkout")
        return status
    }
}

extension CLICluster {
    /// Runs `body` on a cluster with no controller holding `shop` (in flight) and `checkout`
    /// (rolled back), with their members.
    static func withGroups(_ body: (CLICluster) async throws -> Void) async throws {
        try await with(controller: false) { cluster in
            try await cluster.createGroup(
                "shop", spec: GroupFixtures.shopSpec, status: { GroupFixtures.shopStatus(generation: $0) }, members: GroupFixtures.shopMembers)
            try await cluster.createGroup(
                "checkout", spec: ReleaseGroupSpec(approval: "Manual"), status: GroupFixtures.checkoutStatus,
                members: GroupFixtures.checkoutMembers)
            try await body(cluster)
        }
    }

    /// Creates the ReleaseGroup `name` and, when given, writes its status (made for its generation)
    /// through the status subresource; then its member Rollouts, labelled for it, with theirs.
    func createGroup(
        _ name: String, spec: ReleaseGroupSpec = ReleaseGroupSpec(), status: ((Int64) -> ReleaseGroupStatus)? = nil,
        members: [(String, RolloutStatus)] = []
    ) async throws {
        var group = try await client.create(ReleaseGroup(metadata: ObjectMeta(name: name, namespace: Self.namespace), spec: spec))
        if let status {
            group.status = status(group.metadata.generation ?? 1)
            _ = try await client.replaceStatus(group)
        }
        for (member, memberStatus) in members {
            try await createRollout(member, labels: [CutoverLabels.group: name])
            try await writeStatus(member, memberStatus)
        }
    }

    /// Writes `status` for the Rollout `name`, made current for its generation.
    func writeStatus(_ name: String, _ status: RolloutStatus) async throws {
        var rollout = try await rollout(name)
        rollout.status = status
        rollout.status?.observedGeneration = rollout.metadata.generation
        _ = try await client.replaceStatus(rollout)
    }

    func group(_ name: String) async throws -> ReleaseGroup {
        try await client.get(ReleaseGroup.self, name: name, namespace: Self.namespace)
    }

    /// Changes the status of the ReleaseGroup `name` as the group controller would.
    func updateGroupStatus(_ name: String, _ change: (inout ReleaseGroupStatus) -> Void) async throws {
        var group = try await group(name)
        var status = group.status ?? ReleaseGroupStatus()
        change(&status)
        group.status = status
        _ = try await client.replaceStatus(group)
    }
}
