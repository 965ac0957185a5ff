import Cutover
import Foundation
import KubeModels

/// The namespace as the watches showed it, rebuilt change by change in resourceVersion order, with
/// a timeline of what the release did and the invariant violations found after every change.
/// A pure value: ``ClusterMonitor`` replays its recorded changes into a fresh one.
package struct ClusterModel: Sendable {
    package var rollouts: [String: Rollout] = [:]
    package var deployments: [String: Deployment] = [:]
    package var services: [String: Service] = [:]
    var pods: [String: Pod] = [:]
    /// Pod names by `key=value` of each of their labels.
    private var podsByLabel: [String: Set<String>] = [:]
    package var groups: [String: ReleaseGroup] = [:]
    var timeline = Timeline()
    /// Every invariant violation, once per episode (a broken invariant is reported when it starts).
    package var violations: [Violation] = []
    /// How many changes were judged.
    package private(set) var judged = 0

    /// What happened, in order, with local arrival times.
    struct Timeline: Sendable {
        /// Distinct Rollout states, per Rollout.
        var rolloutStates: [String: [(state: RolloutState, at: Date)]] = [:]
        /// Every distinct status each Rollout had, in order, with the resourceVersion of the write.
        var statuses: [String: [(status: RolloutStatus, at: Date, resourceVersion: UInt64)]] = [:]
        /// Distinct selector states, per Service, with the resourceVersion of the change.
        var selectors: [String: [(state: SelectorState, at: Date, resourceVersion: UInt64)]] = [:]
        /// Every distinct status each ReleaseGroup had, in order, with the resourceVersion of the write.
        var groupStatuses: [String: [(status: ReleaseGroupStatus, at: Date, resourceVersion: UInt64)]] = [:]
        /// `spec.replicas` of each Deployment whenever it changed.
        var replicas: [String: [(replicas: Int32, at: Date)]] = [:]
        /// How many times each Deployment name was created (ADDED while absent) under its current owner.
        var creations: [String: Int] = [:]
        /// Revisions whose Deployment was fully ready (all wanted replicas) at least once.
        var everFullyReady: Set<String> = []
        /// Revisions whose pods were selected by a Service that served traffic, per Service.
        var servedRevisions: [String: Set<String>] = [:]
    }

    /// Invariant bookkeeping that is not part of the timeline.
    var servingServices: Set<String> = []
    /// Preview Services of deleted Rollouts, not judged until a Rollout naming them moves their
    /// selector again.
    var unclaimedPreviews: Set<String> = []
    /// The owner (Rollout uid) each Deployment name was last created under.
    var deploymentOwners: [String: String] = [:]
    var serviceBaselines: [String: ServiceUserFields] = [:]
    /// Per Rollout, the revision its last revert quarantined, that revert (revision and time), and
    /// the retry annotation's value then.
    var quarantined: [String: (revision: String, episode: String, retry: String?)] = [:]
    /// Reverts a retry released (`<rollout>/<episode>`): their status may linger a moment.
    var released: Set<String> = []
    /// Active Services of a reverted group's members that are back on blue, with the green they left.
    var backOnBlue: [String: String] = [:]
    var openViolations: Set<String> = []
    /// The broken invariants found when each Rollout (`rollout/<name>`) or Service
    /// (`service/<name>`) was last judged.
    var brokenBy: [String: [String: (invariant: String, detail: String)]] = [:]
    var now = Date()
    var resourceVersion: UInt64 = 0

    /// Replays `changes` (in any order) into a fresh model.
    static func replay(_ changes: [ObservedChange]) -> ClusterModel {
        var model = ClusterModel()
        for change in changes.sorted(by: { $0.resourceVersion < $1.resourceVersion }) { model.apply(change) }
        return model
    }

    mutating func apply(_ change: ObservedChange) {
        judged += 1
        now = change.arrivedAt
        resourceVersion = change.resourceVersion
        let name = change.object.metadata.name ?? ""
        switch change.object {
        case .rollout(let rollout):
            let previous = rollouts[name]
            rollouts[name] = change.deleted ? nil : rollout
            if change.deleted {
                // Its Deployments go with it; its Services serve again once a new one has released.
                servingServices.remove(rollout.spec.services.active)
                quarantined[name] = nil
                if let preview = rollout.spec.services.preview { unclaimedPreviews.insert(preview) }
            } else {
                record(rollout)
                checkPhaseGraph(previous: previous, current: rollout)
                checkPromotionGate(previous: previous, current: rollout)
                checkGroupCompletion(previous: previous, current: rollout)
            }
        case .deployment(let deployment):
            if change.deleted {
                deployments[name] = nil
            } else {
                let previous = deployments[name]
                // Counted per owner: a Rollout deleted and created again makes its Deployments anew.
                let owner = deployment.metadata.ownerReferences?.first?.uid ?? ""
                if deploymentOwners[name] != owner { timeline.creations[name] = 0 }
                deploymentOwners[name] = owner
                if previous == nil { timeline.creations[name, default: 0] += 1 }
                deployments[name] = deployment
                record(deployment)
                checkGroupBlueKept(previous: previous, current: deployment)
            }
        case .service(let service):
            let previous = services[name]
            services[name] = change.deleted ? nil : service
            if change.deleted {
                servingServices.remove(name)  // created again, it serves once Cutover claims it
                backOnBlue[name] = nil
            } else {
                record(service)
                checkGroupCutover(previous: previous, current: service)
            }
        case .pod(let pod):
            for (key, value) in pods[name]?.metadata.labels ?? [:] { podsByLabel["\(key)=\(value)"]?.remove(name) }
            pods[name] = change.deleted ? nil : pod
            if !change.deleted {
                for (key, value) in pod.metadata.labels ?? [:] { podsByLabel["\(key)=\(value)", default: []].insert(name) }
            }
        case .releaseGroup(let group):
            groups[name] = change.deleted ? nil : group
            if !change.deleted { record(group) }
        }
        checkInvariants(after: change.object)
    }

    private mutating func record(_ rollout: Rollout) {
        let name = rollout.metadata.name ?? ""
        let state = RolloutState(rollout.status)
        if timeline.rolloutStates[name]?.last?.state != state {
            timeline.rolloutStates[name, default: []].append((state, now))
        }
        if let status = rollout.status, timeline.statuses[name]?.last?.status != status {
            timeline.statuses[name, default: []].append((status, now, resourceVersion))
        }
    }

    private mutating func record(_ deployment: Deployment) {
        let name = deployment.metadata.name ?? ""
        let replicas = deployment.spec?.replicas ?? 1
        if timeline.replicas[name]?.last?.replicas != replicas {
            timeline.replicas[name, default: []].append((replicas, now))
        }
        let ready = deployment.status?.readyReplicas ?? 0
        if replicas > 0, ready >= replicas, let revision = deployment.metadata.labels?[CutoverLabels.revision] {
            timeline.everFullyReady.insert(revision)
        }
    }

    private mutating func record(_ service: Service) {
        let name = service.metadata.name ?? ""
        let state = Self.selectorState(of: service)
        // Only a Rollout that names the preview claims it by moving its selector: the patch of a
        // Rollout deleted a moment before (planned just before its deletion) lands after it.
        if let last = timeline.selectors[name]?.last?.state, last != state, rollouts.values.contains(where: { $0.spec.services.preview == name }) {
            unclaimedPreviews.remove(name)
        }
        if timeline.selectors[name]?.last?.state != state {
            timeline.selectors[name, default: []].append((state, now, resourceVersion))
        }
    }

    private mutating func record(_ group: ReleaseGroup) {
        let name = group.metadata.name ?? ""
        if let status = group.status, timeline.groupStatuses[name]?.last?.status != status {
            timeline.groupStatuses[name, default: []].append((status, now, resourceVersion))
        }
    }

    static func selectorState(of service: Service) -> SelectorState {
        service.spec?.selector?[CutoverLabels.revision].map { .revision($0) } ?? .wide
    }

    // MARK: - Queries used by the checks and the tests

    /// Pods whose labels match `selector` (an empty one matches none, as a Service's does), not
    /// being deleted unless `includingTerminating`; found through the label index.
    func pods(matching selector: [String: String], includingTerminating: Bool = false) -> [Pod] {
        let candidates = selector.map { podsByLabel["\($0.key)=\($0.value)"] ?? [] }.min { $0.count < $1.count } ?? []
        return candidates.compactMap { pods[$0] }.filter { pod in
            (includingTerminating || pod.metadata.deletionTimestamp == nil) && selector.allSatisfy { pod.metadata.labels?[$0.key] == $0.value }
        }
    }

    /// Deployments of `rollout` (by the `cutover.dev/rollout` label).
    package func deployments(of rollout: String) -> [Deployment] {
        deployments.values.filter { $0.metadata.labels?[CutoverLabels.rollout] == rollout }
    }

    /// The selector states the active Service went through, in order.
    package func selectorHistory(_ service: String) -> [SelectorState] { timeline.selectors[service]?.map(\.state) ?? [] }

    /// The Rollout states it went through, in order.
    package func states(_ rollout: String) -> [RolloutState] { timeline.rolloutStates[rollout]?.map(\.state) ?? [] }

    /// Every distinct status of the Rollout, in order, with the time it arrived and its resourceVersion.
    package func statuses(_ rollout: String) -> [(status: RolloutStatus, at: Date, resourceVersion: UInt64)] { timeline.statuses[rollout] ?? [] }

    /// When the Service's selector first became `state` after `after`, if it did.
    func firstTime(_ service: String, selects state: SelectorState, after: Date = .distantPast) -> Date? {
        timeline.selectors[service]?.first { $0.state == state && $0.at >= after }?.at
    }

    /// When the Rollout first reached `phase` after `after`, if it did.
    func firstTime(_ rollout: String, reached phase: RolloutPhase, after: Date = .distantPast) -> Date? {
        timeline.rolloutStates[rollout]?.first { $0.state.phase == phase && $0.at >= after }?.at
    }
}

/// The parts of a Service that belong to its user: everything Cutover must leave alone.
struct ServiceUserFields: Sendable, Hashable {
    var selector: [String: String]
    var ports: [ServicePort]
    var type: String?
    var labels: [String: String]
    var annotations: [String: String]

    init(_ service: Service) {
        var selector = service.spec?.selector ?? [:]
        selector[CutoverLabels.revision] = nil
        self.selector = selector
        ports = service.spec?.ports ?? []
        type = service.spec?.type
        var labels = service.metadata.labels ?? [:]
        labels[CutoverLabels.shard] = nil  // a sharded controller's, on the Services its Rollouts claim
        self.labels = labels
        var annotations = service.metadata.annotations ?? [:]
        annotations[CutoverLabels.managedBy] = nil  // Cutover's claim, like the selector key
        self.annotations = annotations
    }
}
