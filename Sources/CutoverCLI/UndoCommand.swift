import Cutover
import KubeAPI
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `kubectl cutover undo NAME [--to-revision R]`, as `kubectl rollout undo`: sets the Rollout's
/// template back to the one a revision was released with, read from that revision's Deployment
/// (annotation `cutover.dev/template`, kept exactly as the Rollout had it). Within
/// `spec.rollbackWindow` the controller then rolls back fast; otherwise it is an ordinary release.
public enum UndoCommand {
    /// What undo did: the revision the template now names, and whether that is a fast rollback.
    public struct Outcome: Sendable, Hashable {
        public var revision: String
        public var withinWindow: Bool
    }

    /// Writes the template of `toRevision` (a revision or a unique prefix of one; by default the
    /// serving revision while a release is in flight, else the newest other one released) and says
    /// what the controller will do. The write carries the resourceVersion read.
    @discardableResult
    public static func run(name: String, toRevision: String?, context: CLIContext) async throws -> Outcome {
        let rollout = try await context.rollout(name)
        let deployments = try await context.deployments(of: rollout)
        var byRevision: [String: Deployment] = [:]
        for deployment in deployments {
            if let revision = deployment.metadata.labels?[CutoverLabels.revision] { byRevision[revision] = deployment }
        }
        let revision = try target(toRevision, rollout: rollout, kept: byRevision.keys.sorted())
        guard let deployment = byRevision[revision] else {
            throw CLIError.notFound("revision \(revision) has no Deployment any more (spec.revisionHistoryLimit keeps the last ones); its template is gone")
        }
        guard let text = deployment.metadata.annotations?[CutoverLabels.template], let template = try? JSONParser.parse(text) else {
            throw CLIError.refused(
                "the Deployment of \(revision) does not keep the template it was made from (annotation \(CutoverLabels.template): written since Cutover 0.2, for templates up to \(CutoverLabels.templateAnnotationLimit / 1024) KiB); set spec.template back by hand")
        }
        let current = TemplateHash.canonicalJSON(of: rollout.spec.template)
        if current == text {
            context.console.print("rollout.cutover.dev/\(name) skipped undo: the template is already \(revision)")
            return Outcome(revision: revision, withinWindow: false)
        }
        let operations = [
            JSONPatchOperation(op: "test", path: "/metadata/resourceVersion", value: .string(rollout.metadata.resourceVersion ?? "")),
            JSONPatchOperation(op: "replace", path: "/spec/template", value: template),
        ]
        _ = try await context.client.patch(Rollout.self, name: name, namespace: context.namespace, patch: .json(operations), fieldManager: CLIContext.fieldManager)
        let withinWindow = rollout.status.map { rollout.spec.rollbackWindow?.covers(revision, after: $0) == true } ?? false
        context.console.print("rollout.cutover.dev/\(name) rolled back to \(revision)")
        if withinWindow {
            context.console.print("Next: a fast rollback (spec.rollbackWindow): \(revision) scales up and takes the traffic as soon as it is ready")
        } else if rollout.status?.greenRevision != nil, revision == rollout.status?.activeRevision {
            context.console.print("Next: the release in flight reverts to \(revision) at once")
        } else {
            context.console.print("Next: \(revision) is released like any template (no spec.rollbackWindow covers it): steps, analysis and gates")
        }
        context.warnIfStale(rollout)
        return Outcome(revision: revision, withinWindow: withinWindow)
    }

    /// The revision asked for, or the default one.
    static func target(_ asked: String?, rollout: Rollout, kept: [String]) throws -> String {
        let status = rollout.status ?? RolloutStatus()
        if let asked {
            let matches = kept.filter { $0.hasPrefix(asked) }
            guard matches.count == 1, let match = matches.first else {
                let known = kept.isEmpty ? "none" : kept.joined(separator: ", ")
                if matches.isEmpty {
                    throw CLIError.notFound("no revision \(asked) among the Deployments kept (\(known)); see kubectl cutover history \(rollout.metadata.name ?? "")")
                }
                throw CLIError.usage("\(asked) names several revisions (\(matches.joined(separator: ", "))); give more of it")
            }
            return match
        }
        if status.greenRevision != nil, let blue = status.activeRevision { return blue }
        guard let previous = status.earlierReleases.first(where: kept.contains) else {
            throw CLIError.notFound("no earlier released revision with a Deployment to go back to; see kubectl cutover history \(rollout.metadata.name ?? "")")
        }
        return previous
    }
}
