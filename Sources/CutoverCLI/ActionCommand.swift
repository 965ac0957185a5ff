import Cutover
import KubeAPI
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `promote [--full]`, `abort`, `retry`, `pause`, `resume` on a Rollout, `promote`, `abort`,
/// `retry` on a ReleaseGroup: set the annotation the controller acts on (as
/// `kubectl annotate --overwrite` would) and say what happens next.
public enum ActionCommand {
    /// Reads the Rollout, refuses when the action makes no sense in its phase, and writes the
    /// annotation (see ``annotate(_:name:context:plan:)``). Returns the plan written.
    @discardableResult
    public static func run(_ action: RolloutAction, name: String, context: CLIContext) async throws -> ActionPlan {
        try await annotate(Rollout.self, name: name, context: context) { rollout, token in try action.plan(for: rollout, token: token) }
    }

    /// Reads the ReleaseGroup, refuses when it has nothing to act on, and writes the annotation
    /// (see ``annotate(_:name:context:plan:)``). Returns the plan written.
    @discardableResult
    public static func run(_ action: GroupAction, group name: String, context: CLIContext) async throws -> ActionPlan {
        try await annotate(ReleaseGroup.self, name: name, context: context) { group, token in try action.plan(for: group, token: token) }
    }

    /// Reads the object, lets `plan` decide on it (or refuse), and writes the annotation with a
    /// merge patch that carries the read resourceVersion, so the decision is never made on a stale
    /// phase (on a conflict it reads and decides again). `plan` gets a fresh token for the
    /// edge-triggered annotations.
    static func annotate<Object: ControllerObserved>(
        _ type: Object.Type, name: String, context: CLIContext, plan: (Object, String) throws -> ActionPlan
    ) async throws -> ActionPlan {
        var attempt = 0
        while true {
            attempt += 1
            let object = try await context.client.get(Object.self, name: name, namespace: context.namespace)
            let decided = try plan(object, freshToken(for: object.metadata, now: context.now()))
            let patch: JSONValue = [
                "metadata": [
                    "resourceVersion": .string(object.metadata.resourceVersion ?? ""),
                    "annotations": [decided.annotation: decided.value.map { .string($0) } ?? .null],
                ]
            ]
            do {
                _ = try await context.client.patch(
                    Object.self, name: name, namespace: context.namespace, patch: .merge(patch), fieldManager: CLIContext.fieldManager)
            } catch let error as KubeError where error.isConflict && attempt < 5 {
                continue
            }
            let shown = decided.value.map { "\(decided.annotation)=\($0)" } ?? "\(decided.annotation) removed"
            context.console.print("\(Object.resource.kind.lowercased()).\(Object.resource.group)/\(name) annotated (\(shown))")
            context.console.print("Next: \(decided.next)")
            context.warnIfStale(object)
            return decided
        }
    }

    /// A value never used before for this object's action annotations: the time with microseconds
    /// (the controller acts once per new value).
    static func freshToken(for metadata: ObjectMeta, now: Date) -> String {
        let used = Set((metadata.annotations ?? [:]).values)
        var time = now
        var token = Timestamp.micro(time).description
        while used.contains(token) {
            time = time.addingTimeInterval(0.000_001)
            token = Timestamp.micro(time).description
        }
        return token
    }
}
