import Cutover
import Foundation
import KubeModels
import Testing
@testable import ClusterHarness

extension EndToEnd {
    /// The monitor's invariant checks can fail: fed a made-up history, they catch what they promise.
    @Suite("Invariant checks") struct InvariantCheckTests {
        static func rollout(_ status: String) throws -> Rollout {
            let json = """
                {"apiVersion": "cutover.dev/v1alpha1", "kind": "Rollout",
                 "metadata": {"name": "payment", "namespace": "shop", "resourceVersion": "1"},
                 "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "payment"}},
                          "template": {"metadata": {"labels": {"app": "payment"}}, "spec": {"containers": [{"name": "app", "image": "x"}]}},
                          "services": {"active": "payment"},
                          "analysis": {"prometheus": {"address": "http://p"}, "metrics": [{"name": "error-rate", "query": "q", "max": 0.05}]}},
                 "status": \(status)}
                """
            return try JSONDecoder().decode(Rollout.self, from: Data(json.utf8))
        }

        static func service(revision: String?) -> Service {
            var selector = ["app": "payment"]
            selector[CutoverLabels.revision] = revision
            return Service(metadata: ObjectMeta(name: "payment", namespace: "shop"), spec: ServiceSpec(selector: selector))
        }

        static func pod(_ name: String, revision: String, ready: Bool) -> Pod {
            Pod(
                metadata: ObjectMeta(
                    name: name, namespace: "shop",
                    labels: ["app": "payment", CutoverLabels.rollout: "payment", CutoverLabels.revision: revision]),
                status: PodStatus(conditions: [PodCondition(type: "Ready", status: ready ? "True" : "False")]))
        }

        static func changes(_ objects: [(WatchedObject, Bool)]) -> [ObservedChange] {
            objects.enumerated().map { index, entry in
                ObservedChange(object: entry.0, deleted: entry.1, resourceVersion: UInt64(index + 1), arrivedAt: Date())
            }
        }

        /// A member of group `shop`.
        static func member(_ status: String) throws -> Rollout {
            var member = try rollout(status)
            member.metadata.labels = [CutoverLabels.group: "shop"]
            return member
        }

        /// Group `shop` releasing `payment` from blue `b` to green `g`, with `release` fields added.
        static func group(_ release: String) throws -> ReleaseGroup {
            let json = """
                {"apiVersion": "cutover.dev/v1alpha1", "kind": "ReleaseGroup",
                 "metadata": {"name": "shop", "namespace": "shop", "resourceVersion": "1"}, "spec": {},
                 "status": {"release": {"revision": "r", "startedAt": "2026-01-01T00:00:00Z",
                   "members": [{"name": "payment", "revision": "g", "blueRevision": "b", "wave": 0}], \(release)}}}
                """
            return try JSONDecoder().decode(ReleaseGroup.self, from: Data(json.utf8))
        }

        static func deployment(revision: String, replicas: Int) throws -> Deployment {
            let json = """
                {"metadata": {"name": "payment-\(revision)", "namespace": "shop",
                  "labels": {"cutover.dev/rollout": "payment", "cutover.dev/revision": "\(revision)"}},
                 "spec": {"replicas": \(replicas), "selector": {"matchLabels": {"app": "payment"}}, "template": {"metadata": {}}}}
                """
            return try JSONDecoder().decode(Deployment.self, from: Data(json.utf8))
        }

        /// Blue's two pods and green's two, all ready, and the active Service on blue.
        static func servingBlue() -> [(WatchedObject, Bool)] {
            [
                (.pod(pod("b-1", revision: "b", ready: true)), false), (.pod(pod("b-2", revision: "b", ready: true)), false),
                (.pod(pod("g-1", revision: "g", ready: true)), false), (.pod(pod("g-2", revision: "g", ready: true)), false),
                (.service(service(revision: "b")), false),
            ]
        }

        @Test func aMemberSwitchedToGreenBeforeItsGroupDecidedSkipsTheBarrier() throws {
            let member = try Self.member(#"{"phase": "Promoting", "activeRevision": "b", "greenRevision": "g"}"#)
            let undecided = try Self.group(#""barrier": "Cutover""#)
            let history = Self.changes(
                [(.releaseGroup(undecided), false), (.rollout(member), false)] + Self.servingBlue() + [(.service(Self.service(revision: "g")), false)])
            #expect(ClusterModel.replay(history).violations.map(\.invariant) == ["a member cuts over only when its group decided it"])
        }

        @Test func aMemberBackOnBlueServingGreenAgainAfterItsGroupRevertedIsCaught() throws {
            // The member has not caught up with the revert yet: only the group's invariant sees it.
            let member = try Self.member(#"{"phase": "Canary", "activeRevision": "b", "greenRevision": "g"}"#)
            let reverted = try Self.group(#""outcome": "RolledBack""#)
            let history = Self.changes(
                [(.rollout(member), false)] + Self.servingBlue() + [(.releaseGroup(reverted), false), (.service(Self.service(revision: "g")), false)])
            let violations = ClusterModel.replay(history).violations
            #expect(Set(violations.map(\.invariant)) == ["no member serves green after its group reverted"])
            #expect(violations.first?.resourceVersion == UInt64(history.count))
        }

        @Test func aMemberServingGreenAgainBeforeItsGroupRecordedTheRevertIsCaught() throws {
            // The group sends a revert's switches before its record: an abort asked of the group is
            // a revert from then on, as the group and its members read it.
            let member = try Self.member(#"{"phase": "Canary", "activeRevision": "b", "greenRevision": "g"}"#)
            var aborted = try Self.group(#""barrier": "Step", "step": 0"#)
            aborted.metadata.annotations = [CutoverLabels.abort: "now"]
            let history = Self.changes(
                [(.releaseGroup(aborted), false), (.rollout(member), false)] + Self.servingBlue() + [(.service(Self.service(revision: "g")), false)])
            let violations = ClusterModel.replay(history).violations
            #expect(violations.map(\.invariant).contains("no member serves green after its group reverted"), "\(violations.map(\.invariant))")
        }

        @Test func blueScaledDownBeforeTheGroupCompletedIsCaught() throws {
            let member = try Self.member(#"{"phase": "HoldWindow", "activeRevision": "b", "greenRevision": "g"}"#)
            let holding = try Self.group(#""barrier": "Completion""#)
            let history = Self.changes([
                (.releaseGroup(holding), false), (.rollout(member), false),
                (.deployment(try Self.deployment(revision: "b", replicas: 2)), false),
                (.deployment(try Self.deployment(revision: "b", replicas: 0)), false),
            ])
            #expect(ClusterModel.replay(history).violations.map(\.invariant) == ["blue is kept until the group completed"])
        }

        /// Found by cutover-chaos: a member's Service deleted by its user just before the member
        /// finished is not a member "not serving green"; one that serves blue is.
        @Test(arguments: [true, false])
        func aMemberFinishingWhileAServiceIsDeletedIsNotAnUnfinishedRelease(deleted: Bool) throws {
            let holding = try Self.member(#"{"phase": "HoldWindow", "activeRevision": "b", "greenRevision": "g"}"#)
            let healthy = try Self.member(#"{"phase": "Healthy", "activeRevision": "g"}"#)
            let promoted = try Self.group(#""outcome": "Promoted""#)
            let last: (WatchedObject, Bool) = deleted ? (.service(Self.service(revision: "g")), true) : (.service(Self.service(revision: "b")), false)
            let history = Self.changes(
                [(.rollout(holding), false)] + Self.servingBlue()
                    + [(.service(Self.service(revision: "g")), false), (.releaseGroup(promoted), false), last, (.rollout(healthy), false)])
            let invariants = Set(ClusterModel.replay(history).violations.map(\.invariant))
            #expect(invariants.contains("no member finishes a release the others did not") == !deleted, "\(invariants)")
        }

        @Test func aServiceLeftWithFewerReadyPodsThanReplicasIsDowntime() throws {
            let blue = try Self.rollout(#"{"phase": "Healthy", "activeRevision": "b"}"#)
            let history = Self.changes([
                (.rollout(blue), false), (.pod(Self.pod("b-1", revision: "b", ready: true)), false),
                (.pod(Self.pod("b-2", revision: "b", ready: true)), false), (.service(Self.service(revision: "b")), false),
                (.pod(Self.pod("b-2", revision: "b", ready: true)), true),
            ])
            let model = ClusterModel.replay(history)
            #expect(model.violations.map(\.invariant) == ["the active Service always selects at least R ready pods"])
            #expect(model.violations.first?.resourceVersion == 5)
        }

        @Test func replayingInResourceVersionOrderHidesNoViolationAndInventsNone() throws {
            let blue = try Self.rollout(#"{"phase": "Healthy", "activeRevision": "b"}"#)
            var history = Self.changes([
                (.rollout(blue), false), (.pod(Self.pod("b-1", revision: "b", ready: true)), false),
                (.pod(Self.pod("b-2", revision: "b", ready: true)), false), (.service(Self.service(revision: "b")), false),
            ])
            history.reverse()  // arrival order across watches says nothing
            #expect(ClusterModel.replay(history).violations.isEmpty)
        }

        @Test func advancingAStepWithoutAPassInItsWindowIsAPromotionOnMissingData() throws {
            let before = try Self.rollout(
                #"{"phase": "Canary", "currentStepIndex": 0, "greenRevision": "g", "stepStartedAt": "2026-01-01T00:00:10Z","#
                    + #""analysis": [{"name": "error-rate", "breaches": 0, "consecutiveErrors": 0, "consecutiveInconclusive": 0, "lastPassAt": "2026-01-01T00:00:10Z", "history": []}]}"#)
            let after = try Self.rollout(
                #"{"phase": "Canary", "currentStepIndex": 1, "greenRevision": "g", "stepStartedAt": "2026-01-01T00:00:12Z","#
                    + #""analysis": [{"name": "error-rate", "breaches": 0, "consecutiveErrors": 0, "consecutiveInconclusive": 0, "lastPassAt": "2026-01-01T00:00:10Z", "history": []}]}"#)
            let model = ClusterModel.replay(Self.changes([(.rollout(before), false), (.rollout(after), false)]))
            #expect(model.violations.map(\.invariant) == ["never a promotion on missing data"])
        }

        /// The phase graph: each pair of statuses is one status write of one Rollout.
        static let phaseWrites: [(before: String, after: String, broken: Bool)] = [
            (#"{"phase": "Canary", "currentStepIndex": 0, "activeRevision": "b", "greenRevision": "g"}"#,
             #"{"phase": "HoldWindow", "activeRevision": "b", "greenRevision": "g", "manualPromotion": "promote-full"}"#, false),
            (#"{"phase": "RolledBack", "activeRevision": "b"}"#, #"{"phase": "Canary", "currentStepIndex": 0, "activeRevision": "b", "greenRevision": "g"}"#, false),
            (#"{"phase": "HoldWindow", "activeRevision": "b", "greenRevision": "g"}"#, #"{"phase": "AwaitingApproval", "activeRevision": "b", "greenRevision": "g"}"#, false),
            (#"{"phase": "HoldWindow", "activeRevision": "b", "greenRevision": "g"}"#, #"{"phase": "Progressing", "activeRevision": "b", "greenRevision": "h"}"#, false),
            (#"{"phase": "HoldWindow", "activeRevision": "b", "greenRevision": "g"}"#, #"{"phase": "Canary", "currentStepIndex": 1, "activeRevision": "b", "greenRevision": "g"}"#, true),
            (#"{"phase": "Promoting", "activeRevision": "b", "greenRevision": "g"}"#, #"{"phase": "Progressing", "activeRevision": "b", "greenRevision": "g"}"#, true),
            (#"{"phase": "Canary", "currentStepIndex": 1, "activeRevision": "b", "greenRevision": "g"}"#, #"{"phase": "Canary", "currentStepIndex": 0, "activeRevision": "b", "greenRevision": "g"}"#, true),
            (#"{"phase": "Healthy", "activeRevision": "b"}"#, #"{"phase": "RolledBack", "activeRevision": "b", "rolledBackRevision": "g"}"#, true),
            (#"{"phase": "Canary", "currentStepIndex": 0, "activeRevision": "b", "greenRevision": "g"}"#, #"{"phase": "Healthy", "activeRevision": "g"}"#, true),
            (#"{"phase": "HoldWindow", "activeRevision": "b", "greenRevision": "g", "cutoverAt": "2026-01-01T00:00:00Z"}"#, #"{"phase": "Healthy", "activeRevision": "g", "manualPromotion": "promote-full"}"#, false),
        ]

        @Test("a status write is judged against the phase graph", arguments: phaseWrites.indices)
        func phaseGraph(_ index: Int) throws {
            let (before, after, broken) = Self.phaseWrites[index]
            let history = Self.changes([(.rollout(try Self.rollout(before)), false), (.rollout(try Self.rollout(after)), false)])
            let found = ClusterModel.replay(history).violations.map(\.invariant)
            #expect(found == (broken ? ["phases move only along the documented graph"] : []), "\(before) → \(after): \(found)")
        }

        @Test func aRolloutDeletedAndCreatedAgainMakesItsDeploymentsAndServesAnew() throws {
            // Deleting the Rollout takes its Deployments and pods (the user asked for it); the one
            // created in its place makes the same-named Deployment again and serves once Healthy.
            var first = try Self.rollout(#"{"phase": "Healthy", "activeRevision": "b"}"#)
            first.metadata.uid = "first"
            var second = try Self.rollout(#"{"phase": "Progressing"}"#)
            second.metadata.uid = "second"
            var blue = try Self.deployment(revision: "b", replicas: 2)
            blue.metadata.ownerReferences = [OwnerReference(apiVersion: "cutover.dev/v1alpha1", kind: "Rollout", name: "payment", uid: "first")]
            var again = blue
            again.metadata.ownerReferences?[0].uid = "second"
            let pods = [Self.pod("b-1", revision: "b", ready: true), Self.pod("b-2", revision: "b", ready: true)]
            var objects: [(WatchedObject, Bool)] = [(.rollout(first), false), (.deployment(blue), false)]
            objects += pods.map { (WatchedObject.pod($0), false) }
            objects.append((.service(Self.service(revision: "b")), false))
            objects += [(.rollout(first), true), (.deployment(blue), true)]
            objects += pods.map { (WatchedObject.pod($0), true) }
            objects += [(.rollout(second), false), (.deployment(again), false)]
            let history = Self.changes(objects)
            #expect(ClusterModel.replay(history).violations.isEmpty, "\(ClusterModel.replay(history).violations)")
        }

        /// A preview patch planned just before its Rollout was deleted lands after the deletion;
        /// the Rollout created in its place is judged on the preview only once it moved it itself.
        /// (Chaos, seed 3: the new leader patched svc-6-preview a moment after the delete.)
        @Test(arguments: [false, true])
        func aPreviewMovedByADeletedRolloutIsNotTheNewOnes(newOneMovesIt: Bool) throws {
            var first = try Self.rollout(#"{"phase": "Canary", "activeRevision": "b", "greenRevision": "g"}"#)
            first.metadata.uid = "first"
            first.spec.services.preview = "payment-preview"
            var second = try Self.rollout(#"{"phase": "Progressing", "greenRevision": "g"}"#)
            second.metadata.uid = "second"
            second.spec.services.preview = "payment-preview"
            func preview(_ revision: String?) -> Service {
                var selector = ["app": "payment"]
                selector[CutoverLabels.revision] = revision
                return Service(metadata: ObjectMeta(name: "payment-preview", namespace: "shop"), spec: ServiceSpec(selector: selector))
            }
            let pods = [Self.pod("b-1", revision: "b", ready: true), Self.pod("g-1", revision: "g", ready: true)]
            var objects: [(WatchedObject, Bool)] = [(.rollout(first), false)]
            objects += pods.map { (WatchedObject.pod($0), false) }
            objects.append((.service(preview("b")), false))
            objects.append((.rollout(first), true))
            objects.append((.service(preview("g")), false))  // the deleted Rollout's late patch
            objects += pods.map { (WatchedObject.pod($0), true) }  // its Deployments are collected
            objects.append((.rollout(second), false))
            objects.append((.pod(Self.pod("g-3", revision: "g", ready: false)), false))
            if newOneMovesIt { objects += [(.service(preview(nil)), false), (.service(preview("g")), false)] }
            let found = ClusterModel.replay(Self.changes(objects)).violations.map(\.invariant)
            #expect(found == (newOneMovesIt ? ["the preview Service never points at a revision with no ready pods"] : []), "\(found)")
        }

        /// A reverted revision served again right after a retry was asked for (traffic moves before
        /// the status write that shows the retry) is no violation; without the retry it is.
        @Test(arguments: [true, false])
        func aRetryReleasesTheRevertedRevisionBeforeTheStatusShowsIt(retried: Bool) throws {
            var reverted = try Self.rollout(#"{"phase": "Healthy", "activeRevision": "b"}"#)
            let green = TemplateHash.of(reverted.spec.template)
            reverted = try Self.rollout(
                #"{"phase": "RolledBack", "activeRevision": "b", "rolledBackRevision": "\#(green)", "abort": {"reason": "AnalysisBreach", "at": "2026-01-01T00:00:00Z"}}"#)
            var asked = reverted
            if retried { asked.metadata.annotations = [CutoverLabels.retry: "1"] }
            var objects: [(WatchedObject, Bool)] = [(.rollout(reverted), false)]
            for revision in ["b", green] {
                var ready = try Self.deployment(revision: revision, replicas: 2)
                ready.status = DeploymentStatus(replicas: 2, readyReplicas: 2)
                objects.append((.deployment(ready), false))
            }
            objects += [Self.pod("b-1", revision: "b", ready: true), Self.pod("b-2", revision: "b", ready: true)].map { (WatchedObject.pod($0), false) }
            objects.append((.service(Self.service(revision: "b")), false))
            objects += [(.pod(Self.pod("g-1", revision: green, ready: true)), false), (.rollout(asked), false), (.service(Self.service(revision: nil)), false)]
            let found = ClusterModel.replay(Self.changes(objects)).violations.map(\.invariant)
            #expect(found == (retried ? [] : ["a rolled-back revision is not selected again"]), "\(found)")
        }
    }
}
