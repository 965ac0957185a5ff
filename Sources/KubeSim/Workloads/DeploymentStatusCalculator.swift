import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Computes a Deployment's `status` the way the real Deployment controller does (KUBE-API.md §12).
///
/// - counts: `replicas` (all live pods), `updatedReplicas` (pods of the current template),
///   `readyReplicas`, `availableReplicas` (Ready for `minReadySeconds`), `unavailableReplicas`
///   (`spec.replicas - available`, at least 0); zero counts are omitted, as the real server does;
/// - `Available`: True `MinimumReplicasAvailable` once `available >= replicas - maxUnavailable`;
/// - `Progressing`: True `NewReplicaSetAvailable` when complete; True `ReplicaSetUpdated` (or
///   `NewReplicaSetCreated`) with `lastUpdateTime = now` whenever the counts progress; False
///   `ProgressDeadlineExceeded` once `lastUpdateTime + progressDeadlineSeconds` has passed.
///
/// Conditions keep their times while their status and reason stay the same, so an unchanged
/// world gives an identical status (and no write).
struct DeploymentStatusCalculator {
    var deployment: JSONValue
    var spec: DeploymentSpecView
    /// Pods of the current template, after this pass's creations and deletions.
    var current: [SimulatedPod]
    /// Pods of older templates that remain after this pass.
    var old: [SimulatedPod]
    var createdNewRevision: Bool
    var now: Date

    /// The fields of `status` the controller owns.
    static let countKeys = ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"]
    static let conditionKeys = ["type", "status", "reason", "message", "lastUpdateTime", "lastTransitionTime"]

    /// The new status, or `nil` when the stored one already says the same.
    func changedStatus() -> JSONValue? {
        let desired = status()
        // Spelled out: with a ternary, `nil` would become JSONValue.null (it is nil-literal expressible).
        if desired == DeploymentStatusCalculator.projection(of: deployment["status"]) { return nil }
        return desired
    }

    func status() -> JSONValue {
        let all = current + old
        let ready = all.filter { $0.isReady(at: now) }.count
        let available = all.filter { $0.isAvailable(at: now, minReadySeconds: spec.minReadySeconds) }.count
        let counts: [String: Int] = [
            "replicas": all.count,
            "updatedReplicas": current.count,
            "readyReplicas": ready,
            "availableReplicas": available,
            "unavailableReplicas": max(0, spec.replicas - available),
        ]
        let previous = deployment["status"]
        func previousCount(_ key: String) -> Int { Int(previous?[key]?.intValue ?? 0) }

        var conditions = DeploymentStatusCalculator.projection(of: previous)["conditions"]?.arrayValue ?? []
        let rsName = "\(deployment.simName)-\(spec.templateHash)"
        if available >= spec.replicas - spec.maxUnavailable {
            set(&conditions, type: "Available", status: "True", reason: "MinimumReplicasAvailable",
                message: "Deployment has minimum availability.")
        } else {
            set(&conditions, type: "Available", status: "False", reason: "MinimumReplicasUnavailable",
                message: "Deployment does not have minimum availability.")
        }

        let complete = current.count == spec.replicas && all.count == spec.replicas && available == spec.replicas
        let progressed = current.count > previousCount("updatedReplicas")
            || all.count - current.count < previousCount("replicas") - previousCount("updatedReplicas")
            || ready > previousCount("readyReplicas") || available > previousCount("availableReplicas")
        if spec.progressDeadline == nil {
            conditions.removeAll { $0["type"]?.stringValue == "Progressing" }
        } else if complete {
            set(&conditions, type: "Progressing", status: "True", reason: "NewReplicaSetAvailable",
                message: "ReplicaSet \"\(rsName)\" has successfully progressed.")
        } else if createdNewRevision || progressed {
            // Progress refreshes lastUpdateTime even with an unchanged reason: the deadline restarts.
            let existing = conditions.first { $0["type"]?.stringValue == "Progressing" }
            let wasTrue = existing?["status"]?.stringValue == "True"
            conditions.removeAll { $0["type"]?.stringValue == "Progressing" }
            var condition = DeploymentStatusCalculator.condition(
                type: "Progressing", status: "True",
                reason: createdNewRevision ? "NewReplicaSetCreated" : "ReplicaSetUpdated",
                message: createdNewRevision ? "Created new replica set \"\(rsName)\"" : "ReplicaSet \"\(rsName)\" is progressing.",
                now: now)
            if wasTrue, let since = existing?["lastTransitionTime"] { condition["lastTransitionTime"] = since }
            conditions.append(condition)
        } else if let deadline = DeploymentStatusCalculator.deadline(of: deployment, spec: spec), deadline < now {
            set(&conditions, type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded",
                message: "ReplicaSet \"\(rsName)\" has timed out progressing.")
        }

        var members: [String: JSONValue] = ["observedGeneration": .int(spec.generation)]
        for (key, value) in counts where value > 0 { members[key] = .int(Int64(value)) }
        if !conditions.isEmpty { members["conditions"] = .array(conditions) }
        return .object(members)
    }

    /// When the Deployment's progress deadline passes, if it is still running against one.
    static func deadline(of deployment: JSONValue, spec: DeploymentSpecView) -> Date? {
        guard let limit = spec.progressDeadline,
            let progressing = deployment[path: ["status", "conditions"]]?.arrayValue?.first(where: {
                $0["type"]?.stringValue == "Progressing"
            }),
            progressing["status"]?.stringValue == "True",
            progressing["reason"]?.stringValue != "NewReplicaSetAvailable",
            let text = progressing["lastUpdateTime"]?.stringValue, let since = Timestamp(rfc3339: text)
        else { return nil }
        return since.date.addingTimeInterval(limit)
    }

    /// Replaces the condition of `type` unless it already has this status and reason; keeps
    /// `lastTransitionTime` when only the reason changes.
    private func set(_ conditions: inout [JSONValue], type: String, status: String, reason: String, message: String) {
        let index = conditions.firstIndex { $0["type"]?.stringValue == type }
        if let index, conditions[index]["status"]?.stringValue == status, conditions[index]["reason"]?.stringValue == reason {
            return
        }
        var condition = DeploymentStatusCalculator.condition(
            type: type, status: status, reason: reason, message: message, now: now)
        if let index {
            let existing = conditions[index]
            if existing["status"]?.stringValue == status, let since = existing["lastTransitionTime"] {
                condition["lastTransitionTime"] = since
            }
            conditions[index] = condition
        } else {
            conditions.append(condition)
        }
    }

    private static func condition(type: String, status: String, reason: String, message: String, now: Date) -> JSONValue {
        [
            "type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
            "lastUpdateTime": .simTime(now), "lastTransitionTime": .simTime(now),
        ]
    }

    /// The part of a stored status this calculator writes, for comparison with a new one.
    static func projection(of status: JSONValue?) -> JSONValue {
        var members: [String: JSONValue] = [:]
        if let generation = status?["observedGeneration"] { members["observedGeneration"] = generation }
        for key in countKeys {
            if let value = status?[key], value.intValue != 0 { members[key] = value }
        }
        if let conditions = status?["conditions"]?.arrayValue, !conditions.isEmpty {
            members["conditions"] = .array(conditions.map { condition in
                var kept: [String: JSONValue] = [:]
                for key in conditionKeys { kept[key] = condition[key] }
                return .object(kept)
            })
        }
        return .object(members)
    }
}
