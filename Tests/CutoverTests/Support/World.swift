import Foundation
import KubeModels
import Testing

@testable import Cutover

/// A tiny model of the cluster: executes plan actions the way the API server and the Deployment
/// controller would, so tests can drive whole releases through the real planner.
struct World {
    var rollout: Rollout
    var deployments: [String: Deployment] = [:]
    var services: [String: Service] = [:]
    var now: Date = Fixture.epoch
    var measurements: [Measurement] = []
    /// Hook outcomes and notification deliveries for the next plan.
    var hookResults: [HookResult] = []
    var deliveries: [NotificationDelivery] = []
    /// Every hook call plans asked for, in order.
    var hookCalls: [HookCall] = []
    /// The promotion sources as read, for the next plan; every check plans asked for, in order.
    var promotion: PromotionEvidence?
    var promotionChecks: [PromotionCheck] = []
    /// Services another Rollout claims and still names, by Service (see ``ReleaseSnapshot/claimedBy``).
    var claimedBy: [String: String] = [:]
    /// Revisions whose pods never become ready.
    var neverReady: Set<String> = []
    var creations = 0

    init(_ spec: RolloutSpec) {
        rollout = Fixture.rollout(spec)
        services["payment"] = Fixture.service("payment")
        if spec.services.preview != nil { services["payment-preview"] = Fixture.service("payment-preview") }
    }

    var snapshot: ReleaseSnapshot {
        ReleaseSnapshot(
            rollout: rollout, deployments: deployments.values.sorted { $0.metadata.name! < $1.metadata.name! },
            services: services, measurements: measurements, hookResults: hookResults, deliveries: deliveries,
            promotion: promotion, claimedBy: claimedBy)
    }

    var status: RolloutStatus { rollout.status ?? RolloutStatus() }
    var activeKey: String?? { services["payment"].map { $0.spec?.selector?[CutoverLabels.revision] } }

    func deployment(_ revision: String) -> Deployment? { deployments["payment-\(revision)"] }

    /// Plans at `now` and executes the plan. Every plan is made twice, computing the spec's
    /// facts itself and given them as a controller keeps them (``SpecFacts``): the two must agree.
    @discardableResult
    mutating func step() -> ReleasePlan {
        let plan = planNextStep(for: snapshot, now: now)
        var given = snapshot
        given.specFacts = SpecFacts(rollout)
        #expect(given.specFacts != nil && planNextStep(for: given, now: now) == plan, "the plan differs when given the spec's facts")
        apply(plan)
        return plan
    }

    mutating func apply(_ plan: ReleasePlan) {
        for action in plan.actions + plan.afterStatus {
            switch action {
            case .createDeployment(var deployment):
                guard deployments[deployment.metadata.name!] == nil else { continue }
                creations += 1
                deployment.metadata.generation = 1
                deployment.metadata.creationTimestamp = Timestamp(now.addingTimeInterval(Double(creations) / 1000))
                deployment.status = DeploymentStatus(observedGeneration: 0)
                deployments[deployment.metadata.name!] = deployment
            case .scaleDeployment(let name, let replicas):
                guard var deployment = deployments[name], deployment.spec?.replicas != replicas else { continue }
                deployment.spec?.replicas = replicas
                deployment.metadata.generation = (deployment.metadata.generation ?? 1) + 1
                deployments[name] = deployment
            case .deleteDeployment(let name):
                deployments[name] = nil
            case .patchServiceSelector(let patch):
                services[patch.service]?.spec?.selector?[CutoverLabels.revision] = patch.revision
            case .claimService(let claim):
                guard services[claim.service]?.metadata.resourceVersion ?? "" == claim.resourceVersion else { continue }  // 409
                var annotations = services[claim.service]?.metadata.annotations ?? [:]
                annotations[CutoverLabels.managedBy] = claim.owner
                services[claim.service]?.metadata.annotations = annotations
            case .callHook(let call):
                hookCalls.append(call)
            case .checkPromotion(let check):
                promotionChecks.append(check)
            case .recordEvent, .measure:
                continue
            }
        }
        rollout.status = plan.status
        measurements = []
        hookResults = []
        deliveries = []
        promotion = nil
    }

    /// The Deployment controller catches up: every Deployment runs exactly its wanted pods, ready
    /// unless its revision never becomes ready.
    mutating func settle() {
        for (name, var deployment) in deployments {
            let wanted = deployment.spec?.replicas ?? 1
            let revision = deployment.metadata.labels?[CutoverLabels.revision] ?? ""
            let ready = neverReady.contains(revision) ? 0 : wanted
            deployment.status = DeploymentStatus(
                observedGeneration: deployment.metadata.generation, replicas: wanted, updatedReplicas: wanted,
                readyReplicas: ready, availableReplicas: ready)
            deployments[name] = deployment
        }
    }

    /// Plans, executes and settles until nothing changes (at most `limit` rounds).
    mutating func converge(limit: Int = 12) {
        for _ in 0..<limit {
            let before = (rollout.status, deployments, services)
            step()
            settle()
            if before == (rollout.status, deployments, services) { return }
        }
    }

    mutating func advance(_ seconds: Double) { now = now.addingTimeInterval(seconds) }

    mutating func setTemplate(image: String) {
        rollout.spec.template = Fixture.template(image: image)
        rollout.metadata.generation = (rollout.metadata.generation ?? 1) + 1
    }

    mutating func annotate(_ key: String, _ value: String?) {
        var annotations = rollout.metadata.annotations ?? [:]
        annotations[key] = value
        rollout.metadata.annotations = annotations
    }

    /// A measurement of every metric for the current green.
    mutating func measure(_ value: Measurement.Sample, baseline: Measurement.Sample? = nil) {
        guard let green = status.greenRevision else { return }
        for metric in rollout.spec.analysis?.metrics ?? [] {
            measurements.append(Measurement(metric: metric.name, revision: green, at: now, value: value, baseline: baseline))
        }
    }
}
