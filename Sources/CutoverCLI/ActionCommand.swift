import Cutover
import KubeAPI
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `promote [--full]`, `abort`, `retry`, `pause`, `resume`: set the annotation the controller
/// acts on (as `kubectl annotate --overwrite` would) and say what happens next.
public enum ActionCommand {
    /// Reads the Rollout, refuses when the action makes no sense in its phase, and writes the
    /// annotation with a merge patch that carries the read resourceVersion, so the decision is never
    /// made on a stale phase (on a conflict it reads and decides again). Returns the plan written.
    @discardableResult
    public static func run(_ action: RolloutAction, name: String, context: CLIContext) async throws -> RolloutAction.Plan {
        var attempt = 0
        while true {
            attempt += 1
            let rollout = try await context.rollout(name)
            let plan = try action.plan(for: rollout, token: freshToken(for: rollout, now: context.now()))
            let patch: JSONValue = [
                "metadata": [
                    "resourceVersion": .string(rollout.metadata.resourceVersion ?? ""),
                    "annotations": [plan.annotation: plan.value.map { .string($0) } ?? .null],
                ]
            ]
            do {
                _ = try await context.client.patch(Rollout.self, name: name, namespace: context.namespace, patch: .merge(patch))
            } catch let error as KubeError where error.isConflict && attempt < 5 {
                continue
            }
            let shown = plan.value.map { "\(plan.annotation)=\($0)" } ?? "\(plan.annotation) removed"
            context.console.print("rollout.cutover.dev/\(name) annotated (\(shown))")
            context.console.print("Next: \(plan.next)")
            context.warnIfStale(rollout)
            return plan
        }
    }

    /// A value never used before for this Rollout's action annotations: the time with microseconds
    /// (the controller acts once per new value).
    static func freshToken(for rollout: Rollout, now: Date) -> String {
        let used = Set((rollout.metadata.annotations ?? [:]).values)
        var time = now
        var token = Timestamp.micro(time).description
        while used.contains(token) {
            time = time.addingTimeInterval(0.000_001)
            token = Timestamp.micro(time).description
        }
        return token
    }
}
