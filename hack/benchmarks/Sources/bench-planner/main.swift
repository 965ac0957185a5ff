// Plans per second on one core for a Rollout in each phase of a release.
//   swift run -c release --package-path hack/benchmarks bench-planner
// Each phase's snapshot is reached by driving the real planner through a small model cluster,
// then `planNextStep` is timed on that fixed snapshot (the controller's hot path), given the
// spec's facts as the controller keeps them per generation (SpecFacts).
// `--plans N` plans each snapshot exactly N times instead of for one second: a fixed amount of
// work, for an instruction count that repeats (`valgrind --tool=callgrind ... bench-planner --plans 200`).
import Cutover
import Foundation
import KubeModels

struct Cluster {
    var rollout: Rollout
    var deployments: [String: Deployment] = [:]
    var services: [String: Service]
    var now = Date(timeIntervalSince1970: 1_800_000_000)
    var measurements: [Cutover.Measurement] = []

    init(replicas: Int32) {
        let template = PodTemplateSpec(
            metadata: ObjectMeta(labels: ["app": "payment"]),
            spec: ["containers": [["name": "app", "image": "registry.example.com/payment:1.4.2", "ports": [["containerPort": 8080]]]]])
        let metric = MetricSpec(
            name: "error-rate",
            query: "sum(rate(http_requests_total{namespace=\"{{namespace}}\",revision=\"{{green}}\",code=~\"5..\"}[1m])) / sum(rate(http_requests_total{revision=\"{{green}}\"}[1m]))",
            max: 0.01)
        let latency = MetricSpec(
            name: "latency", query: "histogram_quantile(0.95, rate(x{revision=\"{{green}}\"}[1m]))",
            baseline: "histogram_quantile(0.95, rate(x{revision=\"{{blue}}\"}[1m]))", maxIncrease: 0.25)
        let spec = RolloutSpec(
            replicas: replicas, selector: LabelSelector(matchLabels: ["app": "payment"]), template: template,
            services: RolloutServices(active: "payment", preview: "payment-preview"),
            strategy: RolloutStrategy(
                canary: CanaryStrategy(steps: [CanaryStep(weight: 20, pause: "2m"), CanaryStep(weight: 50, pause: "5m")]),
                approval: "Manual", holdWindow: "10m"),
            analysis: AnalysisSpec(prometheus: PrometheusSource(address: "http://prometheus:9090"), interval: "15s", metrics: [metric, latency]))
        var meta = ObjectMeta(name: "payment", namespace: "prod")
        meta.uid = "uid"
        meta.generation = 1
        rollout = Rollout(metadata: meta, spec: spec)
        services = [
            "payment": Service(
                metadata: ObjectMeta(name: "payment", annotations: ["cutover.dev/managed-by": "payment"]), spec: ServiceSpec(selector: ["app": "payment"])),
            "payment-preview": Service(
                metadata: ObjectMeta(name: "payment-preview", annotations: ["cutover.dev/managed-by": "payment"]),
                spec: ServiceSpec(selector: ["app": "payment"])),
        ]
    }

    /// With the spec's facts, as the controller hands them to every plan of a generation
    /// (computed once per generation, not per plan).
    var snapshot: ReleaseSnapshot {
        ReleaseSnapshot(
            rollout: rollout, deployments: Array(deployments.values), services: services, measurements: measurements,
            specFacts: SpecFacts(rollout))
    }

    mutating func step() {
        let plan = planNextStep(for: snapshot, now: now)
        for action in plan.actions + plan.afterStatus {
            switch action {
            case .createDeployment(var deployment):
                deployment.metadata.generation = 1
                deployments[deployment.metadata.name!] = deployment
            case .scaleDeployment(let name, let replicas):
                deployments[name]?.spec?.replicas = replicas
                deployments[name]?.metadata.generation! += 1
            case .deleteDeployment(let name): deployments[name] = nil
            case .patchServiceSelector(let patch): services[patch.service]?.spec?.selector?["cutover.dev/revision"] = patch.revision
            case .recordEvent, .measure, .callHook, .checkPromotion, .claimService: break
            }
        }
        rollout.status = plan.status
        measurements = []
        for (name, var deployment) in deployments {
            let wanted = deployment.spec?.replicas ?? 1
            deployment.status = DeploymentStatus(
                observedGeneration: deployment.metadata.generation, replicas: wanted, updatedReplicas: wanted,
                readyReplicas: wanted, availableReplicas: wanted)
            deployments[name] = deployment
        }
    }

    mutating func pass(seconds: Double) {
        now = now.addingTimeInterval(seconds)
        if let green = rollout.status?.greenRevision {
            measurements = [
                Cutover.Measurement(metric: "error-rate", revision: green, at: now, value: .value(0.001)),
                Cutover.Measurement(metric: "latency", revision: green, at: now, value: .value(0.1), baseline: .value(0.1)),
            ]
        }
        step()
    }

    mutating func drive(to phase: RolloutPhase) {
        for _ in 0..<100 where rollout.status?.phase != phase {
            if rollout.status?.phase == .awaitingApproval {
                rollout.metadata.annotations = ["cutover.dev/promote": "\(now.timeIntervalSince1970)"]
            }
            pass(seconds: 15)
        }
        precondition(rollout.status?.phase == phase, "could not reach \(phase): \(rollout.status?.phase?.rawValue ?? "-") \(rollout.status?.message ?? "")")
    }
}

func snapshots(replicas: Int32) -> [(String, ReleaseSnapshot, Date)] {
    var cluster = Cluster(replicas: replicas)
    cluster.step()
    cluster.step()
    var out: [(String, ReleaseSnapshot, Date)] = []
    out.append(("Healthy (steady state)", cluster.snapshot, cluster.now))
    cluster.rollout.spec.template.spec = ["containers": [["name": "app", "image": "registry.example.com/payment:1.5.0"]]]
    cluster.rollout.metadata.generation = 2
    let start = planNextStep(for: cluster.snapshot, now: cluster.now)
    var progressing = cluster.snapshot
    progressing.rollout.status = start.status
    out.append(("Progressing (release just started)", progressing, cluster.now))
    for phase in [RolloutPhase.canary, .awaitingApproval, .holdWindow] {
        cluster.drive(to: phase)
        cluster.now = cluster.now.addingTimeInterval(5)
        if let green = cluster.rollout.status?.greenRevision {
            cluster.measurements = [Cutover.Measurement(metric: "error-rate", revision: green, at: cluster.now, value: .value(0.002))]
        }
        out.append(("\(phase.rawValue) (with a new measurement)", cluster.snapshot, cluster.now))
        cluster.measurements = []
        if phase == .awaitingApproval {
            // Promoted, green not yet scaled to full size: the plan of the Promoting phase.
            var promoted = cluster.snapshot
            promoted.rollout.metadata.annotations = ["cutover.dev/promote": "bench"]
            // Green's new pods are still starting.
            let green = promoted.rollout.status?.greenRevision ?? ""
            for index in promoted.deployments.indices where promoted.deployments[index].metadata.labels?["cutover.dev/revision"] == green {
                promoted.deployments[index].status?.readyReplicas = 0
                promoted.deployments[index].status?.availableReplicas = 0
            }
            promoted.rollout.status = planNextStep(for: promoted, now: cluster.now).status
            out.append(("Promoting (green scaling to full size)", promoted, cluster.now))
        }
    }
    var rolledBack = cluster
    rolledBack.rollout.metadata.annotations?["cutover.dev/abort"] = "now"
    rolledBack.step()
    out.append(("RolledBack (after an abort)", rolledBack.snapshot, rolledBack.now))
    var stuck = Cluster(replicas: replicas)
    let first = planNextStep(for: stuck.snapshot, now: stuck.now)
    stuck.rollout.status = first.status
    if case .createDeployment(let created)? = first.actions.first { stuck.deployments[created.metadata.name!] = created }
    stuck.now = stuck.now.addingTimeInterval(700)
    stuck.rollout.status = planNextStep(for: stuck.snapshot, now: stuck.now).status
    out.append(("Degraded (first revision never ready)", stuck.snapshot, stuck.now))
    var invalid = cluster.snapshot
    invalid.rollout.spec.replicas = -1
    out.append(("InvalidSpec (spec broken mid-hold)", invalid, cluster.now))
    return out
}

/// A fixed number of plans per snapshot (`--plans N`), or nil to plan for one second each.
let fixedPlans: Int? = CommandLine.arguments.firstIndex(of: "--plans").flatMap { index in
    CommandLine.arguments.indices.contains(index + 1) ? Int(CommandLine.arguments[index + 1]) : nil
}

func bench(_ name: String, _ snapshot: ReleaseSnapshot, _ now: Date, seconds: Double = 1.0) {
    var count = 0
    var sink = 0
    let clock = ContinuousClock()
    let start = clock.now
    let limit = Duration.milliseconds(Int64(seconds * 1000))
    while fixedPlans.map({ count < $0 }) ?? (clock.now - start < limit) {
        for _ in 0..<100 { sink &+= planNextStep(for: snapshot, now: now).actions.count }
        count += 100
    }
    let elapsed = clock.now - start
    let perSecond = Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    let label = name.padding(toLength: 42, withPad: " ", startingAt: 0)
    precondition(name.hasPrefix(snapshot.rollout.status?.phase?.rawValue ?? "-") || name.hasPrefix("InvalidSpec"), "\(name) is really \(snapshot.rollout.status?.phase?.rawValue ?? "-")")
    print("  \(label) \(Int(perSecond)) plans/s  (\(String(format: "%.1f", 1e6 / perSecond)) µs/plan)\(sink == -1 ? "" : "")")
}

for replicas: Int32 in [3, 50] {
    print("replicas \(replicas), 2 canary steps, 2 metrics (one with a baseline), one core:")
    for (name, snapshot, now) in snapshots(replicas: replicas) { bench(name, snapshot, now) }
}
