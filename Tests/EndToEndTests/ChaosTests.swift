import Foundation
import Testing
@testable import ClusterHarness

extension ProgramRuns {
    /// `cutover-chaos` (hack/chaos) against the built binaries: a short run of a fixed seed must break
    /// no invariant, and a planted violation must be caught and reported with its replay command.
    @Suite("Chaos", .serialized)
    struct ChaosTests {
        /// Runs the chaos runner and returns its exit status and output.
        private func chaos(_ arguments: [String]) async throws -> (status: Int32, output: String) {
            try await runProgram(try Binaries.chaos(), arguments, timeout: .seconds(900))
        }

        /// The numbers of the last line, `chaos: N kills, M faults, K checks, V violations (seed S)`.
        private func summary(_ output: String) -> [String: Int] {
            guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("chaos: ") && $0.contains(" kills, ") }) else { return [:] }
            var numbers: [String: Int] = [:]
            for part in line.dropFirst("chaos: ".count).split(separator: ",") {
                let words = part.split(separator: " ")
                if words.count >= 2, let value = Int(words[0]) { numbers[String(words[1])] = value }
            }
            return numbers
        }

        @Test("a short run of a fixed seed: releases, groups and faults, and not one invariant broken")
        func shortRun() async throws {
            let (status, output) = try await chaos(["--seed", "3", "--minutes", "1.5", "--rollouts", "10", "--namespaces", "2"])
            #expect(status == 0, "\(output)")
            let numbers = summary(output)
            #expect(numbers["violations"] == 0, "\(output)")
            #expect((numbers["kills"] ?? 0) >= 2, "the controller was killed: \(output)")
            #expect((numbers["faults"] ?? 0) >= 2, "faults were injected: \(output)")
            #expect((numbers["checks"] ?? 0) > 500, "every change was judged: \(output)")
            #expect(output.contains("group release "), "release groups took part: \(output)")
            #expect(output.contains("(seed 3)"))
        }

        @Test("the same with sharded replicas (--shards 2): both act at once, each on its shards, and every Event falls in its writer's tenure")
        func shortShardedRun() async throws {
            let (status, output) = try await chaos(["--seed", "3", "--minutes", "1.5", "--rollouts", "10", "--namespaces", "2", "--shards", "2"])
            #expect(status == 0, "\(output)")
            let numbers = summary(output)
            #expect(numbers["violations"] == 0, "\(output)")
            #expect((numbers["kills"] ?? 0) >= 2, "a replica was killed: \(output)")
            #expect(output.contains("--namespaces 2 --shards 2; logs in"), "the replicas ran sharded: \(output)")
        }

        @Test("a planted violation (the active Service pointed at a green with no ready pod) is reported with the replay command")
        func plantedViolation() async throws {
            let (status, output) = try await chaos(["--seed", "5", "--minutes", "1", "--rollouts", "3", "--namespaces", "1", "--plant", "unready-green"])
            #expect(status == 1, "\(output)")
            #expect(output.contains("PLANTED: the active Service of chaos-0/"), "\(output)")
            #expect(output.contains("VIOLATION [the active Service always selects at least R ready pods]"), "\(output)")
            #expect(output.contains("replay: cutover-chaos --seed 5 --minutes 1.0 --rollouts 3 --namespaces 1 --plant unready-green"), "\(output)")
            #expect((summary(output)["violations"] ?? 0) >= 1, "\(output)")
        }
    }
}
