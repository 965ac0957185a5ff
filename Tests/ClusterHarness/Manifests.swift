import Foundation

/// The manifests a user of the tests writes: the example's Services and a Rollout shaped like
/// `manifests/examples/payment-rollout.yaml`, with short pauses, interval and hold window so a
/// whole release takes seconds.
package struct RolloutManifest: Sendable {
    package var name = "payment"
    package var namespace = "shop"
    /// The ReleaseGroup it joins (label `cutover.dev/group`), if any.
    package var group: String?
    package var replicas = 3
    package var image = "registry.example.com/payment:1.4.2"
    /// Pod template annotations KubeSim acts on (`sim.cutover.dev/error-rate`, `never-ready`, ...).
    package var podAnnotations: [String: String] = ["sim.cutover.dev/ready-after": "300ms"]
    package var progressDeadlineSeconds = 60
    /// (weight, pause) per canary step; none means no canary.
    package var steps: [(weight: Int, pause: String)] = [(20, "1s"), (50, "1s")]
    package var approval = "Automatic"
    package var holdWindow = "2s"
    package var prometheusAddress: String
    package var interval = "2s"
    package var queryTimeout = "2s"
    package var errorLimit = 4
    /// High, so the "no data" of a series' first seconds never stops a fast release for a human.
    package var inconclusiveLimit = 10
    /// Raw YAML replacing the whole `strategy.canary.steps` list (for invalid specs).
    package var rawSteps: String?
    /// Flow-style YAML of `spec.promotion`, if any.
    package var promotion: String?
    /// Flow-style YAML of `spec.hooks`, if any.
    package var hooks: String?
    /// Flow-style YAML of `spec.notifications`, if any.
    package var notifications: String?
    package var releaseHistoryLimit: Int?
    /// A second metric, the p99 latency of green's requests (max 0.5 s).
    package var latencyMetric = false
    /// A metric judged against blue: green's mean latency each second over the last 20 s beside
    /// blue's, with Mann-Whitney (and a max of 0.5 s).
    package var judgedLatency = false
    /// Flow-style YAML of `spec.analysis.score`, if any.
    package var score: String?
    /// Flow-style YAML of `spec.rollbackWindow`, if any.
    package var rollbackWindow: String?
    /// A job metric `smoke` whose Job pods exit with this code and print `smokeLog`, if set.
    package var smokeExitCode: Int?
    package var smokeLog = "GET /healthz 200"
    /// A web metric `quality` read from `<url>?revision={{green}}` (`{.quality}`, min 0.9), if set.
    package var webMetricURL: String?

    package init(name: String = "payment", namespace: String = "shop", prometheusAddress: String) {
        self.name = name
        self.namespace = namespace
        self.prometheusAddress = prometheusAddress
    }

    package var yaml: String {
        let annotations = podAnnotations.sorted { $0.key < $1.key }.map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", ")
        let stepList = rawSteps ?? "[" + steps.map { "{weight: \($0.weight), pause: \($0.pause)}" }.joined(separator: ", ") + "]"
        let canary = steps.isEmpty && rawSteps == nil ? "" : "    canary: {steps: \(stepList)}\n"
        let labels = group.map { ", labels: {cutover.dev/group: \($0)}" } ?? ""
        return """
            apiVersion: cutover.dev/v1alpha1
            kind: Rollout
            metadata: {name: \(name), namespace: \(namespace)\(labels)}
            spec:
              replicas: \(replicas)
              selector: {matchLabels: {app: \(name)}}
              template:
                metadata:
                  labels: {app: \(name)}
                  annotations: {\(annotations)}
                spec:
                  containers: [{name: app, image: "\(image)", ports: [{containerPort: 8080}]}]
              progressDeadlineSeconds: \(progressDeadlineSeconds)
              services: {active: \(name), preview: \(name)-preview}
              strategy:
            \(canary)    approval: \(approval)
                holdWindow: \(holdWindow)
              analysis:
                prometheus: {address: "\(prometheusAddress)", timeout: \(queryTimeout)}
                interval: \(interval)
            \(score.map { "    score: \($0)\n" } ?? "")    metrics:
                  - name: error-rate
                    query: |
                      (sum(rate(http_requests_total{namespace="{{namespace}}",revision="{{green}}",code=~"5.."}[1m])) or vector(0))
                      / sum(rate(http_requests_total{namespace="{{namespace}}",revision="{{green}}"}[1m]))
                    max: 0.05
                    noData: Inconclusive
                    errorLimit: \(errorLimit)
                    inconclusiveLimit: \(inconclusiveLimit)
            \(latencyMetric ? Self.latencyMetricYAML : "")\(judgedLatency ? Self.judgedLatencyYAML : "")\(webMetricURL.map(Self.webMetricYAML) ?? "")\(smokeExitCode.map { Self.smokeMetricYAML(exitCode: $0, log: smokeLog) } ?? "")\(promotion.map { "  promotion: \($0)\n" } ?? "")\(hooks.map { "  hooks: \($0)\n" } ?? "")\(notifications.map { "  notifications: \($0)\n" } ?? "")\(releaseHistoryLimit.map { "  releaseHistoryLimit: \($0)\n" } ?? "")\(rollbackWindow.map { "  rollbackWindow: \($0)\n" } ?? "")
            """
    }

    private static let latencyMetricYAML = """
              - name: latency-p99
                query: |
                  histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{namespace="{{namespace}}",revision="{{green}}"}[1m])) by (le))
                max: 0.5
                noData: Inconclusive
                inconclusiveLimit: 10

        """

    private static let judgedLatencyYAML = """
              - name: latency
                query: |
                  sum(rate(http_request_duration_seconds_sum{namespace="{{namespace}}",revision="{{green}}"}[5s]))
                  / sum(rate(http_request_duration_seconds_count{namespace="{{namespace}}",revision="{{green}}"}[5s]))
                baseline: |
                  sum(rate(http_request_duration_seconds_sum{namespace="{{namespace}}",revision="{{blue}}"}[5s]))
                  / sum(rate(http_request_duration_seconds_count{namespace="{{namespace}}",revision="{{blue}}"}[5s]))
                max: 0.5
                noData: Inconclusive
                inconclusiveLimit: 30
                judge: {type: MannWhitney, window: 20s, step: 1s, minSamples: 10}

        """

    private static func smokeMetricYAML(exitCode: Int, log: String) -> String {
        """
                  - name: smoke
                    job: {timeout: 30s, template: {metadata: {annotations: {sim.cutover.dev/run-for: 300ms, sim.cutover.dev/exit-code: "\(exitCode)", sim.cutover.dev/log: "\(log)"}}, spec: {restartPolicy: Never, containers: [{name: smoke, image: "registry.example.com/smoke:1"}]}}}
                    inconclusiveLimit: 10

            """
    }

    private static func webMetricYAML(_ url: String) -> String {
        """
                  - name: quality
                    web: {url: "\(url)?revision={{green}}", jsonPath: "{.quality}", timeout: 2s}
                    min: 0.9
                    inconclusiveLimit: 10

            """
    }

    /// The analysis interval in seconds.
    var intervalSeconds: Double { Double(interval.dropLast()) ?? 0 }

    /// The active Service (200 simulated requests per second, like the example) and the preview.
    package static func services(name: String = "payment", namespace: String = "shop", rps: Int = 200) -> String {
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: \(name)
          namespace: \(namespace)
          annotations: {sim.cutover.dev/rps: "\(rps)"}
        spec:
          selector: {app: \(name)}
          ports: [{name: http, port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: \(name)-preview, namespace: \(namespace)}
        spec:
          selector: {app: \(name)}
          ports: [{name: http, port: 80, targetPort: 8080}]

        """
    }
}

/// A ReleaseGroup as docs/release-groups.md shows it: the approval and the cutover waves.
package struct ReleaseGroupManifest: Sendable {
    package var name = "shop"
    package var namespace = "shop"
    package var approval = "Automatic"
    /// Member names per wave; none: all at once.
    package var waves: [[String]] = []

    package init(name: String = "shop", namespace: String = "shop") {
        self.name = name
        self.namespace = namespace
    }

    package var yaml: String {
        let waveList = waves.isEmpty ? "" : "\n  waves: [" + waves.map { "[" + $0.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
        return """
            apiVersion: cutover.dev/v1alpha1
            kind: ReleaseGroup
            metadata: {name: \(name), namespace: \(namespace)}
            spec:
              approval: \(approval)\(waveList)

            """
    }
}
