import ClusterHarness
import Cutover
import Foundation
import KubeAPI
import KubeModels
import KubeRuntime
import Testing

@testable import CutoverController

/// Which changes wake which Rollout, and how the controller stops.
@Suite("Controller triggers and shutdown")
struct TriggerTests {
    static func rollout(annotations: [String: String]? = nil, status: RolloutStatus? = nil, generation: Int64 = 1) throws -> Rollout {
        var rollout = try ReleaseTests.rollout(image: "example/web:1", podAnnotations: [:], progressDeadlineSeconds: 30)
        rollout.metadata.uid = "uid-web"
        rollout.metadata.generation = generation
        rollout.metadata.resourceVersion = "\(Int.random(in: 1...1_000_000))"
        rollout.metadata.annotations = annotations
        rollout.status = status
        return rollout
    }

    /// A controller whose client points at a port nothing listens on: its caches never sync.
    static func unconnectedController() throws -> RolloutController {
        let client = try KubeClient(
            config: KubeConfig(server: "https://127.0.0.1:1", trust: .insecureSkipVerify, credentials: .none),
            options: KubeClient.Options(retry: RetryPolicy(maxRetryAfterAttempts: 0, maxBackoffAttempts: 0), requestTimeout: 1))
        return RolloutController(
            client: client, runner: AnalysisRunner(secrets: NoSecrets()),
            recorder: EventRecorder(client: client, component: "test"))
    }

    @Test func aStatusOnlyWriteDoesNotWakeTheRolloutButSpecAndAnnotationsDo() throws {
        let old = try Self.rollout()
        var statusOnly = old
        var status = RolloutStatus()
        status.phase = .healthy
        statusOnly.status = status
        statusOnly.metadata.resourceVersion = "other"
        #expect(ObjectChange.modified(old: old, new: statusOnly).primaryKeys.isEmpty)

        let annotated = try Self.rollout(annotations: [CutoverLabels.promote: "1"])
        #expect(ObjectChange.modified(old: old, new: annotated).primaryKeys == [RolloutKey(old)])
        let newSpec = try Self.rollout(generation: 2)
        #expect(ObjectChange.modified(old: old, new: newSpec).primaryKeys == [RolloutKey(old)])
        #expect(ObjectChange.added(old).primaryKeys == [RolloutKey(old)])
        #expect(ObjectChange.deleted(old).primaryKeys == [RolloutKey(old)])
    }

    @Test func aDeploymentWakesTheRolloutThatControlsIt() {
        let owner = OwnerReference(apiVersion: "cutover.dev/v1alpha1", kind: "Rollout", name: "web", uid: "uid-web", controller: true)
        let owned = Deployment(metadata: ObjectMeta(name: "web-abc", namespace: "prod", ownerReferences: [owner]))
        #expect(ObjectChange.added(owned).ownerKeys(kind: "Rollout") == [RolloutKey(namespace: "prod", name: "web")])

        var notController = owner
        notController.controller = nil
        let merelyOwned = Deployment(metadata: ObjectMeta(name: "web-abc", namespace: "prod", ownerReferences: [notController]))
        #expect(ObjectChange.added(merelyOwned).ownerKeys(kind: "Rollout").isEmpty)
        var otherKind = owner
        otherKind.kind = "ReplicaSet"
        let foreign = Deployment(metadata: ObjectMeta(name: "x", namespace: "prod", ownerReferences: [otherKind]))
        #expect(ObjectChange.deleted(foreign).ownerKeys(kind: "Rollout").isEmpty)
    }

    @Test func aServiceWakesTheRolloutsThatNameIt() async throws {
        let controller = try Self.unconnectedController()
        defer { Task { try await controller.client.shutdown() } }
        let store = try #require(controller.rollouts.store(for: ReleaseTests.namespace))
        store.upsert(try Self.rollout())
        func service(_ name: String, namespace: String = ReleaseTests.namespace) -> Service {
            Service(metadata: ObjectMeta(name: name, namespace: namespace))
        }
        let web = RolloutKey(namespace: ReleaseTests.namespace, name: "web")
        func keys(_ service: Service) -> [RolloutKey] {
            RolloutController.keys(forServiceChange: .added(service), rollouts: controller.rollouts)
        }
        #expect(keys(service("web")) == [web])
        #expect(keys(service("other")).isEmpty)
        #expect(keys(service("web", namespace: "elsewhere")).isEmpty)
    }

    @Test func aMembersClaimOfAServiceWakesItsGroup() async throws {
        let controller = try Self.unconnectedController()
        defer { Task { try await controller.client.shutdown() } }
        let store = try #require(controller.rollouts.store(for: ReleaseTests.namespace))
        var member = try Self.rollout()
        member.metadata.labels = [CutoverLabels.group: "shop"]
        store.upsert(member)
        var loner = try Self.rollout()
        loner.metadata.name = "loner"
        store.upsert(loner)
        func service(claimedBy owner: String?) -> Service {
            Service(metadata: ObjectMeta(name: "web", namespace: ReleaseTests.namespace, annotations: owner.map { [CutoverLabels.managedBy: $0] }))
        }
        func keys(_ change: ObjectChange<Service>) -> [ObjectKey] {
            ReleaseGroupController.groupKeys(claiming: change, rollouts: controller.rollouts)
        }
        let shop = ObjectKey(namespace: ReleaseTests.namespace, name: "shop")
        #expect(keys(.modified(old: service(claimedBy: nil), new: service(claimedBy: "web"))) == [shop])
        #expect(keys(.added(service(claimedBy: "web"))) == [shop])
        #expect(keys(.modified(old: service(claimedBy: "web"), new: service(claimedBy: "web"))).isEmpty, "a selector patch is no claim")
        #expect(keys(.modified(old: service(claimedBy: nil), new: service(claimedBy: "loner"))).isEmpty, "not a member")
        #expect(keys(.modified(old: service(claimedBy: nil), new: service(claimedBy: nil))).isEmpty)
        #expect(keys(.deleted(service(claimedBy: "web"))).isEmpty)
    }

    @Test func aRolloutLettingGoOfAServiceWakesTheOthersNamingIt() async throws {
        let controller = try Self.unconnectedController()
        defer { Task { try await controller.client.shutdown() } }
        let store = try #require(controller.rollouts.store(for: ReleaseTests.namespace))
        let owner = try Self.rollout()
        var waiting = try Self.rollout()
        waiting.metadata.name = "second"
        store.upsert(owner)
        store.upsert(waiting)
        func keys(_ change: ObjectChange<Rollout>) -> [RolloutKey] { RolloutController.keys(freedBy: change, rollouts: controller.rollouts) }
        let second = RolloutKey(namespace: ReleaseTests.namespace, name: "second")
        #expect(keys(.deleted(owner)) == [second])
        var moved = owner
        moved.spec.services = RolloutServices(active: "web-v2")
        #expect(keys(.modified(old: owner, new: moved)) == [second])
        var statusOnly = owner
        statusOnly.status = RolloutStatus()
        #expect(keys(.modified(old: owner, new: statusOnly)).isEmpty, "a status write frees nothing")
        #expect(keys(.added(owner)).isEmpty)
    }

    @Test(.timeLimit(.minutes(1))) func cancellingBeforeTheCachesSyncStopsPromptly() async throws {
        let reconciler = try Self.unconnectedController()
        let controller = Controller(reconciler)
        let running = Task { _ = try? await controller.run() }
        // The first list has been tried and failed: the caches are running and cannot sync.
        _ = try await eventually("a failed first list", timeout: .seconds(10)) {
            let failures = reconciler.rollouts.reflectors.map(\.counters.failures).reduce(0, +)
            return (failures > 0 ? true : nil, "\(failures) failures")
        }
        #expect(!controller.hasSynced)
        let started = ContinuousClock.now
        running.cancel()
        await running.value
        #expect(ContinuousClock.now - started < .seconds(5))
        try await reconciler.client.shutdown()
    }
}
