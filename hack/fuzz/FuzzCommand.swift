import ArgumentParser
import ClusterHarness
import Foundation
import KubeModels
import KubeSim

/// `cutover-fuzz`: feeds mutated Rollouts to a real controller process through KubeSim and checks,
/// for each, that the controller survives with bounded memory, that an invalid Rollout gets a
/// condition naming the field while nothing of it is created or switched, and that no other
/// Rollout, Service or Deployment moved.
@main
struct FuzzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cutover-fuzz", abstract: "Fuzz the controller with mutated Rollouts (see docs/testing.md).")

    @Option(help: "Seed of the generated inputs; the same seed replays the same inputs.")
    var seed: UInt64 = 1

    @Option(help: "Generated inputs to run.")
    var inputs = 200

    @Option(help: "Run only generated input N of the seed (a replay).")
    var only: Int?

    @Option(help: "A directory of Rollout JSON files to run before the generated inputs.")
    var corpus: String?

    @Option(help: "Where to write each input that crashed the controller or broke a rule.")
    var save: String?

    @Option(help: "The CRD directory (default: this checkout's crds/).")
    var crds = Binaries.repositoryRoot.appendingPathComponent("crds").path

    @Option(help: "The cutover-controller binary (default: the build's, beside this one).")
    var controller: String?

    @Option(name: .customLong("max-rss-mib"), help: "The controller's resident memory bound.")
    var maxRSSMiB = 256

    @Option(help: "Seconds the controller has to report on an accepted input.")
    var deadline = 20.0

    mutating func run() async throws {
        let binary = try controller ?? Binaries.controller()
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("--controller \(binary): no executable file there")
        }
        var cases: [FuzzCase] = []
        if let corpus {
            let files = try FileManager.default.contentsOfDirectory(atPath: corpus).filter { $0.hasSuffix(".json") }.sorted()
            for file in files {
                let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: corpus).appendingPathComponent(file)))
                let rollout = FuzzCase.expanded(try JSONParser.parse(bytes))
                let why = rollout[path: ["metadata", "annotations", "fuzz.cutover.dev/why"]]?.stringValue ?? "corpus"
                cases.append(FuzzCase(label: "corpus \(file)", rollout: rollout, mutations: [why], asUpdate: false))
                cases.append(FuzzCase(label: "corpus \(file) as an update", rollout: rollout, mutations: [why], asUpdate: true))
            }
        }
        var mutator = Mutator(seed: seed)
        for index in 0..<(only.map { $0 + 1 } ?? inputs) {
            let rollout = mutator.mutate(BaseRollout.value)
            if only == nil || only == index {
                // Odd inputs edit a Healthy Rollout; even ones create a new one.
                cases.append(FuzzCase(label: "input \(index)", rollout: rollout, mutations: mutator.applied, asUpdate: index % 2 == 1))
            }
        }
        let run = try await FuzzRun.start(
            controller: binary, crds: crds, maxRSS: maxRSSMiB << 20, deadline: deadline, save: save)
        let summary: FuzzRun.Summary
        do {
            summary = try await run.run(cases, replay: { "cutover-fuzz --seed \(seed) --only \($0)" })
        } catch {
            await run.stop()
            throw error
        }
        await run.stop()
        print("fuzz: outcomes: \(summary.outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); peak controller RSS \(summary.peakRSS >> 20) MiB")
        print("fuzz: \(summary.inputs) inputs, \(summary.crashes) crashes, \(summary.violations) untouched-rule violations (seed \(seed))")
        if summary.crashes + summary.violations > 0 { throw ExitCode(1) }
    }
}

/// One input: a whole Rollout document and how it was made.
struct FuzzCase: Sendable {
    var label: String
    var rollout: JSONValue
    var mutations: [String]
    /// Applied as an edit of the Healthy Rollout `target` instead of as a new Rollout.
    var asUpdate: Bool

    /// A corpus document with its `fuzzExpand` entries applied: `{path, nest: N}` nests the value
    /// at `path` N levels deep, `{path, repeat: N}` puts a string of N bytes there. Big and deep
    /// inputs stay small in git this way.
    static func expanded(_ document: JSONValue) -> JSONValue {
        var result = document
        result["fuzzExpand"] = nil
        for entry in document["fuzzExpand"]?.arrayValue ?? [] {
            let path = (entry["path"]?.arrayValue ?? []).compactMap(\.stringValue).map(Mutator.Step.key)
            if let levels = entry["nest"]?.intValue {
                result[steps: path] = Mutator.nest("leaf", levels: Int(levels))
            } else if let size = entry["repeat"]?.intValue {
                result[steps: path] = .string(String(repeating: "p", count: Int(size)))
            }
        }
        return result
    }
}
