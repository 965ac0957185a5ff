import Foundation
import KubeModels
import Testing
@testable import KubeSim

/// The simulated workloads as clients see them through the API: Deployments that become ready,
/// traffic in /metrics, injected faults and request statistics.
@Suite("Simulated cluster through the server")
struct SimulatedClusterTests {
    static func deployment(_ name: String, replicas: Int64, app: String, revision: String, annotations: [String: String]) -> JSONValue {
        var object = Fixtures.deployment(name, replicas: replicas, app: app)
        let labels: JSONValue = ["app": .string(app), "cutover.dev/revision": .string(revision)]
        object.set(path: ["spec", "selector", "matchLabels"], to: labels)
        object.set(path: ["spec", "template", "metadata", "labels"], to: labels)
        object.set(path: ["spec", "template", "metadata", "annotations"], to: .object(annotations.mapValues(JSONValue.string)))
        return object
    }

    @Test("a Deployment becomes ready after its delay, with pods, and kubectl rollout status agrees")
    func deploymentBecomesReady() async throws {
        try await withSim(tls: true, workloads: true) { sim, client in
            let body = Self.deployment("web", replicas: 2, app: "web", revision: "a", annotations: ["sim.cutover.dev/ready-after": "300ms"])
            #expect(try await client.post(Fixtures.deployments, body).status == 201)
            let kubectl = try Kubectl(sim)
            let rollout = try await kubectl.run(["rollout", "status", "deployment/web", "--timeout=20s"])
            #expect(rollout.status == 0, "\(rollout.stdout)\(rollout.stderr)")
            #expect(rollout.stdout.contains("successfully rolled out"))
            let status = try await client.get(Fixtures.deployments + "/web").json["status"] ?? .null
            #expect(status["readyReplicas"] == 2)
            #expect(status["availableReplicas"] == 2)
            #expect(status["observedGeneration"] == 1)
            let pods = try await client.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb").json["items"]?.arrayValue ?? []
            #expect(pods.count == 2)
            #expect(pods.allSatisfy { $0.at("metadata.ownerReferences")?.arrayValue?.first?["kind"] == "Deployment" })
            // Scaling down is reflected the same way.
            _ = try await client.patch(Fixtures.deployments + "/web/scale", #"{"spec":{"replicas":1}}"#)
            let scaledDown = try await eventually {
                try await client.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb").json["items"]?.arrayValue?.count == 1
            }
            #expect(scaledDown)
        }
    }

    @Test("deleting a Deployment garbage-collects its simulated pods")
    func podsCollected() async throws {
        try await withSim(workloads: true) { _, client in
            _ = try await client.post(Fixtures.deployments, Self.deployment("gc", replicas: 2, app: "gc", revision: "a", annotations: [:]))
            let pods = "/api/v1/namespaces/default/pods?labelSelector=app%3Dgc"
            #expect(try await eventually { try await client.get(pods).json["items"]?.arrayValue?.count == 2 })
            _ = try await client.delete(Fixtures.deployments + "/gc")
            #expect(try await eventually { try await client.get(pods).json["items"]?.arrayValue?.isEmpty == true })
        }
    }

    @Test("a never-ready Deployment reports ProgressDeadlineExceeded after its deadline")
    func neverReady() async throws {
        try await withSim(workloads: true) { _, client in
            var body = Self.deployment("stuck", replicas: 1, app: "stuck", revision: "a", annotations: ["sim.cutover.dev/never-ready": "true"])
            body.set(path: ["spec", "progressDeadlineSeconds"], to: 1)
            _ = try await client.post(Fixtures.deployments, body)
            let exceeded = try await eventually(timeout: 10) {
                let conditions = try await client.get(Fixtures.deployments + "/stuck").json.at("status.conditions")?.arrayValue ?? []
                return conditions.contains { $0["type"] == "Progressing" && $0["status"] == "False" && $0["reason"] == "ProgressDeadlineExceeded" }
            }
            #expect(exceeded)
            #expect(try await client.get(Fixtures.deployments + "/stuck").json.at("status.readyReplicas") == nil)
        }
    }

    @Test("blue 3 pods and green 3 pods behind one Service split the traffic 50/50 in /metrics")
    func trafficSplit() async throws {
        try await withSim(workloads: true) { _, client in
            let ready = ["sim.cutover.dev/ready-after": "100ms", "sim.cutover.dev/latency-ms": "50"]
            _ = try await client.post(Fixtures.deployments, Self.deployment("shop-blue", replicas: 3, app: "shop", revision: "blue", annotations: ready))
            _ = try await client.post(Fixtures.deployments, Self.deployment("shop-green", replicas: 3, app: "shop", revision: "green", annotations: ready))
            let service: JSONValue = [
                "apiVersion": "v1", "kind": "Service",
                "metadata": ["name": "shop", "annotations": ["sim.cutover.dev/rps": "400"]],
                "spec": ["selector": ["app": "shop"], "ports": [["port": 80]]],
            ]
            #expect(try await client.post("/api/v1/namespaces/default/services", service).status == 201)
            func totals() async throws -> [String: Double] {
                let text = try await client.get("/metrics").body
                var sums: [String: Double] = [:]
                for line in text.split(separator: "\n") where line.hasPrefix("http_requests_total{") {
                    guard let revision = line.components(separatedBy: "revision=\"").dropFirst().first?.split(separator: "\"").first,
                        let value = line.split(separator: " ").last.flatMap({ Double($0) })
                    else { continue }
                    sums[String(revision), default: 0] += value
                }
                return sums
            }
            let enough = try await eventually(timeout: 15) {
                let sums = try await totals()
                return (sums["blue"] ?? 0) >= 400 && (sums["green"] ?? 0) >= 400
            }
            #expect(enough)
            // Measure the split over an interval in which all six pods are ready.
            let before = try await totals()
            #expect(try await eventually(timeout: 5) {
                let now = try await totals()
                return (now["blue"] ?? 0) - (before["blue"] ?? 0) + (now["green"] ?? 0) - (before["green"] ?? 0) >= 400
            })
            let after = try await totals()
            let blue = (after["blue"] ?? 0) - (before["blue"] ?? 0)
            let green = (after["green"] ?? 0) - (before["green"] ?? 0)
            #expect(abs(blue / (blue + green) - 0.5) < 0.05, "blue \(blue) green \(green)")
            let response = try await client.get("/metrics")
            #expect(response.header("Content-Type").first == "text/plain; version=0.0.4; charset=utf-8")
            #expect(response.body.contains("http_request_duration_seconds_bucket{"))
        }
    }

    @Test("injected faults answer with the asked code and Retry-After, then stop; stats count codes")
    func faults() async throws {
        try await withSim { _, client in
            let rules = #"{"rules":[{"verb":"list","resource":"configmaps","count":1,"code":500},{"verb":"get","resource":"configmaps","count":1,"code":429,"retryAfterSeconds":2}]}"#
            let posted = try await client.send("POST", "/sim/faults", body: rules)
            #expect(posted.status == 200, "\(posted.body)")
            let failed = try await client.get(Fixtures.configmaps)
            #expect(failed.status == 500)
            #expect(failed.json["reason"] == "InternalError")
            #expect(try await client.get(Fixtures.configmaps).status == 200)
            let throttled = try await client.get(Fixtures.configmaps + "/x")
            #expect(throttled.status == 429)
            #expect(throttled.header("Retry-After") == ["2"])
            #expect(throttled.json.at("details.retryAfterSeconds") == 2)
            #expect(try await client.get(Fixtures.configmaps + "/x").status == 404)
            let stats = try await client.get("/sim/stats").json
            #expect(stats.at("byResource")?["namespaces"] == nil)  // the simulator's own seeding is not counted
            #expect(stats.at("byCode")?["500"] == 1)
            #expect(stats.at("byCode")?["429"] == 1)
            let invalid = try await client.send("POST", "/sim/faults", body: #"{"rules":[{"verb":"list"}]}"#)
            #expect(invalid.status == 400)
        }
    }

    @Test("faults can expire the next watch resume and drop open watches")
    func watchFaults() async throws {
        try await withSim { sim, client in
            let rv = try await client.post(Fixtures.configmaps, Fixtures.configMap("a")).json.at("metadata.resourceVersion")?.stringValue ?? ""
            _ = try await client.send("POST", "/sim/faults", body: #"{"expireWatchResumes":1}"#)
            let expired = try await client.send("GET", Fixtures.configmaps + "?watch=true&resourceVersion=\(rv)&timeoutSeconds=5")
            #expect(((try? JSONParser.parse(expired.body.trimmingSpaces)) ?? .null).at("object.code") == 410)
            async let open = client.send("GET", Fixtures.configmaps + "?watch=true&timeoutSeconds=30")
            #expect(await eventually { sim.store.watchCount > 0 })
            _ = try await client.send("POST", "/sim/faults", body: #"{"dropWatches":true}"#)
            let started = Date()
            let dropped = try await open
            #expect(Date().timeIntervalSince(started) < 10)
            #expect(dropped.body.contains("\"ADDED\""))
        }
    }
}
