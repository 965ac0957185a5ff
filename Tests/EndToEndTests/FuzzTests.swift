import Foundation
import Testing
@testable import ClusterHarness

extension ProgramRuns {
    /// `cutover-fuzz` (hack/fuzz) against the built controller: the corpus of inputs that once broke
    /// something or sit on a limit, and a fixed-seed run of generated inputs.
    @Suite("Fuzzed Rollouts", .serialized)
    struct FuzzTests {
        /// Runs the fuzzer and returns its exit status and output.
        private func fuzz(_ arguments: [String]) async throws -> (status: Int32, output: String) {
            let crds = Binaries.repositoryRoot.appendingPathComponent("crds").path
            return try await runProgram(try Binaries.fuzz(), arguments + ["--crds", crds], timeout: .seconds(600))
        }

        @Test("every corpus input leaves the controller running and nothing else touched")
        func corpus() async throws {
            let corpus = Binaries.repositoryRoot.appendingPathComponent("hack/fuzz/corpus")
            let count = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".json") }.count
            let (status, output) = try await fuzz(["--corpus", corpus.path, "--inputs", "0"])
            #expect(status == 0, "\(output)")
            #expect(output.contains("fuzz: \(2 * count) inputs, 0 crashes, 0 untouched-rule violations"), "each as a new Rollout and as an edit: \(output)")
            #expect(output.contains("InvalidSpec") && output.contains("refused 500"), "the corpus reaches the controller's validation and etcd's limit: \(output)")
        }

        @Test("generated inputs of a fixed seed")
        func generated() async throws {
            let (status, output) = try await fuzz(["--seed", "7", "--inputs", "60"])
            #expect(status == 0, "\(output)")
            #expect(output.contains("fuzz: 60 inputs, 0 crashes, 0 untouched-rule violations (seed 7)"), "\(output)")
        }

        @Test("a broken rule is reported with the replay command and fails the run")
        func reportsViolations() async throws {
            // No controller fits in 1 MiB: every input breaks the memory rule.
            let (status, output) = try await fuzz(["--seed", "3", "--inputs", "2", "--max-rss-mib", "1"])
            #expect(status == 1)
            #expect(output.contains("VIOLATION: the controller's resident memory is"), "\(output)")
            #expect(output.contains("replay: cutover-fuzz --seed 3 --only 1"), "\(output)")
            #expect(output.contains("fuzz: 2 inputs, 0 crashes, 2 untouched-rule violations (seed 3)"), "\(output)")
        }
    }
}
