import Cutover
import KubeAPI
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `kubectl cutover list [-A]`: every Rollout of the namespace (or of all namespaces) with its
/// release group, phase, weight, revisions and age, as a kubectl table; a group's members
/// together.
public enum ListCommand {
    /// Prints the table; "No resources found" goes to standard error, as kubectl does.
    public static func run(allNamespaces: Bool, context: CLIContext) async throws {
        let namespace = allNamespaces ? nil : context.namespace
        let rollouts = try await context.client.list(Rollout.self, namespace: namespace).items
        guard !rollouts.isEmpty else {
            context.console.printError(allNamespaces ? "No resources found" : "No resources found in \(context.namespace) namespace.")
            return
        }
        let deployments = try await context.client.list(
            Deployment.self, namespace: namespace, options: ListOptions(labelSelector: CutoverLabels.rollout)
        ).items
        for line in table(rollouts, deployments: deployments, allNamespaces: allNamespaces, now: context.now()) {
            context.console.print(line)
        }
    }

    /// The table's lines, header first, sorted by namespace, release group (Rollouts in none
    /// first) and name.
    public static func table(_ rollouts: [Rollout], deployments: [Deployment], allNamespaces: Bool, now: Date) -> [String] {
        var revisions: [String: Int] = [:]
        for deployment in deployments {
            guard let owner = deployment.metadata.labels?[CutoverLabels.rollout] else { continue }
            revisions["\(deployment.metadata.namespace ?? "")/\(owner)", default: 0] += 1
        }
        var rows = [(allNamespaces ? ["NAMESPACE"] : []) + ["GROUP", "NAME", "PHASE", "WEIGHT", "ACTIVE", "GREEN", "REVISIONS", "AGE"]]
        func group(_ rollout: Rollout) -> String { rollout.metadata.labels?[CutoverLabels.group] ?? "" }
        let sorted = rollouts.sorted {
            ($0.metadata.namespace ?? "", group($0), $0.metadata.name ?? "") < ($1.metadata.namespace ?? "", group($1), $1.metadata.name ?? "")
        }
        for rollout in sorted {
            let status = rollout.status
            var phase = status?.phase?.rawValue ?? "Pending"
            if status?.paused == true { phase += " (paused)" }
            let key = "\(rollout.metadata.namespace ?? "")/\(rollout.metadata.name ?? "")"
            rows.append(
                (allNamespaces ? [rollout.metadata.namespace ?? ""] : []) + [
                    group(rollout).isEmpty ? "<none>" : group(rollout), rollout.metadata.name ?? "", phase, "\(status?.weight ?? 0)", status?.activeRevision ?? "<none>",
                    status?.greenRevision ?? "<none>", "\(revisions[key] ?? 0)", Age.since(rollout.metadata.creationTimestamp?.date, now: now),
                ])
        }
        return TreeRenderer.columns(rows.map { row in row.enumerated().map { $0.offset == row.count - 1 ? $0.element : $0.element + " " } })
    }
}
