import Cutover
import Foundation
import KubeModels
import Testing

#if canImport(Glibc)
import Glibc
@testable import ClusterHarness
#endif

extension EndToEnd {
    /// Gates that are Jobs (`hooks.*.job`) on KubeSim's simulated Jobs (docs/kubesim.md, *Jobs*).
    @Suite("Job gates") struct JobGateTests {
        static func job(runFor: String, exitCode: Int, log: String, timeout: String = "1m") -> String {
            """
            {job: {template: {metadata: {annotations: {sim.cutover.dev/run-for: "\(runFor)", sim.cutover.dev/exit-code: "\(exitCode)", \
            sim.cutover.dev/log: "\(log)"}}, spec: {restartPolicy: Never, containers: [{name: migrate, image: "registry.example.com/migrate:2"}]}}}, timeout: \(timeout)}
            """
        }

        @Test("a preRelease migration Job runs exactly once across a controller kill, and green is created only after it")
        func migrationRunsOnce() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                manifest.hooks = "{preRelease: \(Self.job(runFor: "4s", exitCode: 0, log: "applied 3 migrations"))}"
                let blue = try await cluster.deployFirst(manifest)

                manifest.image = "registry.example.com/payment:1.4.3"
                let running = try await cluster.release(manifest, until: "the migration running") {
                    $0.status?.hooks?.contains { $0.name == .preRelease && $0.phase == .running } == true
                }
                let green = try #require(running.status?.greenRevision)
                let jobName = JobGate.jobName(rollout: "payment", revision: green, hook: .preRelease)
                _ = try await eventually("the migration Job created") {
                    let name = try? await cluster.get("job/\(jobName)", jsonpath: "{.metadata.name}")
                    return (name == jobName ? true : nil, name ?? "no Job")
                }
                let first = try #require(cluster.controllerProcesses.last { $0.isRunning })
                await first.stop(signal: SIGKILL)
                // Deployments first, then the Job: a Job still running at the second read was
                // running at the first. (Under load the 4 s Job can finish before the kill.)
                let deployments = try await cluster.kubectl("get", "deployments", "-n", cluster.namespace, "-o", "name")
                if try await cluster.get("job/\(jobName)", jsonpath: "{.status.completionTime}").isEmpty {
                    #expect(deployments.contains(green) == false, "no green while the migration runs")
                }
                try await cluster.startController("controller-2")
                let done = try await cluster.monitor.waitForRollout("payment", "Healthy on green", timeout: .seconds(90)) {
                    $0.status?.phase == .healthy && $0.status?.activeRevision == green
                }
                #expect(done.status?.activeRevision != blue)
                // One Job, one pod: the new controller followed the Job the first one created.
                #expect(try await cluster.kubectl("get", "jobs", "-n", cluster.namespace, "-o", "name") == "job.batch/\(jobName)\n")
                let pods = try await cluster.kubectl("get", "pods", "-n", cluster.namespace, "-l", "job-name=\(jobName)", "-o", "name")
                #expect(pods.split(separator: "\n").count == 1, "\(pods)")
                let completed = try await cluster.get("job/\(jobName)", jsonpath: "{.status.completionTime}")
                let completedAt = try #require(Timestamp(rfc3339: completed)).date
                let created = try #require(Timestamp(rfc3339: try await cluster.get("deployment/payment-\(green)", jsonpath: "{.metadata.creationTimestamp}"))).date
                #expect(created >= completedAt.addingTimeInterval(-1), "green created at \(created), the migration completed at \(completedAt)")
                let gate = try #require(done.status?.hooks?.first { $0.name == .preRelease })
                #expect(gate.phase == .passed && gate.message?.hasPrefix("Job \(jobName) completed") == true, "\(gate)")
            }
        }

        @Test("a preCutover Job that exits 3 reverts the release with the Job's name and log tail")
        func aFailingJobGateReverts() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                manifest.hooks = "{preCutover: \(Self.job(runFor: "300ms", exitCode: 3, log: "checking schema\\nERROR: column users.email missing"))}"
                let blue = try await cluster.deployFirst(manifest)
                manifest.image = "registry.example.com/payment:1.5.0"
                let reverted = try await cluster.release(manifest, until: "RolledBack") { $0.status?.phase == .rolledBack }
                let green = try #require(reverted.status?.rolledBackRevision)
                let abort = try #require(reverted.status?.abort)
                let jobName = JobGate.jobName(rollout: "payment", revision: green, hook: .preCutover)
                #expect(abort.reason == "PreCutoverHookFailed")
                #expect(abort.message?.hasPrefix("preCutover gate: Job \(jobName) failed (BackoffLimitExceeded") == true, "\(abort)")
                #expect(abort.message?.hasSuffix("checking schema | ERROR: column users.email missing") == true, "\(abort)")
                #expect(try await cluster.selectedRevision() == blue)
            }
        }

        @Test("a postCutover Job that runs past its timeout fails the gate: the Service goes back to blue")
        func aJobPastItsDeadlineFailsTheGate() async throws {
            try await EndToEndCluster.run { cluster in
                var manifest = cluster.rolloutManifest()
                manifest.holdWindow = "1s"
                manifest.hooks = "{postCutover: \(Self.job(runFor: "1h", exitCode: 0, log: "waiting for traffic", timeout: "3s"))}"
                let blue = try await cluster.deployFirst(manifest)
                manifest.image = "registry.example.com/payment:1.5.1"
                let reverted = try await cluster.release(manifest, until: "RolledBack") { $0.status?.phase == .rolledBack }
                let abort = try #require(reverted.status?.abort)
                #expect(abort.reason == "PostCutoverHookFailed")
                #expect(abort.message?.contains("failed (DeadlineExceeded: Job was active longer than specified deadline)") == true, "\(abort)")
                #expect(try await cluster.selectedRevision() == blue)
                #expect(cluster.monitor.model().selectorHistory("payment").contains(.revision(try #require(reverted.status?.rolledBackRevision))),
                        "green served before the gate failed")
            }
        }
    }
}
