import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The simulated Deployment controller: a pure function from the stored Deployments and Pods and
/// `now` to the writes that bring the pods and the Deployment status up to date.
///
/// Level-triggered like the real controller: everything it needs (which pods exist, when each
/// started, the previous status and its condition times) is read from the objects, so calling it
/// again after a restart, or twice with the same input, decides the same thing. The only state is
/// the seeded random generator for pod name suffixes. It emits a write only when the stored object
/// would change, so calling it on a timer causes no resourceVersion churn.
///
/// Behaviour, per Deployment:
/// - pods are named `<deployment>-<pod-template-hash>-<5 random chars>` (as the real ReplicaSet
///   controller names them), carry the template's labels plus `pod-template-hash`, its
///   annotations plus ``SimAnnotations/createdAt``, its spec verbatim, and a controller
///   ownerReference to the Deployment (there are no ReplicaSets in the simulator);
/// - a pod is Running at once and Ready after ``SimAnnotations/readyAfter`` (default
///   ``SimAnnotations/defaultReadyAfter``), or never with ``SimAnnotations/neverReady``;
/// - scaling creates pods, or deletes the newest first;
/// - a template change creates the new pods at once and deletes old pods as new ones become
///   available (`Recreate` deletes old pods at once);
/// - the status follows `kubectl rollout status` semantics (see ``DeploymentStatusCalculator``).
///
/// Not simulated: `spec.paused`, maxSurge pacing, ReplicaSets, terminating-pod counts.
public struct DeploymentSimulator: Sendable {
    private var random: SeededGenerator
    /// Template hash by Deployment uid, valid for one generation: the template is part of the
    /// spec, so it cannot change without a new generation. Only a cache; rebuilt each pass.
    private var templateHashes: [String: (generation: Int64, hash: String)] = [:]

    /// A simulator whose generated pod names are fixed by `seed`.
    public init(seed: UInt64 = 1) {
        random = SeededGenerator(seed: seed)
    }

    /// The writes that bring `pods` and each Deployment's status up to date at `now`.
    ///
    /// `deployments` and `pods` are full stored objects from every namespace. Writes come grouped
    /// per Deployment (in namespace/name order): pod deletions, creations, pod status updates,
    /// then the Deployment status. Deployments being deleted are left alone.
    public mutating func reconcile(deployments: [JSONValue], pods: [JSONValue], now: Date) -> [SimulatedWrite] {
        var index = PodIndex(pods: pods, now: now)
        var writes: [SimulatedWrite] = []
        let ordered = deployments.map { ($0.simNamespace, $0.simName, $0) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        var hashes: [String: (generation: Int64, hash: String)] = [:]
        for (_, _, deployment) in ordered where !deployment.simIsTerminating {
            let uid = deployment.simUID ?? ""
            let generation = deployment[path: ["metadata", "generation"]]?.intValue
            var known: String?
            if let generation, !uid.isEmpty, let cached = templateHashes[uid], cached.generation == generation {
                known = cached.hash
            }
            let spec = DeploymentSpecView(deployment, knownTemplateHash: known)
            if let generation, !uid.isEmpty { hashes[uid] = (generation, spec.templateHash) }
            writes += reconcile(deployment, spec: spec, index: &index, now: now)
        }
        templateHashes = hashes
        return writes
    }

    /// The earliest instant after `now` at which ``reconcile(deployments:pods:now:)`` would decide
    /// something new without any object changing (a pod turning Ready or available, a progress
    /// deadline passing); `nil` if nothing is pending. The server can sleep until then.
    public func nextChange(deployments: [JSONValue], pods: [JSONValue], after now: Date) -> Date? {
        let index = PodIndex(pods: pods, now: now)
        var earliest: Date?
        func consider(_ candidate: Date?) {
            guard let candidate, candidate > now else { return }
            earliest = min(earliest ?? candidate, candidate)
        }
        for deployment in deployments where !deployment.simIsTerminating {
            let spec = DeploymentSpecView(deployment)
            for pod in index.pods(ownedBy: deployment) {
                consider(pod.readyAt)
                consider(pod.readyAt?.addingTimeInterval(spec.minReadySeconds))
            }
            // The deadline counts as passed only strictly after it, as in the real controller.
            consider(DeploymentStatusCalculator.deadline(of: deployment, spec: spec)?.addingTimeInterval(0.001))
        }
        return earliest
    }

    private mutating func reconcile(
        _ deployment: JSONValue, spec: DeploymentSpecView, index: inout PodIndex, now: Date
    ) -> [SimulatedWrite] {
        let namespace = deployment.simNamespace
        let owned = index.pods(ownedBy: deployment)
        var current = owned.filter { $0.templateHash == spec.templateHash }.sorted(by: DeploymentSimulator.oldestFirst)
        var old = owned.filter { $0.templateHash != spec.templateHash }.sorted(by: DeploymentSimulator.oldestFirst)

        var deletions: [SimulatedPod] = []
        if current.count > spec.replicas {
            deletions += current.suffix(current.count - spec.replicas).reversed()
            current.removeLast(current.count - spec.replicas)
        }
        var creations: [SimulatedPod] = []
        let createsNewRevision = current.isEmpty && spec.replicas > 0
        while current.count + creations.count < spec.replicas {
            let pod = makePod(for: deployment, spec: spec, index: &index, now: now)
            creations.append(pod)
        }
        // Old pods go once enough new ones serve; unready old pods first, then the newest.
        let availableNew = current.filter { $0.isAvailable(at: now, minReadySeconds: spec.minReadySeconds) }.count
        let keepOld = spec.recreate ? 0 : max(0, spec.replicas - availableNew)
        if old.count > keepOld {
            let ranked = old.sorted { lhs, rhs in
                let (lhsReady, rhsReady) = (lhs.isReady(at: now), rhs.isReady(at: now))
                if lhsReady != rhsReady { return !lhsReady }
                return DeploymentSimulator.oldestFirst(rhs, lhs)
            }
            let doomed = ranked.prefix(old.count - keepOld)
            deletions += doomed
            let doomedNames = Set(doomed.map(\.name))
            old.removeAll { doomedNames.contains($0.name) }
        }

        var writes = deletions.map { SimulatedWrite.deletePod(namespace: namespace, name: $0.name) }
        writes += creations.map { SimulatedWrite.createPod(namespace: namespace, object: $0.object) }
        for pod in current + old where !pod.statusIsCurrent(at: now) {
            writes.append(.updatePodStatus(namespace: namespace, name: pod.name, status: pod.desiredStatus(at: now)))
        }
        let calculator = DeploymentStatusCalculator(
            deployment: deployment, spec: spec, current: current + creations, old: old,
            createdNewRevision: createsNewRevision, now: now)
        if let status = calculator.changedStatus() {
            writes.append(.updateDeploymentStatus(namespace: namespace, name: deployment.simName, status: status))
        }
        return writes
    }

    private mutating func makePod(
        for deployment: JSONValue, spec: DeploymentSpecView, index: inout PodIndex, now: Date
    ) -> SimulatedPod {
        let namespace = deployment.simNamespace
        let prefix = "\(deployment.simName)-\(spec.templateHash)-"
        var name = prefix + TemplateHash.randomSuffix(using: &random)
        while index.namesInUse.contains("\(namespace)/\(name)") {
            name = prefix + TemplateHash.randomSuffix(using: &random)
        }
        index.namesInUse.insert("\(namespace)/\(name)")
        let template = spec.template
        var labels = template[path: ["metadata", "labels"]]?.simStringMap ?? [:]
        labels[SimAnnotations.podTemplateHashLabel] = spec.templateHash
        var annotations = template[path: ["metadata", "annotations"]]?.simStringMap ?? [:]
        annotations[SimAnnotations.createdAt] = Timestamp.micro(now).description
        let owner: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment", "name": .string(deployment.simName),
            "uid": .string(deployment.simUID ?? ""), "controller": true, "blockOwnerDeletion": true,
        ]
        var object: JSONValue = [
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": [
                "name": .string(name),
                "generateName": .string(prefix),
                "namespace": .string(namespace),
                "labels": JSONValue(simStringMap: labels),
                "annotations": JSONValue(simStringMap: annotations),
                "ownerReferences": [owner],
            ],
            "spec": template["spec"] ?? [:],
        ]
        var pod = SimulatedPod(object: object, now: now)
        object["status"] = pod.desiredStatus(at: now)
        pod.object = object
        return pod
    }

    static func oldestFirst(_ lhs: SimulatedPod, _ rhs: SimulatedPod) -> Bool {
        if lhs.createdAt != rhs.createdAt { return lhs.createdAt < rhs.createdAt }
        return lhs.name < rhs.name
    }
}

/// The live pods of every namespace, grouped by the Deployment that controls them.
struct PodIndex {
    private var byOwner: [String: [SimulatedPod]] = [:]
    /// `namespace/name` of every pod, terminating ones included, so new names never collide.
    var namesInUse: Set<String> = []

    init(pods: [JSONValue], now: Date) {
        for object in pods {
            let namespace = object.simNamespace
            namesInUse.insert("\(namespace)/\(object.simName)")
            guard !object.simIsTerminating,
                let owner = object[path: ["metadata", "ownerReferences"]]?.arrayValue?.first(where: {
                    $0["controller"]?.boolValue == true && $0["kind"]?.stringValue == "Deployment"
                }),
                let ownerName = owner["name"]?.stringValue
            else { continue }
            byOwner["\(namespace)/\(ownerName)", default: []].append(SimulatedPod(object: object, now: now))
        }
    }

    /// Pods whose controller reference names `deployment` (and its uid, when both have one).
    func pods(ownedBy deployment: JSONValue) -> [SimulatedPod] {
        let key = "\(deployment.simNamespace)/\(deployment.simName)"
        let uid = deployment.simUID ?? ""
        return (byOwner[key] ?? []).filter { uid.isEmpty || $0.ownerUID.isEmpty || $0.ownerUID == uid }
    }
}
