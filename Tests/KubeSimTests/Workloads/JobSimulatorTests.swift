import KubeModels
import Testing

@testable import KubeSim

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite("Simulated Job controller")
struct JobSimulatorTests {
    /// Runs the simulator every `step` seconds from 0 to `until` on `job`; returns the store.
    static func run(_ job: JSONValue, until: TimeInterval, step: TimeInterval = 0.5) -> WorkloadTestStore {
        var store = WorkloadTestStore()
        store.jobs["default/\(job.simName)"] = job
        var simulator = JobSimulator(seed: 3)
        var now: TimeInterval = 0
        while now <= until {
            store.reconcile(&simulator, at: SimClock.at(now))
            now += step
        }
        return store
    }

    static func status(_ store: WorkloadTestStore, _ name: String = "migrate") -> JSONValue { store.jobs["default/\(name)"]?["status"] ?? [:] }

    static func conditions(_ store: WorkloadTestStore) -> [String] {
        (status(store)["conditions"]?.arrayValue ?? []).map { "\($0["type"]?.stringValue ?? "") \($0["reason"]?.stringValue ?? "")" }
    }

    static func pods(_ store: WorkloadTestStore) -> [JSONValue] {
        store.podList.sorted { ($0.simAnnotations[SimAnnotations.attempt] ?? "") < ($1.simAnnotations[SimAnnotations.attempt] ?? "") }
    }

    @Test("a pod runs, exits 0, and the Job completes")
    func completes() throws {
        let running = Self.run(Given.job("migrate", runFor: "2s", log: "applied 3 migrations\n"), until: 1)
        #expect(Self.status(running)["active"] == 1)
        #expect(Self.conditions(running) == [])
        let pod = try #require(Self.pods(running).first)
        #expect(pod.simName.hasPrefix("migrate-") && pod.simLabels["batch.kubernetes.io/job-name"] == "migrate" && pod.simLabels["job-name"] == "migrate")
        #expect(pod[path: ["metadata", "ownerReferences"]]?.arrayValue?.first?["kind"] == "Job")
        #expect(pod[path: ["status", "phase"]] == "Running")

        let done = Self.run(Given.job("migrate", runFor: "2s", log: "applied 3 migrations\n"), until: 3)
        #expect(Self.conditions(done) == ["SuccessCriteriaMet CompletionsReached", "Complete CompletionsReached"])
        #expect(Self.status(done)["succeeded"] == 1 && Self.status(done)["active"] == nil && Self.status(done)["completionTime"] != nil)
        let finished = try #require(Self.pods(done).first)
        #expect(finished[path: ["status", "phase"]] == "Succeeded")
        #expect(finished[path: ["status", "containerStatuses"]]?.arrayValue?.first?[path: ["state", "terminated", "exitCode"]] == 0)
        #expect(JobPod.log(of: finished) == "applied 3 migrations\n")
    }

    @Test("failed pods are replaced until backoffLimit, then the Job fails")
    func backoffLimit() {
        let store = Self.run(Given.job("migrate", exitCodes: "3", backoffLimit: 1), until: 5)
        #expect(Self.conditions(store) == ["FailureTarget BackoffLimitExceeded", "Failed BackoffLimitExceeded"])
        #expect(Self.status(store)["failed"] == 2 && Self.status(store)["succeeded"] == nil)
        let pods = Self.pods(store)
        #expect(pods.count == 2, "one attempt, one retry")
        #expect(pods.allSatisfy { $0[path: ["status", "phase"]] == "Failed" })
        #expect(pods.last?[path: ["status", "containerStatuses"]]?.arrayValue?.first?[path: ["state", "terminated", "reason"]] == "Error")
    }

    @Test("a retry that exits 0 completes the Job")
    func retrySucceeds() {
        let store = Self.run(Given.job("migrate", exitCodes: "1,0", backoffLimit: 2), until: 4)
        #expect(Self.conditions(store) == ["SuccessCriteriaMet CompletionsReached", "Complete CompletionsReached"])
        #expect(Self.status(store)["failed"] == 1 && Self.status(store)["succeeded"] == 1)
    }

    @Test("past activeDeadlineSeconds the Job fails and its running pod is deleted")
    func deadline() {
        let store = Self.run(Given.job("migrate", runFor: "1h", activeDeadlineSeconds: 2), until: 3)
        #expect(Self.conditions(store) == ["FailureTarget DeadlineExceeded", "Failed DeadlineExceeded"])
        #expect(store.podList.isEmpty)
        #expect(Self.status(store)["active"] == nil)
    }

    @Test("completions run one after another at parallelism 1, two at once at parallelism 2")
    func completionsAndParallelism() {
        let serial = Self.run(Given.job("migrate", completions: 2), until: 1.5)
        #expect(Self.status(serial)["succeeded"] == 1 && Self.status(serial)["active"] == 1)
        let parallel = Self.run(Given.job("migrate", completions: 2, parallelism: 2), until: 1.5)
        #expect(Self.conditions(parallel) == ["SuccessCriteriaMet CompletionsReached", "Complete CompletionsReached"])
        #expect(Self.status(parallel)["succeeded"] == 2)
    }

    @Test("a finished Job is left alone: planning again writes nothing")
    func finishedIsStable() {
        var store = Self.run(Given.job("migrate"), until: 2)
        var simulator = JobSimulator(seed: 3)
        #expect(store.reconcile(&simulator, at: SimClock.at(10)) == [])
    }
}
