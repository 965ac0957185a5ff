import ArgumentParser
import ClusterHarness
import Foundation

/// `cutover-chaos`: releases run continuously against kube-sim, a real Prometheus and two
/// controller replicas while faults from the seed hit them; a checker watches every object the
/// whole time and reports each broken invariant (docs/testing.md, "Chaos").
@main
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cutover-chaos", abstract: "Run releases under faults and check the invariants (see docs/testing.md).")

    @Option(help: "Seed of the workload and the fault schedule; the same seed replays the same steps.")
    var seed: UInt64 = 1

    @Option(help: "Minutes of releases under faults (then faults stop and every release must end).")
    var minutes = 10.0

    @Option(help: "Rollouts in the workload.")
    var rollouts = 50

    @Option(help: "Namespaces the Rollouts are spread over (a release group of three in each).")
    var namespaces = 3

    @Option(help: "--shards of the two controller replicas (1: leader election, one acts).")
    var shards = 1

    @Option(help: "Seconds every release has to end once faults stop.")
    var settle = 180.0

    @Option(help: "Plant a violation the checker must report: unready-green (the active Service pointed at a green with no ready pod).")
    var plant: Plant?

    @Option(help: "The cutover-controller binary (default: the build's, beside this one).")
    var controller: String?

    @Flag(help: "Print only the summary, not every step.")
    var quiet = false

    @Flag(help: "Keep the run's directory (logs, manifests) even when nothing was violated.")
    var keep = false

    enum Plant: String, ExpressibleByArgument {
        case unreadyGreen = "unready-green"
    }

    mutating func run() async throws {
        let binary = try controller ?? Binaries.controller()
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("--controller \(binary): no executable file there")
        }
        guard rollouts >= namespaces, namespaces >= 1 else { throw ValidationError("--rollouts must be at least --namespaces (at least 1)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-chaos-\(seed)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let replay = "cutover-chaos --seed \(seed) --minutes \(minutes) --rollouts \(rollouts) --namespaces \(namespaces)"
            + (shards > 1 ? " --shards \(shards)" : "")
            + (plant.map { " --plant \($0.rawValue)" } ?? "")
        say("chaos: \(replay); logs in \(directory.path)")
        let journal = Journal(quiet: quiet)
        let cluster = try await ChaosCluster.start(
            namespaces: (0..<namespaces).map { "chaos-\($0)" }, shards: shards, controllerBinary: binary, directory: directory)
        let summary: ChaosRun.Summary
        do {
            let run = ChaosRun(cluster: cluster, journal: journal, seed: seed, plant: plant == .unreadyGreen)
            summary = try await run.run(rollouts: rollouts, minutes: minutes, settle: settle)
        } catch {
            say(cluster.controllerLogTails(40))
            await cluster.stop()
            say("chaos: the run stopped: \(error) (seed \(seed)); logs in \(directory.path)")
            throw ExitCode(2)
        }
        await cluster.stop()

        for violation in summary.violations {
            let step = journal.step(before: violation.at)
            say("VIOLATION [\(violation.invariant)] \(violation.detail)")
            say("    seen \(journal.offset(violation.at)), resourceVersion \(violation.resourceVersion), after step \(step.map { "#\($0.number) (\($0.text))" } ?? "#0 (setup)")")
        }
        say(summary.report)
        if !summary.violations.isEmpty {
            // Kept with the logs: a run inside a test shows its output only in the test's report.
            let found = summary.violations.map { "[\($0.invariant)] \($0.detail) (seen \(journal.offset($0.at)))" }.joined(separator: "\n")
            try? (found + "\n").write(to: directory.appendingPathComponent("violations.txt"), atomically: true, encoding: .utf8)
            for (namespace, report) in summary.timelines {
                try? report.write(to: directory.appendingPathComponent("timeline-\(namespace).txt"), atomically: true, encoding: .utf8)
            }
            say("chaos: what every Rollout, Service and group went through: \(directory.path)/timeline-*.txt")
        }
        if let first = summary.violations.map(\.at).min() {
            say("replay: \(replay) (the first violation came after step #\(journal.step(before: first)?.number ?? 0))")
        }
        if summary.violations.isEmpty && !keep { try? FileManager.default.removeItem(at: directory) }
        say("chaos: \(summary.kills) kills, \(summary.faults) faults, \(summary.checks) checks, \(summary.violations.count) violations (seed \(seed))")
        if !summary.violations.isEmpty { throw ExitCode(1) }
    }
}
