import Cutover
@testable import CutoverController
import Foundation
import KubeAPI
import KubeModels
import KubeSim
import SimulatorHarness
import Testing

/// JobRunner against KubeSim's simulated Jobs: one that completes, one that fails with its log,
/// one the API server refuses, one of that name that is not ours.
@Suite("Job runner", .timeLimit(.minutes(1)))
struct JobRunnerTests {
    static func job(_ name: String, exitCode: Int = 0, restartPolicy: String = "Never", revision: String = "g1") -> Job {
        Job(
            metadata: ObjectMeta(
                name: name, namespace: "default", labels: [CutoverLabels.rollout: "web", CutoverLabels.revision: revision]),
            spec: JobSpec(
                template: PodTemplateSpec(
                    metadata: ObjectMeta(annotations: [
                        SimAnnotations.runFor: "200ms", SimAnnotations.exitCode: "\(exitCode)", SimAnnotations.log: "one\ntwo\nexit \(exitCode)\n",
                    ]),
                    spec: ["restartPolicy": .string(restartPolicy), "containers": [["name": "check", "image": "check:1"]]]),
                backoffLimit: 0, activeDeadlineSeconds: 60))
    }

    @Test func aJobRunsToItsEndOnceAndRefusalsAreOutcomes() async throws {
        var options = KubeSim.Options()
        options.tickInterval = .milliseconds(50)
        try await withSimulator(simOptions: options) { _, client in
            let runner = JobRunner(client: client, pollInterval: .milliseconds(50))
            let passed = try #require(await runner.run(Self.job("ok")))
            #expect(passed.passed && passed.message.hasPrefix("Job ok completed"), "\(passed)")
            // Run again (a restarted controller): the same Job is followed, not created twice.
            let again = try #require(await runner.run(Self.job("ok")))
            #expect(again.passed)
            #expect(try await client.list(Pod.self, namespace: "default").items.count == 1)

            let failed = try #require(await runner.run(Self.job("bad", exitCode: 2)))
            #expect(!failed.passed)
            #expect(failed.message.hasPrefix("Job bad failed (BackoffLimitExceeded: Job has reached the specified backoff limit); bad-"), "\(failed)")
            #expect(failed.message.hasSuffix(": one | two | exit 2"), "\(failed)")

            let refused = try #require(await runner.run(Self.job("restarting", restartPolicy: "Always")))
            #expect(!refused.passed && refused.message.hasPrefix("the API server refused Job restarting: "), "\(refused)")

            let foreign = try #require(await runner.run(Self.job("ok", revision: "g2")))
            #expect(!foreign.passed && foreign.message == "Job ok exists and was not created by this Rollout for this revision; delete or rename it")

            await runner.delete(Self.job("ok"))
            try await eventually("the Job and its pod deleted") {
                let jobs = try await client.list(Job.self, namespace: "default").items.map { $0.metadata.name }
                return !jobs.contains("ok")
            }
        }
    }
}
