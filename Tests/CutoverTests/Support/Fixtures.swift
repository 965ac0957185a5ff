import Foundation
import KubeModels

@testable import Cutover

/// Foundation has a `Measurement` too; tests mean ours.
typealias Measurement = Cutover.Measurement

/// Builders for Rollouts used across the tests.
enum Fixture {
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    static func template(image: String = "app:1", annotations: [String: String]? = nil) -> PodTemplateSpec {
        PodTemplateSpec(
            metadata: ObjectMeta(labels: ["app": "payment"], annotations: annotations),
            spec: ["containers": [["name": "app", "image": .string(image)]]])
    }

    static func metric(
        _ name: String = "error-rate", max: Double? = 0.01, noData: String? = nil, failureLimit: Int32? = nil,
        inconclusiveLimit: Int32? = nil, errorLimit: Int32? = nil, consecutiveBreachLimit: Int32? = nil, consecutiveSuccessLimit: Int32? = nil
    ) -> MetricSpec {
        MetricSpec(
            name: name, query: "sum(rate(errors{revision=\"{{green}}\"}[{{interval}}]))", max: max, noData: noData,
            failureLimit: failureLimit, inconclusiveLimit: inconclusiveLimit, errorLimit: errorLimit,
            consecutiveBreachLimit: consecutiveBreachLimit, consecutiveSuccessLimit: consecutiveSuccessLimit)
    }

    static func spec(
        replicas: Int32 = 4, image: String = "app:1", steps: [CanaryStep]? = nil, approval: String? = nil,
        holdWindow: String? = nil, metrics: [MetricSpec]? = nil, preview: String? = "payment-preview"
    ) -> RolloutSpec {
        RolloutSpec(
            replicas: replicas, selector: LabelSelector(matchLabels: ["app": "payment"]), template: template(image: image),
            progressDeadlineSeconds: 300, services: RolloutServices(active: "payment", preview: preview),
            strategy: RolloutStrategy(canary: steps.map(CanaryStrategy.init(steps:)), approval: approval, holdWindow: holdWindow),
            analysis: metrics.map {
                AnalysisSpec(prometheus: PrometheusSource(address: "http://prometheus:9090"), interval: "30s", metrics: $0)
            })
    }

    static func rollout(_ spec: RolloutSpec, annotations: [String: String]? = nil) -> Rollout {
        var meta = ObjectMeta(name: "payment", namespace: "prod", annotations: annotations)
        meta.uid = "uid-1"
        meta.generation = 1
        return Rollout(metadata: meta, spec: spec)
    }

    /// A Service claimed by Rollout `owner` (nil: unclaimed, as a user creates it).
    static func service(_ name: String, revision: String? = nil, owner: String? = "payment") -> Service {
        var selector = ["app": "payment"]
        selector[CutoverLabels.revision] = revision
        let annotations = owner.map { [CutoverLabels.managedBy: $0] }
        return Service(metadata: ObjectMeta(name: name, namespace: "prod", annotations: annotations), spec: ServiceSpec(selector: selector))
    }

    static func hash(_ image: String) -> String { TemplateHash.of(template(image: image)) }
}
