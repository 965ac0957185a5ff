import KubeModels
import Testing

@testable import KubeSim

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite("Simulated Deployment controller")
struct DeploymentSimulatorTests {
    @Test("a Deployment becomes ready after its ready-after delay")
    func becomesReadyAfterDelay() throws {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator(seed: 7)
        store.put(Given.deployment("web", replicas: 3, generation: 2, labels: ["app": "web", "cutover.dev/revision": "abc"],
                             annotations: [SimAnnotations.readyAfter: "3s"]))

        let first = store.reconcile(&simulator, at: SimClock.at(0))
        #expect(first.filter { if case .createPod = $0 { true } else { false } }.count == 3)
        #expect(store.count("observedGeneration", of: "web") == 2)
        #expect(store.count("replicas", of: "web") == 3)
        #expect(store.count("updatedReplicas", of: "web") == 3)
        #expect(store.status(of: "web")["readyReplicas"] == nil, "a real server omits zero counts")
        #expect(store.count("unavailableReplicas", of: "web") == 3)
        #expect(store.condition("Available", of: "web")?["status"] == "False")
        #expect(store.condition("Progressing", of: "web")?["reason"] == "NewReplicaSetCreated")

        let pods = store.pods(of: "web")
        #expect(pods.count == 3)
        for pod in pods {
            #expect(pod.simName.hasPrefix("web-"))
            #expect(pod.simName.split(separator: "-").last?.count == 5)
            #expect(pod.simLabels["app"] == "web")
            #expect(pod.simLabels["cutover.dev/revision"] == "abc")
            #expect(pod.simLabels["pod-template-hash"] != nil)
            #expect(pod.simAnnotations[SimAnnotations.readyAfter] == "3s")
            let owner = try #require(pod[path: ["metadata", "ownerReferences"]]?.arrayValue?.first)
            #expect(owner["kind"] == "Deployment")
            #expect(owner["uid"] == "uid-default-web")
            #expect(owner["controller"] == true)
            #expect(pod[path: ["spec", "containers"]]?.arrayValue?.first?["image"] == "app:1")
            #expect(pod[path: ["status", "phase"]] == "Running")
            #expect(!pod.simIsReadyPod)
        }

        store.reconcile(&simulator, at: SimClock.at(2.9))
        #expect(store.pods(of: "web").allSatisfy { !$0.simIsReadyPod })
        #expect(store.status(of: "web")["readyReplicas"] == nil)

        store.reconcile(&simulator, at: SimClock.at(3.1))
        #expect(store.pods(of: "web").allSatisfy { $0.simIsReadyPod })
        #expect(store.count("readyReplicas", of: "web") == 3)
        #expect(store.count("availableReplicas", of: "web") == 3)
        #expect(store.status(of: "web")["unavailableReplicas"] == nil)
        #expect(store.condition("Available", of: "web")?["status"] == "True")
        #expect(store.condition("Available", of: "web")?["reason"] == "MinimumReplicasAvailable")
        #expect(store.condition("Progressing", of: "web")?["status"] == "True")
        #expect(store.condition("Progressing", of: "web")?["reason"] == "NewReplicaSetAvailable")
    }

    @Test("without an annotation pods are ready after the default delay")
    func defaultDelay() {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator()
        store.put(Given.deployment("api", replicas: 2))
        store.reconcile(&simulator, at: SimClock.at(0))
        store.reconcile(&simulator, at: SimClock.at(SimAnnotations.defaultReadyAfter / 2))
        #expect(store.status(of: "api")["readyReplicas"] == nil)
        store.reconcile(&simulator, at: SimClock.at(SimAnnotations.defaultReadyAfter + 0.01))
        #expect(store.count("readyReplicas", of: "api") == 2)
    }

    @Test("sub-second delays are honoured although creationTimestamp has whole seconds")
    func subSecondDelay() {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator()
        store.put(Given.deployment("fast", replicas: 1, annotations: [SimAnnotations.readyAfter: "500ms"]))
        store.reconcile(&simulator, at: SimClock.at(0.7))
        store.reconcile(&simulator, at: SimClock.at(1.1))
        #expect(store.status(of: "fast")["readyReplicas"] == nil)
        store.reconcile(&simulator, at: SimClock.at(1.25))
        #expect(store.count("readyReplicas", of: "fast") == 1)
    }

    @Test("never-ready stays unready and reports ProgressDeadlineExceeded after its deadline",
          arguments: [nil, 30] as [Int64?])
    func neverReady(deadline: Int64?) {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator()
        store.put(Given.deployment("bad", replicas: 2, annotations: [SimAnnotations.neverReady: "true"],
                             progressDeadlineSeconds: deadline))
        let limit = TimeInterval(deadline ?? 600)
        store.reconcile(&simulator, at: SimClock.at(0))
        for step in stride(from: 10.0, to: limit, by: 10) {
            store.reconcile(&simulator, at: SimClock.at(step))
        }
        store.reconcile(&simulator, at: SimClock.at(limit - 0.5))
        #expect(store.condition("Progressing", of: "bad")?["status"] == "True")
        #expect(store.pods(of: "bad").allSatisfy { !$0.simIsReadyPod && $0[path: ["status", "phase"]] == "Running" })

        store.reconcile(&simulator, at: SimClock.at(limit + 1.5))
        #expect(store.condition("Progressing", of: "bad")?["status"] == "False")
        #expect(store.condition("Progressing", of: "bad")?["reason"] == "ProgressDeadlineExceeded")
        #expect(store.condition("Available", of: "bad")?["status"] == "False")
        #expect(store.status(of: "bad")["readyReplicas"] == nil)
        #expect(store.count("unavailableReplicas", of: "bad") == 2)
        #expect(store.count("updatedReplicas", of: "bad") == 2)

        let later = store.reconcile(&simulator, at: SimClock.at(limit + 100))
        #expect(later.isEmpty, "the timed-out condition is not rewritten")
    }

    @Test("nextChange names the next readiness instant and the progress deadline")
    func nextChange() throws {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator()
        store.put(Given.deployment("web", replicas: 1, annotations: [SimAnnotations.readyAfter: "3s"]))
        store.reconcile(&simulator, at: SimClock.at(0))
        let wake = try #require(simulator.nextChange(deployments: store.deploymentList, pods: store.podList, after: SimClock.at(0)))
        #expect(abs(wake.timeIntervalSince(SimClock.at(3))) < 0.01)

        var stuck = WorkloadTestStore()
        stuck.put(Given.deployment("bad", replicas: 1, annotations: [SimAnnotations.neverReady: "true"],
                             progressDeadlineSeconds: 30))
        stuck.reconcile(&simulator, at: SimClock.at(0))
        let deadline = try #require(simulator.nextChange(deployments: stuck.deploymentList, pods: stuck.podList, after: SimClock.at(1)))
        #expect(abs(deadline.timeIntervalSince(SimClock.at(30))) < 0.01)
    }

    @Test("minReadySeconds holds availability back after readiness")
    func minReadySeconds() {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator()
        store.put(Given.deployment("web", replicas: 2, annotations: [SimAnnotations.readyAfter: "1s"], minReadySeconds: 5))
        store.reconcile(&simulator, at: SimClock.at(0))
        store.reconcile(&simulator, at: SimClock.at(2))
        #expect(store.count("readyReplicas", of: "web") == 2)
        #expect(store.status(of: "web")["availableReplicas"] == nil)
        #expect(store.condition("Available", of: "web")?["status"] == "False")
        store.reconcile(&simulator, at: SimClock.at(6.5))
        #expect(store.count("availableReplicas", of: "web") == 2)
        #expect(store.condition("Progressing", of: "web")?["reason"] == "NewReplicaSetAvailable")
    }

    @Test("scaling up creates pods and scaling down deletes the newest first")
    func scaling() throws {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator()
        store.put(Given.deployment("web", replicas: 3))
        store.reconcile(&simulator, at: SimClock.at(0))
        store.reconcile(&simulator, at: SimClock.at(2))
        let original = Set(store.pods(of: "web").map(\.simName))

        store.put(Given.deployment("web", replicas: 5, generation: 2).merging(status: store.status(of: "web")))
        store.reconcile(&simulator, at: SimClock.at(10))
        #expect(store.pods(of: "web").count == 5)
        #expect(store.count("observedGeneration", of: "web") == 2)
        #expect(store.count("replicas", of: "web") == 5)
        #expect(store.count("availableReplicas", of: "web") == 3)
        #expect(store.condition("Progressing", of: "web")?["reason"] == "ReplicaSetUpdated")
        let added = Set(store.pods(of: "web").map(\.simName)).subtracting(original)
        #expect(added.count == 2)

        store.reconcile(&simulator, at: SimClock.at(12))
        #expect(store.count("availableReplicas", of: "web") == 5)
        #expect(store.condition("Progressing", of: "web")?["reason"] == "NewReplicaSetAvailable")

        store.put(Given.deployment("web", replicas: 2, generation: 3).merging(status: store.status(of: "web")))
        let writes = store.reconcile(&simulator, at: SimClock.at(20))
        let deleted = writes.compactMap { write -> String? in
            if case .deletePod(_, let name) = write { return name }
            return nil
        }
        #expect(deleted.count == 3)
        #expect(added.isSubset(of: Set(deleted)), "the newest pods go first")
        #expect(store.pods(of: "web").count == 2)
        #expect(store.count("replicas", of: "web") == 2)
        #expect(store.count("availableReplicas", of: "web") == 2)
        #expect(store.condition("Available", of: "web")?["status"] == "True")

        store.put(Given.deployment("web", replicas: 0, generation: 4).merging(status: store.status(of: "web")))
        store.reconcile(&simulator, at: SimClock.at(30))
        #expect(store.pods(of: "web").isEmpty)
        #expect(store.status(of: "web")["replicas"] == nil)
        #expect(store.count("observedGeneration", of: "web") == 4)
    }

    @Test("a template change replaces the pods once the new ones are available")
    func templateChange() {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator()
        store.put(Given.deployment("web", replicas: 2, image: "app:1"))
        store.reconcile(&simulator, at: SimClock.at(0))
        store.reconcile(&simulator, at: SimClock.at(2))
        let old = Set(store.pods(of: "web").map(\.simName))
        let oldHash = store.pods(of: "web").first?.simLabels["pod-template-hash"]

        store.put(Given.deployment("web", replicas: 2, generation: 2, image: "app:2").merging(status: store.status(of: "web")))
        store.reconcile(&simulator, at: SimClock.at(10))
        let during = store.pods(of: "web")
        #expect(during.count == 4, "old pods keep serving until the new ones are available")
        #expect(store.count("updatedReplicas", of: "web") == 2)
        #expect(store.count("replicas", of: "web") == 4)
        #expect(store.condition("Progressing", of: "web")?["reason"] == "NewReplicaSetCreated")

        store.reconcile(&simulator, at: SimClock.at(11.5))
        let after = store.pods(of: "web")
        #expect(after.count == 2)
        #expect(Set(after.map(\.simName)).isDisjoint(with: old))
        #expect(after.allSatisfy { $0.simLabels["pod-template-hash"] != oldHash })
        #expect(after.allSatisfy { $0[path: ["spec", "containers"]]?.arrayValue?.first?["image"] == "app:2" })
        #expect(store.count("replicas", of: "web") == 2)
        #expect(store.condition("Progressing", of: "web")?["reason"] == "NewReplicaSetAvailable")
    }

    @Test("the Recreate strategy deletes the old pods at once")
    func recreate() {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator()
        let strategy: JSONValue = ["type": "Recreate"]
        store.put(Given.deployment("web", replicas: 2, image: "app:1", strategy: strategy))
        store.reconcile(&simulator, at: SimClock.at(0))
        store.put(Given.deployment("web", replicas: 2, generation: 2, image: "app:2", strategy: strategy))
        store.reconcile(&simulator, at: SimClock.at(5))
        #expect(store.pods(of: "web").count == 2)
        #expect(store.pods(of: "web").allSatisfy { $0[path: ["spec", "containers"]]?.arrayValue?.first?["image"] == "app:2" })
    }

    @Test("nothing is written when nothing changes", arguments: [false, true])
    func noChurn(resetsStatusOnCreate: Bool) {
        var store = WorkloadTestStore()
        store.resetsStatusOnCreate = resetsStatusOnCreate
        var simulator = DeploymentSimulator()
        store.put(Given.deployment("web", replicas: 3))
        store.put(Given.deployment("bad", replicas: 1, annotations: [SimAnnotations.neverReady: "true"]))
        store.reconcile(&simulator, at: SimClock.at(0))
        store.reconcile(&simulator, at: SimClock.at(0.5))
        store.reconcile(&simulator, at: SimClock.at(5))
        #expect(store.reconcile(&simulator, at: SimClock.at(5)).isEmpty)
        #expect(store.reconcile(&simulator, at: SimClock.at(6)).isEmpty)
        #expect(store.reconcile(&simulator, at: SimClock.at(100)).isEmpty)
    }

    @Test("pods of other Deployments and terminating Deployments are left alone")
    func ownership() {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator()
        store.put(Given.deployment("a", namespace: "one", replicas: 1))
        store.put(Given.deployment("a", namespace: "two", replicas: 2))
        store.reconcile(&simulator, at: SimClock.at(0))
        #expect(store.pods.values.filter { $0.simNamespace == "one" }.count == 1)
        #expect(store.pods.values.filter { $0.simNamespace == "two" }.count == 2)

        var doomed = store.deployment("a", namespace: "two")
        doomed[setting: ["metadata", "deletionTimestamp"]] = .string(Timestamp(SimClock.at(1)).description)
        doomed[setting: ["spec", "replicas"]] = 5
        store.put(doomed)
        #expect(store.reconcile(&simulator, at: SimClock.at(0.5)).isEmpty)
    }

    @Test("the same seed gives the same pod names")
    func deterministicNames() {
        func names(seed: UInt64) -> [String] {
            var store = WorkloadTestStore()
            var simulator = DeploymentSimulator(seed: seed)
            store.put(Given.deployment("web", replicas: 4))
            store.reconcile(&simulator, at: SimClock.at(0))
            return store.pods(of: "web").map(\.simName)
        }
        #expect(names(seed: 42) == names(seed: 42))
        #expect(names(seed: 42) != names(seed: 43))
    }

    @Test("durations parse as Go writes them", arguments: [
        ("3s", 3.0), ("500ms", 0.5), ("1m30s", 90.0), ("1.5s", 1.5), ("2", 2.0), ("1h", 3600.0),
    ])
    func durations(text: String, seconds: Double) {
        #expect(SimAnnotations.parseDuration(text) == seconds)
    }

    @Test("malformed durations are rejected", arguments: ["", "3x", "s", "-1s", "fast"])
    func badDurations(text: String) {
        #expect(SimAnnotations.parseDuration(text) == nil)
    }
}

extension JSONValue {
    /// This Deployment with a previous status, as the store would keep it across a spec update.
    func merging(status: JSONValue) -> JSONValue {
        var copy = self
        copy["status"] = status
        return copy
    }
}
