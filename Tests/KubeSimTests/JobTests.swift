import Foundation
import KubeModels
import Testing
@testable import KubeSim

/// Jobs as kubectl sees them: created, defaulted, run by the simulated Job controller, waited
/// for, their pods' logs read.
@Suite("Jobs with kubectl", .serialized, .timeLimit(.minutes(1)))
struct JobTests {
    static func job(_ name: String, exitCodes: String, backoffLimit: Int = 6, runFor: String = "300ms") -> String {
        """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: \(name)}
        spec:
          backoffLimit: \(backoffLimit)
          template:
            metadata:
              annotations: {sim.cutover.dev/run-for: "\(runFor)", sim.cutover.dev/exit-code: "\(exitCodes)", sim.cutover.dev/log: "step 1\\nstep 2\\nstep 3: exit \(exitCodes)\\n"}
            spec:
              restartPolicy: Never
              containers: [{name: migrate, image: "migrate:1"}]
        """
    }

    @Test("a Job is defaulted, runs, completes; kubectl wait, get and logs read it as on a real cluster")
    func completes() async throws {
        try await withSim(tls: true, workloads: true) { sim, _ in
            let kubectl = try Kubectl(sim)
            let created = try await kubectl("apply", "-f", "-", input: Self.job("migrate", exitCodes: "0"))
            #expect(created.stdout == "job.batch/migrate created\n", "\(created.stderr)")
            let yaml = try await kubectl("get", "job", "migrate", "-o", "json")
            let object = try JSONParser.parse(yaml.stdout)
            let uid = try #require(object[path: ["metadata", "uid"]]?.stringValue)
            #expect(object[path: ["spec", "selector", "matchLabels", "batch.kubernetes.io/controller-uid"]]?.stringValue == uid)
            #expect(object[path: ["spec", "template", "metadata", "labels", "job-name"]] == "migrate")
            #expect(object[path: ["spec", "completions"]] == 1 && object[path: ["spec", "parallelism"]] == 1)
            #expect(object[path: ["spec", "completionMode"]] == "NonIndexed")

            let waited = try await kubectl("wait", "--for=condition=complete", "job/migrate", "--timeout=20s")
            #expect(waited.stdout == "job.batch/migrate condition met\n", "\(waited.stderr)")
            let table = try await kubectl("get", "jobs")
            let row = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            #expect(row.first == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], "\(table.stdout)")
            #expect(row.dropFirst().first?.prefix(3) == ["migrate", "Complete", "1/1"], "\(table.stdout)")
            let logs = try await kubectl("logs", "job/migrate")
            #expect(logs.stdout == "step 1\nstep 2\nstep 3: exit 0\n", "\(logs.stderr)")
            let tail = try await kubectl("logs", "job/migrate", "--tail=1")
            #expect(tail.stdout == "step 3: exit 0\n", "\(tail.stderr)")
        }
    }

    @Test("a Job whose pods exit 1 fails at its backoffLimit; a restartPolicy Always is refused")
    func failsAndIsValidated() async throws {
        try await withSim(tls: true, workloads: true) { sim, _ in
            let kubectl = try Kubectl(sim)
            _ = try await kubectl("apply", "-f", "-", input: Self.job("broken", exitCodes: "1", backoffLimit: 1))
            let waited = try await kubectl("wait", "--for=condition=failed", "job/broken", "--timeout=20s")
            #expect(waited.stdout == "job.batch/broken condition met\n", "\(waited.stderr)")
            let reason = try await kubectl("get", "job", "broken", "-o", #"jsonpath={.status.conditions[?(@.type=="Failed")].reason} {.status.failed}"#)
            #expect(reason.stdout == "BackoffLimitExceeded 2")
            let pods = try await kubectl("get", "pods", "-l", "job-name=broken", "-o", "jsonpath={.items[*].status.phase}")
            #expect(pods.stdout == "Failed Failed")

            let always = Self.job("always", exitCodes: "0").replacingOccurrences(of: "restartPolicy: Never", with: "restartPolicy: Always")
            let refused = try await kubectl("apply", "-f", "-", input: always)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains(#"spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never""#), "\(refused.stderr)")
        }
    }
}
