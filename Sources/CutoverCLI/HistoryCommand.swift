import Cutover
import KubeAPI
import KubeModels

/// `kubectl cutover history NAME`: past revisions with images, outcome and times (see
/// ``RevisionHistory`` for what is derived from where).
public enum HistoryCommand {
    /// Prints the table. Events are optional: if they cannot be read the table still prints.
    public static func run(name: String, context: CLIContext) async throws {
        let rollout = try await context.rollout(name)
        let deployments = try await context.deployments(of: rollout)
        let events = (try? await context.client.list(
            Event.self, namespace: context.namespace,
            options: ListOptions(fieldSelector: "involvedObject.name=\(name),involvedObject.kind=Rollout")
        ).items) ?? []
        let history = RevisionHistory(rollout: rollout, deployments: deployments, events: events)
        guard !history.entries.isEmpty else {
            context.console.printError("No revisions found for rollout \(name) in \(context.namespace) namespace.")
            return
        }
        for line in history.lines() { context.console.print(line) }
        context.warnIfStale(rollout)
    }
}
