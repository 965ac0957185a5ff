import Cutover
import Foundation
import KubeModels
import Testing

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
    }
}
