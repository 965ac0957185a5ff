import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turning the new status into actions: Deployment sizes, the Service selector key, history.
/// Everything here is level-triggered: an action is emitted only where the world differs from
/// what the status asks for, so executing a plan and planning again emits nothing twice.
extension PlanBuilder {
    /// Whether `revision`'s Deployment runs `wanted` pods, all updated, ready and available, and
    /// the Deployment controller has seen its latest generation.
    func isReady(_ revision: String, wanted: Int32) -> Bool {
        guard let deployment = deployments[revision], (deployment.spec?.replicas ?? 1) == wanted,
            let observed = deployment.status
        else { return false }
        guard (observed.observedGeneration ?? 0) >= (deployment.metadata.generation ?? 0) else { return false }
        return (observed.updatedReplicas ?? 0) >= wanted && (observed.readyReplicas ?? 0) >= wanted
            && (observed.availableReplicas ?? 0) >= wanted
    }

    /// Whether every revision other than blue and green is scaled to 0 and has no pods left.
    var othersHaveNoPods: Bool {
        deployments.allSatisfy { revision, deployment in
            revision == status.activeRevision || revision == status.greenRevision
                || ((deployment.spec?.replicas ?? 1) == 0 && (deployment.status?.replicas ?? 0) == 0)
        }
    }

    /// Green's size in its current phase.
    var greenWanted: Int32 {
        guard status.activeRevision != nil else { return spec.replicas }
        switch status.phase ?? .progressing {
        case .canary:
            let index = min(Int(status.currentStepIndex ?? 0), steps.count - 1)
            return index >= 0 ? spec.canaryReplicas(weight: steps[index].weight) : spec.replicas
        case .awaitingApproval where status.cutoverAt == nil:
            if let index = status.currentStepIndex, Int(index) < steps.count {
                return spec.canaryReplicas(weight: steps[Int(index)].weight)
            }
            return spec.replicas
        case .progressing:
            return steps.isEmpty ? spec.replicas : spec.canaryReplicas(weight: steps[0].weight)
        default:
            return spec.replicas
        }
    }

    mutating func housekeeping() {
        guard !frozen else { return }
        var wanted: [String: Int32] = [:]
        if let blue = status.activeRevision { wanted[blue] = spec.replicas }
        if let green = status.greenRevision, preReleasePassed(green) { wanted[green] = greenWanted }

        var setKeys: [ReleaseAction] = []
        var creates: [ReleaseAction] = []
        var scaleUps: [ReleaseAction] = []
        var widen: [ReleaseAction] = []
        var scaleDowns: [ReleaseAction] = []

        for (revision, replicas) in wanted.sorted(by: { $0.key < $1.key }) {
            if let deployment = deployments[revision] {
                let current = deployment.spec?.replicas ?? 1
                if current < replicas { scaleUps.append(.scaleDeployment(name: deploymentName(revision), replicas: replicas)) }
                if current > replicas { scaleDowns.append(.scaleDeployment(name: deploymentName(revision), replicas: replicas)) }
            } else if revision == hash {
                creates.append(.createDeployment(makeDeployment(revision: revision, replicas: replicas)))
            }
        }
        for revision in deployments.keys.sorted() where wanted[revision] == nil && (deployments[revision]?.spec?.replicas ?? 1) != 0 {
            scaleDowns.append(.scaleDeployment(name: deployments[revision]?.metadata.name ?? deploymentName(revision), replicas: 0))
        }

        let activeName = rollout.spec.services.active
        switch status.traffic ?? .blue {
        case .split where groupHoldsTraffic, .green where groupRevertsGreen:
            break
        case .split:
            if currentKey(of: activeName) != .some(nil) { widen.append(selectorPatch(activeName, nil)) }
        case .green:
            if let green = status.greenRevision, currentKey(of: activeName) != .some(green) { setKeys.append(selectorPatch(activeName, green)) }
        case .blue:
            if let blue = status.activeRevision, currentKey(of: activeName) != .some(blue) { setKeys.append(selectorPatch(activeName, blue)) }
        }
        var previewKey: [ReleaseAction] = []
        if let preview = rollout.spec.services.preview, snapshot.services[preview] != nil {
            let target = status.greenReadyAt != nil ? status.greenRevision : status.activeRevision
            if let target, currentKey(of: preview) != .some(target) { previewKey.append(selectorPatch(preview, target)) }
        }
        // Production traffic and new pods before the status write; the rest after (see ReleasePlan).
        actions = setKeys + creates + scaleUps + widen
        afterStatus = previewKey + scaleDowns + historyDeletions(keeping: Set(wanted.keys))
    }

    /// Whether the member's group has taken its active Service over: it decided this member's
    /// cutover (or reverted the release) and the member has not caught up yet. The member then
    /// leaves the Service to the group rather than put its canary split back over the group's
    /// switch (its caches may show the Service switched before they show the group's decision).
    var groupHoldsTraffic: Bool {
        guard let green = status.greenRevision else { return false }
        return groupCutover(of: green) != nil || groupRevertsGreen
    }

    /// Whether the member's group reverted the release of its green: the group switches the
    /// Service back to blue, and a member that has not caught up (its status still says green
    /// serves) must not put a Service created again onto the reverted green meanwhile.
    var groupRevertsGreen: Bool {
        guard let green = status.greenRevision else { return false }
        return groupRevert(of: green) != nil
    }

    /// The value of our selector key on a Service: `nil` if the Service is missing, `.some(nil)`
    /// if the key is absent.
    func currentKey(of service: String) -> String?? {
        guard let service = snapshot.services[service] else { return nil }
        return .some(service.spec?.selector?[CutoverLabels.revision])
    }

    func selectorPatch(_ service: String, _ revision: String?) -> ReleaseAction {
        .patchServiceSelector(ServiceSelectorPatch(service: service, revision: revision))
    }

    /// Old revisions, scaled to 0 with no pods, beyond `revisionHistoryLimit` (newest kept).
    func historyDeletions(keeping wanted: Set<String>) -> [ReleaseAction] {
        // Most plans: no more old revisions than are kept, nothing to sort.
        let kept = wanted.count { deployments.index(forKey: $0) != nil }
        guard deployments.count - kept > Int(max(0, spec.revisionHistoryLimit)) else { return [] }
        let old = deployments.filter { revision, deployment in
            !wanted.contains(revision) && (deployment.spec?.replicas ?? 1) == 0 && (deployment.status?.replicas ?? 0) == 0
        }
        let newestFirst = old.sorted { lhs, rhs in
            let left = lhs.value.metadata.creationTimestamp, right = rhs.value.metadata.creationTimestamp
            if left != right { return (left?.date.timeIntervalSince1970 ?? 0) > (right?.date.timeIntervalSince1970 ?? 0) }
            return lhs.key < rhs.key
        }
        return newestFirst.dropFirst(Int(max(0, spec.revisionHistoryLimit))).map {
            .deleteDeployment(name: $0.value.metadata.name ?? deploymentName($0.key))
        }
    }

    func deploymentName(_ revision: String) -> String { "\(name)-\(revision)" }

    /// The Deployment of `revision` (the current template): our labels on it, its selector and its
    /// pods; owned by the Rollout so it is garbage-collected with it.
    func makeDeployment(revision: String, replicas: Int32) -> Deployment {
        let ours = [CutoverLabels.rollout: name, CutoverLabels.revision: revision]
        let templateJSON = TemplateHash.canonicalJSON(of: rollout.spec.template)
        var template = rollout.spec.template
        var templateMeta = template.metadata ?? ObjectMeta()
        templateMeta.labels = (templateMeta.labels ?? [:]).merging(ours) { _, new in new }
        template.metadata = templateMeta
        // The shard label goes on the Deployment only (not its selector or pods): the controller
        // replica acting on the Rollout watches its shard's Deployments.
        let shard = rollout.metadata.labels?[CutoverLabels.shard].map { [CutoverLabels.shard: $0] } ?? [:]
        let metadata = ObjectMeta(
            name: deploymentName(revision), namespace: rollout.metadata.namespace,
            labels: (rollout.spec.template.metadata?.labels ?? [:]).merging(ours) { _, new in new }.merging(shard) { _, new in new },
            annotations: [CutoverLabels.templateFingerprint: templateFingerprint].merging(
                templateJSON.utf8.count <= CutoverLabels.templateAnnotationLimit ? [CutoverLabels.template: templateJSON] : [:]) { old, _ in old },
            ownerReferences: [ownerReference])
        let selector = LabelSelector(
            matchLabels: (rollout.spec.selector.matchLabels ?? [:]).merging(ours) { _, new in new },
            matchExpressions: rollout.spec.selector.matchExpressions)
        return Deployment(
            metadata: metadata,
            spec: DeploymentSpec(
                replicas: replicas, selector: selector, template: template, minReadySeconds: spec.minReadySeconds,
                revisionHistoryLimit: 1))
    }

    /// What the Rollout's Deployments and Jobs are owned by: the Rollout, as their controller.
    var ownerReference: OwnerReference {
        OwnerReference(
            apiVersion: Rollout.resource.apiVersion, kind: Rollout.resource.kind, name: name, uid: rollout.metadata.uid ?? "",
            controller: true, blockOwnerDeletion: true)
    }

    /// A Job of the Rollout (a gate's or a measurement's): labelled with the Rollout, green and
    /// `label`, owned like its Deployments, failing on its own past `deadlineSeconds`.
    func makeJob(
        _ jobName: String, green: String, label: (key: String, value: String), template: PodTemplateSpec, backoffLimit: Int32?,
        deadlineSeconds: Int64
    ) -> Job {
        let metadata = ObjectMeta(
            name: jobName, namespace: rollout.metadata.namespace,
            labels: [CutoverLabels.rollout: name, CutoverLabels.revision: green, label.key: label.value], ownerReferences: [ownerReference])
        return Job(metadata: metadata, spec: JobSpec(template: template, backoffLimit: backoffLimit ?? 0, activeDeadlineSeconds: deadlineSeconds))
    }
}
