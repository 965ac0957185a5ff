import Cutover
import Foundation
import KubeModels

/// The invariants of DESIGN.md §2 that can be seen from outside the controller, checked after
/// every change the watches delivered (in resourceVersion order, so a Service and the pods it
/// selects are judged as they were at the same moment).
extension ClusterModel {
    /// Judges the state after `change`. Only what the change can have affected is judged again
    /// (the Rollouts it concerns, the Service it is); everything else keeps its verdict from the
    /// change that last concerned it. The group checks run every time.
    mutating func checkInvariants(after change: WatchedObject) {
        for name in rolloutsConcerned(by: change) {
            var found: [String: (invariant: String, detail: String)] = [:]
            if let rollout = rollouts[name] { check(rollout, into: &found) }
            brokenBy["rollout/\(name)"] = found
        }
        if case .service(let service) = change, let name = service.metadata.name {
            brokenBy["service/\(name)"] = checkUserFields(of: name)
        }
        var broken = brokenBy.values.reduce(into: [String: (invariant: String, detail: String)]()) { all, found in
            all.merge(found) { first, _ in first }
        }
        checkGroups(into: &broken)
        for key in broken.keys.sorted() where !openViolations.contains(key) {
            let (invariant, detail) = broken[key]!
            violations.append(Violation(invariant: invariant, detail: detail, resourceVersion: resourceVersion, at: now))
        }
        openViolations = Set(broken.keys)
    }

    /// The Rollouts whose invariants `object` takes part in: itself, the owner of a Deployment or
    /// pod, the Rollouts naming a Service, and those whose Services select a pod.
    private func rolloutsConcerned(by object: WatchedObject) -> [String] {
        let named = { (rollout: Rollout) in [rollout.spec.services.active, rollout.spec.services.preview].compactMap { $0 } }
        switch object {
        case .rollout(let rollout):
            return [rollout.metadata.name ?? ""]
        case .deployment(let deployment):
            return [deployment.metadata.labels?[CutoverLabels.rollout]].compactMap { $0 }
        case .service(let service):
            return rollouts.values.filter { named($0).contains(service.metadata.name ?? "") }.compactMap(\.metadata.name)
        case .pod(let pod):
            let labels = pod.metadata.labels ?? [:]
            return rollouts.values.filter { rollout in
                labels[CutoverLabels.rollout] == rollout.metadata.name
                    || named(rollout).contains { name in
                        services[name]?.spec?.selector.map { $0.allSatisfy { labels[$0.key] == $0.value } } ?? false
                    }
            }.compactMap(\.metadata.name)
        case .releaseGroup:
            return []
        }
    }

    /// A Service's user fields against the first version seen.
    private mutating func checkUserFields(of name: String) -> [String: (invariant: String, detail: String)] {
        guard let service = services[name] else { return [:] }
        let fields = ServiceUserFields(service)
        let baseline = serviceBaselines[name] ?? fields
        serviceBaselines[name] = baseline
        guard fields != baseline else { return [:] }
        return [
            "user-fields/\(name)": (
                "nothing the user wrote is changed",
                "Service \(name) changed outside the cutover.dev/revision selector key: \(baseline) → \(fields)"
            )
        ]
    }

    private mutating func check(_ rollout: Rollout, into broken: inout [String: (invariant: String, detail: String)]) {
        let name = rollout.metadata.name ?? ""
        let status = rollout.status
        // A revert quarantines its revision; the user's retry (a new value of the annotation, even
        // before the status shows it: traffic moves before the status write) releases it.
        let retry = rollout.metadata.annotations?[CutoverLabels.retry]
        if status?.phase == .rolledBack, let reverted = status?.rolledBackRevision {
            let episode = "\(reverted)@\(status?.abort?.at.map { "\($0)" } ?? "-")"
            if quarantined[name]?.episode != episode, !released.contains("\(name)/\(episode)") {
                quarantined[name] = (reverted, episode, retry)
            }
        }
        if let quarantine = quarantined[name],
            quarantine.retry != retry || (status?.greenRevision == quarantine.revision && status?.phase != .rolledBack)
        {
            released.insert("\(name)/\(quarantine.episode)")
            quarantined[name] = nil
        }
        checkActiveService(of: rollout, into: &broken)
        checkPreviewService(of: rollout, into: &broken)

        var byRevision: [String: [String]] = [:]
        for deployment in deployments(of: name) {
            byRevision[deployment.metadata.labels?[CutoverLabels.revision] ?? "", default: []].append(deployment.metadata.name ?? "")
        }
        for (revision, names) in byRevision where names.count > 1 {
            broken["duplicate/\(name)/\(revision)"] = ("one Deployment per revision", "revision \(revision) has Deployments \(names.sorted())")
        }
        for deployment in deployments(of: name).compactMap(\.metadata.name) {
            if let count = timeline.creations[deployment], count > 1 {
                broken["recreated/\(deployment)"] = ("no duplicate Deployments", "Deployment \(deployment) was created \(count) times")
            }
        }
        for entry in rollout.metadata.managedFields ?? [] where entry.subresource != "status" {
            let manager = entry.manager ?? ""
            if !manager.hasPrefix("kubectl"), !Self.ownsOnlyTheShardLabel(entry) {
                broken["rollout-written/\(name)/\(manager)"] = (
                    "nothing the user wrote is changed", "Rollout \(name) was written outside its status by \(manager)"
                )
            }
        }
    }

    /// A sharded controller labels a Rollout with its shard (`cutover.dev/shard`), and writes
    /// nothing else of it outside its status: `{"f:metadata":{"f:labels":{"f:cutover.dev/shard":{}}}}`
    /// (with `"."` when it created the labels map).
    static func ownsOnlyTheShardLabel(_ entry: ManagedFieldsEntry) -> Bool {
        guard let fields = entry.fieldsV1?.objectValue, fields.count == 1,
            let metadata = fields["f:metadata"]?.objectValue, metadata.count == 1,
            let labels = metadata["f:labels"]?.objectValue
        else { return false }
        return labels["f:\(CutoverLabels.shard)"] != nil && Set(labels.keys).isSubset(of: [".", "f:\(CutoverLabels.shard)"])
    }

    private mutating func checkActiveService(of rollout: Rollout, into broken: inout [String: (invariant: String, detail: String)]) {
        let name = rollout.metadata.name ?? ""
        let serviceName = rollout.spec.services.active
        guard let service = services[serviceName] else { return }
        let selector = service.spec?.selector ?? [:]
        if selector[CutoverLabels.revision] != nil, rollout.status?.activeRevision != nil { servingServices.insert(serviceName) }
        // Before the first revision is served (by this Rollout, in this Service) the user's
        // selector may match nothing yet: no invariant.
        guard servingServices.contains(serviceName) else { return }
        let ready = pods(matching: selector).filter(\.isReady)
        for pod in ready {
            timeline.servedRevisions[serviceName, default: []].insert(pod.metadata.labels?[CutoverLabels.revision] ?? "")
        }
        let replicas = Int(rollout.spec.replicas ?? 1)
        if ready.count < replicas {
            broken["downtime/\(serviceName)"] = (
                "the active Service always selects at least R ready pods",
                "Service \(serviceName) (selector \(selector)) selects \(ready.count) ready pods, replicas is \(replicas)"
            )
        }
        if selector[CutoverLabels.revision] == nil {
            // The template's revision too: new pods and traffic come before the status write that names them.
            let template = TemplateHash.of(rollout.spec.template, collisionCount: rollout.status?.collisionCount ?? 0)
            let allowed = Set([rollout.status?.activeRevision, rollout.status?.greenRevision, template].compactMap { $0 })
            let running = Set(
                pods(matching: [CutoverLabels.rollout: name], includingTerminating: true).compactMap { $0.metadata.labels?[CutoverLabels.revision] })
            if !running.isSubset(of: allowed) {
                broken["wide/\(name)"] = (
                    "while the selector is wide only blue and green have pods",
                    "Rollout \(name): revisions with pods \(running.sorted()), blue, green and the template's are \(allowed.sorted())"
                )
            }
            let neverReady = running.subtracting(timeline.everFullyReady)
            if !neverReady.isEmpty {
                broken["unready-served/\(name)"] = (
                    "a revision that never became ready never receives production traffic",
                    "Service \(serviceName) is wide while revision(s) \(neverReady.sorted()) never were fully ready"
                )
            }
        }
        if let reverted = quarantined[name]?.revision {
            let served = ready.filter { $0.metadata.labels?[CutoverLabels.revision] == reverted }
            if !served.isEmpty || selector[CutoverLabels.revision] == reverted {
                broken["reverted-served/\(name)"] = (
                    "a rolled-back revision is not selected again",
                    "Service \(serviceName) selects \(served.count) ready pod(s) of rolled-back revision \(reverted) (selector \(selector))"
                )
            }
        }
    }

    private func checkPreviewService(of rollout: Rollout, into broken: inout [String: (invariant: String, detail: String)]) {
        // A Rollout created again finds the preview as its predecessor left it, until it claims it.
        guard let name = rollout.spec.services.preview, !unclaimedPreviews.contains(name), let service = services[name],
            let revision = service.spec?.selector?[CutoverLabels.revision]
        else { return }
        if pods(matching: service.spec?.selector ?? [:]).filter(\.isReady).isEmpty {
            broken["preview/\(name)"] = (
                "the preview Service never points at a revision with no ready pods",
                "preview Service \(name) selects revision \(revision), which has no ready pod"
            )
        }
    }

    /// A step may advance, the last step lead to cutover, and a hold window end only with a
    /// passing measurement of every metric taken after the window began (DESIGN.md §3: never a
    /// promotion on missing data). Only a human promote skips this, and a rollback within
    /// `spec.rollbackWindow` unless the window says `analysis: Run`.
    mutating func checkPromotionGate(previous: Rollout?, current: Rollout) {
        guard let before = previous?.status, let after = current.status else { return }
        let metrics = current.spec.analysis?.metrics?.map(\.name) ?? []
        guard !metrics.isEmpty else { return }
        if let record = before.history?.last, record.revision == before.greenRevision, record.rollback == true,
            RollbackWindow.skips(current.spec.rollbackWindow?.analysis)
        {
            return
        }
        let windowStart: Timestamp?
        let what: String
        if before.phase == .canary, after.greenRevision == before.greenRevision, after.manualPromotion == nil {
            let nextStep = after.phase == .canary && (after.currentStepIndex ?? 0) > (before.currentStepIndex ?? 0)
            let approval = after.phase == .awaitingApproval && (after.approvalReason ?? "").hasPrefix("ManualApproval")
            guard nextStep || approval || after.phase == .promoting || after.phase == .holdWindow else { return }
            windowStart = before.stepStartedAt
            what = "canary step \(before.currentStepIndex.map(String.init) ?? "?") → \(after.phase?.rawValue ?? "-")"
                + " step \(after.currentStepIndex.map(String.init) ?? "-")"
        } else if before.phase == .holdWindow, after.phase == .healthy, before.manualPromotion != "promote-full",
            after.manualPromotion != "promote-full",
            after.activeRevision == before.greenRevision, !Self.isZero(current.spec.strategy?.holdWindow)
        {
            windowStart = before.cutoverAt
            what = "the end of the hold window"
        } else {
            return
        }
        guard let start = windowStart else {
            violations.append(
                Violation(invariant: "never a promotion on missing data", detail: "\(what) without an analysis window start",
                          resourceVersion: resourceVersion, at: now))
            return
        }
        for metric in metrics {
            let pass = after.analysis?.first { $0.name == metric }?.lastPassAt
            if pass.map({ $0 > start }) != true {
                violations.append(
                    Violation(
                        invariant: "never a promotion on missing data",
                        detail: "\(what) with metric \(metric) last passing at \(pass.map { "\($0)" } ?? "never"), window began \(start)",
                        resourceVersion: resourceVersion, at: now))
            }
        }
    }

    private static func isZero(_ duration: String?) -> Bool {
        guard let duration else { return true }
        return duration.allSatisfy { "0hms".contains($0) }
    }
}
