import Cutover
import KubeAPI
import KubeModels

/// `kubectl cutover report NAME [--revision R] [--format markdown|json]`: the deployment report of
/// one release from the Rollout's `status.history` (see ``ReleaseReport``).
public enum ReportCommand {
    /// Prints the report of the newest release, or of the newest release of `revision`. Throws
    /// ``CLIError/notFound(_:)`` when the Rollout has no release record yet or none of `revision`.
    public static func run(name: String, revision: String?, format: ReportFormat, context: CLIContext) async throws {
        let rollout = try await context.rollout(name)
        let report = try ReleaseReport(rollout: rollout, revision: revision)
        for line in try format.render(report) { context.console.print(line) }
        context.warnIfStale(rollout)
    }
}
