import Foundation
import KubeModels
import Testing

@testable import Cutover

/// The ReleaseGroup CRD must describe every field the Swift types write (a structural schema
/// prunes the rest, and a restarted controller would lose the group's decisions).
@Suite("ReleaseGroup CRD")
struct ReleaseGroupCRDTests {
    static let crdText = RolloutCRDTests.crd("releasegroups.cutover.dev.yaml")

    /// A group with every optional field set.
    static var everything: ReleaseGroup {
        let at = Timestamp(Fixture.epoch)
        let target = NotificationTarget(name: "n", urlSecret: SecretKeyReference(name: "s", key: "k"), format: "Slack", events: ["Started"], timeout: "5s")
        var group = ReleaseGroup(
            metadata: ObjectMeta(name: "shop", namespace: "prod"),
            spec: ReleaseGroupSpec(
                approval: "Manual", waves: [["a"]], notifications: [target], releaseHistoryLimit: 3,
                promotion: PromotionSpec(
                    from: [PromotionSource(namespace: "staging", rollout: "a", group: "shop", kubeconfigSecret: SecretKeyReference(name: "s", key: "k"))],
                    soak: "1h", match: "Template")))
        var status = ReleaseGroupStatus()
        status.phase = .canary
        status.message = "m"
        status.step = "canary step 1/2"
        status.ready = "1/2"
        status.observedGeneration = 1
        status.members = [GroupMemberView(name: "a", revision: "g", phase: "Canary", waitingAt: .step)]
        var release = GroupRelease(
            revision: "r", startedAt: at, members: [GroupReleaseMember(name: "a", revision: "g", blueRevision: "b", wave: 0, cutoverAt: at)])
        release.barrier = .step
        release.step = 0
        release.approved = true
        release.wavesCutOver = 1
        release.holdUntil = at
        release.outcome = .rolledBack
        release.retried = true
        status.release = release
        status.abort = AbortStatus(reason: "AnalysisBreach", member: "a", revision: "g", metric: "m", value: 1, limit: 1, message: "x", at: at)
        let event = ReleaseEvent(at: at, type: .rolledBack, message: "x", reason: "r", step: 1, weight: 20, metric: "m", value: 1, limit: 1)
        var record = ReleaseRecord(revision: "r", images: ["a=g"], startedAt: at, timeline: [event])
        record.endedAt = at
        record.outcome = .rolledBack
        record.reason = "r"
        record.message = "x"
        status.history = [record]
        status.notifications = NotificationStatus(lastID: 1, pending: [PendingNotification(id: 1, revision: "r", blueRevision: nil, event: event, targets: ["n"])])
        status.acknowledgedActions = AcknowledgedActions(promote: "1", abort: "1", retry: "1")
        status.conditions = [Condition(type: "Completed", status: "True", reason: "r", message: "m", lastTransitionTime: at, observedGeneration: 1)]
        group.status = status
        return group
    }

    @Test func everyFieldTheTypesWriteIsInTheSchema() throws {
        #expect(!Self.crdText.isEmpty)
        let json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(Self.everything))
        let keys = RolloutCRDTests.keys(of: json["spec"]!, skipping: []).union(RolloutCRDTests.keys(of: json["status"]!, skipping: []))
        for key in keys.sorted() {
            #expect(Self.crdText.contains("\(key):"), "CRD schema lacks \(key)")
        }
        #expect(keys.count > 40)
    }

    @Test(arguments: [
        "shortNames: [crg]",
        "- {name: Phase, type: string, jsonPath: .status.phase}",
        "- {name: Ready, type: string, jsonPath: .status.ready}",
        "- {name: Step, type: string, jsonPath: .status.step}",
        "- {name: Message, type: string, jsonPath: .status.message}",
        "enum: [\(ReleaseGroupPhase.allCases.map(\.rawValue).joined(separator: ", "))]",
        "enum: [\(GroupBarrier.allCases.map(\.rawValue).joined(separator: ", "))]",
        "releaseHistoryLimit: {type: integer, format: int32, minimum: 1, maximum: \(RolloutSpec.maxReleaseHistoryLimit), default: \(ResolvedSpec.Defaults.releaseHistoryLimit), description: \"",
    ])
    func schemaLineMatchesTheSwiftTypes(_ line: String) {
        #expect(Self.crdText.contains(line))
    }

    @Test func aGroupRoundTripsThroughJSON() throws {
        let group = Self.everything
        #expect(try JSONDecoder().decode(ReleaseGroup.self, from: JSONEncoder().encode(group)) == group)
        #expect(ReleaseGroup.resource.path(namespace: "prod", name: "shop") == "/apis/cutover.dev/v1alpha1/namespaces/prod/releasegroups/shop")
    }

    @Test(arguments: [
        (ReleaseGroupSpec(approval: "Sometimes"), "spec.approval: must be Automatic or Manual, not \"Sometimes\""),
        (ReleaseGroupSpec(waves: [["a", "B"]]), "spec.waves[0][1]: must be the name of a Rollout, not \"B\""),
        (ReleaseGroupSpec(waves: [["a"], ["a"]]), "spec.waves[1][0]: a is already in wave 0; a member cuts over in one wave"),
        (ReleaseGroupSpec(releaseHistoryLimit: 0), "spec.releaseHistoryLimit: must be between 1 and 20, not 0"),
        (ReleaseGroupSpec(notifications: [NotificationTarget(name: "n", urlSecret: SecretKeyReference(name: "", key: "k"))]),
         "spec.notifications[0].urlSecret.name: must name a Secret in the same namespace"),
        (ReleaseGroupSpec(promotion: PromotionSpec(from: [PromotionSource(namespace: "staging", group: "shop")], soak: "soon")),
         "spec.promotion.soak: must be a duration like 30s, 5m or 1h30m, not \"soon\""),
    ])
    func invalidSpecsNameTheField(_ spec: ReleaseGroupSpec, _ error: String) {
        let group = ReleaseGroup(metadata: ObjectMeta(name: "shop"), spec: spec)
        #expect(group.validate().map(\.description) == [error])
    }
}
