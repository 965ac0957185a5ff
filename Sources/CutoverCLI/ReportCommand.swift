import Cutover
import KubeAPI
import KubeModels

/// `kubectl cutover report [group] NAME [--revision R] [--format markdown|json]`: the deployment
/// report of one release from the Rollout's `status.history` (see ``ReleaseReport``), or of one
/// group release from the ReleaseGroup's (see ``GroupReleaseReport``).
public enum ReportCommand {
    /// Prints the report of the newest release, or of the newest release of `revision`. Throws
    /// ``CLIError/notFound(_:)`` when the Rollout has no release record yet or none of `revision`.
    public static func run(name: String, revision: String?, format: ReportFormat, context: CLIContext) async throws {
        let rollout = try await context.rollout(name)
        let report = try ReleaseReport(rollout: rollout, revision: revision)
        for line in try format.render(report) { context.console.print(line) }
        context.warnIfStale(rollout)
    }

    /// Prints the report of the newest group release of the ReleaseGroup `name`, or of the newest
    /// release of `revision` (the group release's). Throws ``CLIError/notFound(_:)`` when the group
    /// has no release record yet or none of `revision`.
    public static func run(group name: String, revision: String?, format: ReportFormat, context: CLIContext) async throws {
        let group = try await context.client.get(ReleaseGroup.self, name: name, namespace: context.namespace)
        let report = try GroupReleaseReport(group: group, revision: revision)
        for line in try format.render(report) { context.console.print(line) }
        context.warnIfStale(group)
    }
}
