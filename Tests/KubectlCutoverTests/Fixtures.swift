import Cutover
import Foundation
import KubeModels

/// Rollouts and Deployments with a hand-written status, for the rendering and decision tests.
enum Fixtures {
    static let at = Timestamp(Date(timeIntervalSince1970: 1_800_000_000))

    static func rollout(phase: RolloutPhase, metrics: Bool = false) -> Rollout {
        var metricSpecs: [MetricSpec]? = nil
        if metrics { metricSpecs = [MetricSpec(name: "error-rate", query: "q", max: 0.05)] }
        var meta = ObjectMeta(name: "web", namespace: "prod")
        meta.generation = 3
        var rollout = Rollout(
            metadata: meta,
            spec: RolloutSpec(
                replicas: 3, selector: LabelSelector(matchLabels: ["app": "web"]),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web"]), spec: ["containers": [["name": "app", "image": "example/web:2"]]]),
                services: RolloutServices(active: "web", preview: "web-preview"),
                strategy: RolloutStrategy(canary: CanaryStrategy(steps: [CanaryStep(weight: 20, pause: "1m"), CanaryStep(weight: 50, pause: "1m")]), holdWindow: "5m"),
                analysis: metrics ? AnalysisSpec(prometheus: PrometheusSource(address: "http://prom:9090"), interval: "10s", metrics: metricSpecs) : nil))
        var status = RolloutStatus()
        status.phase = phase
        status.observedGeneration = 3
        status.activeRevision = "blue111111"
        switch phase {
        case .progressing, .canary, .awaitingApproval, .promoting, .holdWindow:
            status.greenRevision = "green22222"
        default: break
        }
        if phase == .canary {
            status.currentStepIndex = 0
            status.stepStartedAt = at
            status.weight = 20
            status.traffic = .split
        }
        if phase == .holdWindow {
            status.weight = 100
            status.traffic = .green
            status.cutoverAt = at
            status.holdUntil = Timestamp(at.date.addingTimeInterval(300))
        }
        if phase == .rolledBack {
            status.rolledBackRevision = "green22222"
            status.abort = AbortStatus(
                reason: "AnalysisBreach", revision: "green22222", metric: "error-rate", value: 0.2418, limit: 0.05,
                message: "error-rate 0.2418 > max 0.05", at: at)
        }
        if metrics {
            var state = MetricStatus(name: "error-rate")
            state.history = [
                MeasurementRecord(at: at, revision: "green22222", value: 0.001, verdict: .pass, message: "error-rate 0.001 ≤ 0.05"),
                MeasurementRecord(at: at, revision: "green22222", value: nil, verdict: .inconclusive, message: "error-rate: no data"),
                MeasurementRecord(at: at, revision: "green22222", value: 0.2418, verdict: .breach, message: "error-rate 0.2418 > max 0.05"),
            ]
            state.breaches = 1
            status.analysis = [state]
        }
        rollout.status = status
        return rollout
    }

    static func deployment(_ revision: String, image: String, replicas: Int32, ready: Int32, created: Double) -> Deployment {
        var meta = ObjectMeta(name: "web-\(revision)", namespace: "prod", labels: ["app": "web", CutoverLabels.rollout: "web", CutoverLabels.revision: revision])
        meta.creationTimestamp = Timestamp(Date(timeIntervalSince1970: created))
        return Deployment(
            metadata: meta,
            spec: DeploymentSpec(
                replicas: replicas, selector: LabelSelector(matchLabels: ["app": "web"]),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: ["app": "web"]), spec: ["containers": [["name": "app", "image": .string(image)]]])),
            status: DeploymentStatus(readyReplicas: ready))
    }
}
