import KubeModels
import Testing

@testable import KubeSim

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Given {
    static func service(_ name: String, namespace: String = "default", rps: String? = "200", selector: [String: String]) -> JSONValue {
        var annotations: [String: String] = [:]
        if let rps { annotations[SimAnnotations.requestsPerSecond] = rps }
        return [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "annotations": JSONValue(simStringMap: annotations)],
            "spec": ["selector": JSONValue(simStringMap: selector), "ports": [["port": 80]]],
        ]
    }

    static func pod(
        _ name: String, namespace: String = "default", labels: [String: String], annotations: [String: String] = [:],
        ready: Bool = true
    ) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace), "labels": JSONValue(simStringMap: labels),
                "annotations": JSONValue(simStringMap: annotations),
            ],
            "status": ["phase": "Running", "conditions": [["type": "Ready", "status": ready ? "True" : "False"]]],
        ]
    }

    /// Three pods of one revision, as its Deployment would run them.
    static func revisionPods(_ revision: String, count: Int = 3, annotations: [String: String] = [:], ready: Bool = true) -> [JSONValue] {
        (0..<count).map { index in
            Given.pod("payment-\(revision)-\(index)", labels: ["app": "payment", "cutover.dev/revision": revision],
                annotations: annotations, ready: ready)
        }
    }

    /// Advances `traffic` from 0 to `seconds` in steps of `step`.
    static func drive(_ traffic: inout TrafficSimulator, services: [JSONValue], pods: [JSONValue], seconds: Double, step: Double = 1) {
        var time = 0.0
        traffic.advance(services: services, pods: pods, to: SimClock.at(time))
        while time < seconds {
            time += step
            traffic.advance(services: services, pods: pods, to: SimClock.at(time))
        }
    }
}

@Suite("Simulated traffic and its metrics")
struct TrafficSimulatorTests {
    @Test("blue 3 pods and green 3 pods behind one selector split the scraped counters 50/50")
    func blueGreenSplit() throws {
        var traffic = TrafficSimulator(seed: 3)
        let services = [Given.service("payment", selector: ["app": "payment"])]
        let pods = Given.revisionPods("blue") + Given.revisionPods("green")
        Given.drive(&traffic, services: services, pods: pods, seconds: 60, step: 0.5)

        let scraped = try ParsedExposition(traffic.exposition())
        let blue = scraped.sum("http_requests_total", ["revision": "blue"])
        let green = scraped.sum("http_requests_total", ["revision": "green"])
        #expect(blue + green == 200 * 60)
        #expect(abs(blue / (blue + green) - 0.5) < 0.05)
        for index in 0..<3 {
            let perPod = scraped.sum("http_requests_total", ["pod": "payment-blue-\(index)"])
            #expect(abs(perPod - 2000) <= 1, "each pod gets a sixth")
        }
    }

    @Test("a selector narrowed to one revision moves all traffic to it")
    func selectorChange() throws {
        var traffic = TrafficSimulator()
        let pods = Given.revisionPods("blue") + Given.revisionPods("green")
        Given.drive(&traffic, services: [Given.service("payment", selector: ["app": "payment", "cutover.dev/revision": "green"])],
            pods: pods, seconds: 10)
        let scraped = try ParsedExposition(traffic.exposition())
        #expect(scraped.sum("http_requests_total", ["revision": "blue"]) == 0)
        #expect(scraped.sum("http_requests_total", ["revision": "green"]) == 2000)
    }

    @Test("pods with a 20% error rate answer 0.2 ± 0.02 of requests with 500")
    func errorRate() throws {
        var traffic = TrafficSimulator(seed: 11)
        let pods = Given.revisionPods("green", annotations: [SimAnnotations.errorRate: "0.2"])
        Given.drive(&traffic, services: [Given.service("payment", selector: ["app": "payment"])], pods: pods, seconds: 100)
        let scraped = try ParsedExposition(traffic.exposition())
        let errors = scraped.sum("http_requests_total", ["code": "500"])
        let total = scraped.sum("http_requests_total")
        #expect(total == 20_000)
        #expect(abs(errors / total - 0.2) <= 0.02)
    }

    @Test("unready pods get no traffic")
    func unreadyPods() throws {
        var traffic = TrafficSimulator()
        let pods = Given.revisionPods("blue") + Given.revisionPods("green", ready: false)
        Given.drive(&traffic, services: [Given.service("payment", selector: ["app": "payment"])], pods: pods, seconds: 10)
        let scraped = try ParsedExposition(traffic.exposition())
        #expect(scraped.sum("http_requests_total", ["revision": "green"]) == 0)
        #expect(!scraped.samples.contains { $0.labels["revision"] == "green" })
        #expect(scraped.sum("http_requests_total", ["revision": "blue"]) == 2000)
    }

    @Test("fractions of a request carry over, so low rates are exact over time")
    func carry() {
        var traffic = TrafficSimulator()
        Given.drive(&traffic, services: [Given.service("slow", rps: "0.3", selector: ["app": "payment"])],
            pods: Given.revisionPods("blue", count: 1), seconds: 10, step: 0.1)
        #expect(traffic.requests.values.reduce(0, +) == 3)
    }

    @Test("only Services with a rate and pods of their own namespace take part")
    func scope() {
        var traffic = TrafficSimulator()
        let services = [
            Given.service("quiet", rps: nil, selector: ["app": "payment"]),
            Given.service("payment", namespace: "shop", selector: ["app": "payment"]),
        ]
        let pods = Given.revisionPods("blue") + [Given.pod("other-0", namespace: "shop", labels: ["app": "payment"])]
        Given.drive(&traffic, services: services, pods: pods, seconds: 5)
        #expect(Set(traffic.requests.keys.map(\.pod)) == ["other-0"])
        #expect(traffic.requests.keys.allSatisfy { $0.service == "payment" && $0.revision == "" })
    }

    @Test("latency follows the pod's latency-ms with small jitter")
    func latency() throws {
        var traffic = TrafficSimulator()
        let pods = Given.revisionPods("blue", annotations: [SimAnnotations.latencyMilliseconds: "120"])
        Given.drive(&traffic, services: [Given.service("payment", selector: ["app": "payment"])], pods: pods, seconds: 10)
        let scraped = try ParsedExposition(traffic.exposition())
        let count = scraped.sum("http_request_duration_seconds_count")
        let sum = scraped.sum("http_request_duration_seconds_sum")
        #expect(count == 2000)
        #expect(abs(sum / count - 0.120) < 0.005)
        #expect(scraped.sum("http_request_duration_seconds_bucket", ["le": "0.05"]) == 0)
        #expect(scraped.sum("http_request_duration_seconds_bucket", ["le": "0.25"]) == count)
        #expect(scraped.sum("http_request_duration_seconds_bucket", ["le": "+Inf"]) == count)
    }

    @Test("the same seed gives the same exposition")
    func deterministic() {
        func text(seed: UInt64) -> String {
            var traffic = TrafficSimulator(seed: seed)
            let pods = Given.revisionPods("blue", annotations: [SimAnnotations.errorRate: "0.3"])
            Given.drive(&traffic, services: [Given.service("payment", selector: ["app": "payment"])], pods: pods, seconds: 5)
            return traffic.exposition()
        }
        #expect(text(seed: 5) == text(seed: 5))
        #expect(text(seed: 5) != text(seed: 6))
    }

    @Test("series of a vanished pod stay for the retention time, then go")
    func vanishedPods() {
        var traffic = TrafficSimulator(retention: 60)
        let services = [Given.service("payment", selector: ["app": "payment"])]
        let pods = Given.revisionPods("blue", count: 2)
        Given.drive(&traffic, services: services, pods: pods, seconds: 5)
        let remaining = [pods[0]]
        traffic.advance(services: services, pods: remaining, to: SimClock.at(30))
        #expect(traffic.requests.keys.contains { $0.pod == "payment-blue-1" })
        traffic.advance(services: services, pods: remaining, to: SimClock.at(70))
        #expect(!traffic.requests.keys.contains { $0.pod == "payment-blue-1" })
        #expect(!traffic.durations.keys.contains { $0.pod == "payment-blue-1" })
        #expect(traffic.requests.keys.contains { $0.pod == "payment-blue-0" })
    }

    @Test("a clock that goes back sends nothing")
    func clockGoesBack() {
        var traffic = TrafficSimulator()
        let services = [Given.service("payment", selector: ["app": "payment"])]
        traffic.advance(services: services, pods: Given.revisionPods("blue"), to: SimClock.at(10))
        traffic.advance(services: services, pods: Given.revisionPods("blue"), to: SimClock.at(5))
        #expect(traffic.requests.isEmpty)
    }
}
