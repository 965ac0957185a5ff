import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the simulated Deployment controller knows about one pod it owns: when it started, when
/// it becomes Ready (if ever), and which template it was made from.
struct SimulatedPod: Sendable, Hashable {
    var name: String
    var namespace: String
    var templateHash: String
    var createdAt: Date
    /// `nil` when the template says the pod never becomes Ready.
    var readyAt: Date?
    /// The uid in the pod's controller reference, `""` if none.
    var ownerUID: String
    /// The stored object (for a pod created in this pass, the object being created).
    var object: JSONValue

    init(object: JSONValue, now: Date) {
        self.object = object
        let metadata = object["metadata"] ?? [:]
        name = metadata["name"]?.stringValue ?? ""
        namespace = metadata["namespace"]?.stringValue ?? ""
        let annotations = metadata["annotations"]
        templateHash = metadata["labels"]?[SimAnnotations.podTemplateHashLabel]?.stringValue ?? ""
        ownerUID = metadata["ownerReferences"]?.arrayValue?.first { $0["controller"]?.boolValue == true }?["uid"]?
            .stringValue ?? ""
        if let text = annotations?[SimAnnotations.createdAt]?.stringValue, let stamp = Timestamp(rfc3339: text) {
            createdAt = stamp.date
        } else if let text = metadata["creationTimestamp"]?.stringValue, let stamp = Timestamp(rfc3339: text) {
            createdAt = stamp.date
        } else {
            createdAt = now
        }
        readyAt = SimulatedPod.readyDelay(annotations).map { createdAt.addingTimeInterval($0) }
    }

    /// How long after creation a pod with these annotations becomes Ready; `nil` for never.
    static func readyDelay(_ annotations: JSONValue?) -> TimeInterval? {
        if annotations?[SimAnnotations.neverReady]?.stringValue?.lowercased() == "true" { return nil }
        if let text = annotations?[SimAnnotations.readyAfter]?.stringValue, let delay = SimAnnotations.parseDuration(text) {
            return delay
        }
        return SimAnnotations.defaultReadyAfter
    }

    func isReady(at now: Date) -> Bool { readyAt.map { $0 <= now } ?? false }

    /// Ready for at least `minReadySeconds`, as `availableReplicas` counts pods.
    func isAvailable(at now: Date, minReadySeconds: TimeInterval) -> Bool {
        readyAt.map { $0.addingTimeInterval(minReadySeconds) <= now } ?? false
    }

    /// The status the pod has at `now`. It depends only on the pod and on whether `now` is past
    /// its ready time, so asking twice between transitions gives the same document.
    func desiredStatus(at now: Date) -> JSONValue {
        let ready = isReady(at: now)
        let readyText: JSONValue = ready ? "True" : "False"
        let readyTransition = JSONValue.simTime(ready ? readyAt ?? createdAt : createdAt)
        let created = JSONValue.simTime(createdAt)
        func condition(_ type: String, _ status: JSONValue, _ time: JSONValue) -> JSONValue {
            ["type": .string(type), "status": status, "lastProbeTime": nil, "lastTransitionTime": time]
        }
        let containers = object[path: ["spec", "containers"]]?.arrayValue ?? []
        let containerStatuses: [JSONValue] = containers.map { container in
            let containerName = container["name"]?.stringValue ?? "app"
            return [
                "name": .string(containerName),
                "image": container["image"] ?? "",
                "imageID": "",
                "containerID": .string("sim://\(name)/\(containerName)"),
                "ready": .bool(ready),
                "started": true,
                "restartCount": 0,
                "state": ["running": ["startedAt": created]],
            ]
        }
        return [
            "phase": "Running",
            "hostIP": "10.0.0.1",
            "podIP": .string(podIP),
            "podIPs": [["ip": .string(podIP)]],
            "startTime": created,
            "qosClass": "BestEffort",
            "conditions": [
                condition("PodScheduled", "True", created),
                condition("Initialized", "True", created),
                condition("ContainersReady", readyText, readyTransition),
                condition("Ready", readyText, readyTransition),
            ],
            "containerStatuses": .array(containerStatuses),
        ]
    }

    /// Whether the stored status already says what ``desiredStatus(at:)`` says. Only the parts
    /// the simulator decides are compared, so fields the server adds never cause a rewrite.
    func statusIsCurrent(at now: Date) -> Bool {
        let status = object["status"]
        guard status?["phase"]?.stringValue == "Running" else { return false }
        let ready = isReady(at: now)
        let readyText = ready ? "True" : "False"
        let expected = ["PodScheduled": "True", "Initialized": "True", "ContainersReady": readyText, "Ready": readyText]
        let conditions = status?["conditions"]?.arrayValue ?? []
        let present = conditions.filter { expected[$0["type"]?.stringValue ?? ""] == $0["status"]?.stringValue }
        guard present.count == expected.count else { return false }
        let containerCount = object[path: ["spec", "containers"]]?.arrayValue?.count ?? 0
        let containers = status?["containerStatuses"]?.arrayValue ?? []
        return containers.count == containerCount && containers.allSatisfy { $0["ready"]?.boolValue == ready }
    }

    /// A stable address in 10.244.0.0/16 derived from the name, for `kubectl get pods -o wide`.
    var podIP: String {
        let hash = TemplateHash.fnv1a32(Array(name.utf8))
        return "10.244.\((hash >> 8) & 0xFF).\(1 + hash % 254)"
    }
}
