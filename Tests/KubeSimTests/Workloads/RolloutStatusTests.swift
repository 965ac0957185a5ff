import KubeModels
import Testing

@testable import KubeSim

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `kubectl rollout status` concludes from a Deployment (KUBE-API.md §12), restated here so
/// the simulator is judged by the client's rules rather than by its own.
enum RolloutVerdict: Equatable {
    case notObserved, failed, rolling, oldTerminating, waitingForAvailability, done
}

func rolloutVerdict(_ deployment: JSONValue) -> RolloutVerdict {
    let generation = deployment[path: ["metadata", "generation"]]?.intValue ?? 0
    let status = deployment["status"] ?? [:]
    func count(_ key: String) -> Int64 { status[key]?.intValue ?? 0 }
    if generation > count("observedGeneration") { return .notObserved }
    let progressing = status["conditions"]?.arrayValue?.first { $0["type"] == "Progressing" }
    if progressing?["reason"] == "ProgressDeadlineExceeded" { return .failed }
    let wanted = deployment[path: ["spec", "replicas"]]?.intValue ?? 1
    if count("updatedReplicas") < wanted { return .rolling }
    if count("replicas") > count("updatedReplicas") { return .oldTerminating }
    if count("availableReplicas") < count("updatedReplicas") { return .waitingForAvailability }
    return .done
}

@Suite("kubectl rollout status against the simulated controller")
struct RolloutStatusTests {
    @Test("a rollout is observed at once, waits for availability, then is done")
    func completes() {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator()
        store.put(Given.deployment("web", replicas: 3, generation: 4, annotations: [SimAnnotations.readyAfter: "2s"]))
        #expect(rolloutVerdict(store.deployment("web")) == .notObserved)
        store.reconcile(&simulator, at: SimClock.at(0))
        #expect(rolloutVerdict(store.deployment("web")) == .waitingForAvailability)
        store.reconcile(&simulator, at: SimClock.at(2.5))
        #expect(rolloutVerdict(store.deployment("web")) == .done)
    }

    @Test("a template change reports old replicas until they are gone")
    func replaces() {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator()
        store.put(Given.deployment("web", replicas: 2, image: "app:1"))
        store.reconcile(&simulator, at: SimClock.at(0))
        store.reconcile(&simulator, at: SimClock.at(2))
        store.put(Given.deployment("web", replicas: 2, generation: 2, image: "app:2").merging(status: store.status(of: "web")))
        store.reconcile(&simulator, at: SimClock.at(3))
        #expect(rolloutVerdict(store.deployment("web")) == .oldTerminating)
        store.reconcile(&simulator, at: SimClock.at(4.5))
        #expect(rolloutVerdict(store.deployment("web")) == .done)
    }

    @Test("a never-ready rollout fails at its deadline, and progress starts the clock again")
    func failsAtDeadline() {
        var store = WorkloadTestStore()
        var simulator = DeploymentSimulator()
        store.put(Given.deployment("bad", replicas: 1, annotations: [SimAnnotations.neverReady: "true"], progressDeadlineSeconds: 60))
        store.reconcile(&simulator, at: SimClock.at(0))
        store.reconcile(&simulator, at: SimClock.at(59))
        #expect(rolloutVerdict(store.deployment("bad")) == .waitingForAvailability)
        store.reconcile(&simulator, at: SimClock.at(62))
        #expect(rolloutVerdict(store.deployment("bad")) == .failed)

        // Scaling up is progress: the condition turns True again and the deadline restarts.
        store.put(Given.deployment("bad", replicas: 2, generation: 2, annotations: [SimAnnotations.neverReady: "true"],
                             progressDeadlineSeconds: 60).merging(status: store.status(of: "bad")))
        store.reconcile(&simulator, at: SimClock.at(100))
        #expect(rolloutVerdict(store.deployment("bad")) == .waitingForAvailability)
        store.reconcile(&simulator, at: SimClock.at(150))
        #expect(rolloutVerdict(store.deployment("bad")) == .waitingForAvailability)
        store.reconcile(&simulator, at: SimClock.at(162))
        #expect(rolloutVerdict(store.deployment("bad")) == .failed)
    }
}
