// Scale benchmark for KubeSim: stores 10,000 custom resources and 10,000 Deployments, then times
// full lists over real HTTP (curl against the plain-HTTP server) and reports peak RSS.
//   swift run -c release --package-path hack/benchmarks bench-sim
import Foundation
import KubeModels
import KubeSim

let count = Int(ProcessInfo.processInfo.environment["BENCH_COUNT"] ?? "") ?? 10_000

let crd: JSONValue = [
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": ["name": "rollouts.bench.dev"],
    "spec": [
        "group": "bench.dev", "scope": "Namespaced",
        "names": ["plural": "rollouts", "singular": "rollout", "kind": "Rollout"],
        "versions": [[
            "name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
            "schema": ["openAPIV3Schema": [
                "type": "object",
                "properties": [
                    "spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                    "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                ],
            ]],
        ]],
    ],
]

func rollout(_ index: Int) -> JSONValue {
    [
        "apiVersion": "bench.dev/v1", "kind": "Rollout",
        "metadata": ["name": .string("rollout-\(index)"), "labels": ["app": .string("app-\(index % 100)")]],
        "spec": [
            "replicas": 3, "selector": ["matchLabels": ["app": .string("app-\(index % 100)")]],
            "strategy": ["blueGreen": ["activeService": "web", "previewService": "web-preview", "canary": ["weight": 10]]],
            "template": ["spec": ["containers": [["name": "web", "image": .string("registry.example/web:\(index)")]]]],
        ],
    ]
}

func deployment(_ index: Int) -> JSONValue {
    let labels: JSONValue = ["app": .string("web-\(index)")]
    return [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": .string("web-\(index)"), "labels": labels],
        "spec": [
            "replicas": 3, "selector": ["matchLabels": labels],
            "template": [
                "metadata": ["labels": labels, "annotations": ["sim.cutover.dev/ready-after": "3s"]],
                "spec": ["containers": [[
                    "name": "web", "image": "nginx:1.27", "ports": [["containerPort": 8080]],
                    "env": [["name": "MODE", "value": "bench"]],
                    "resources": ["requests": ["cpu": "100m", "memory": "64Mi"]],
                ]]],
            ],
        ],
    ]
}

func peakRSS() -> String {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let lines = status.split(separator: "\n").filter { $0.hasPrefix("VmHWM") || $0.hasPrefix("VmRSS") }
    return lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }.joined(separator: ", ")
}

func curlTime(_ url: String) throws -> (seconds: Double, bytes: Int) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    process.arguments = ["-s", "-o", "/dev/null", "-w", "%{time_total} %{size_download} %{http_code}", url]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let parts = output.split(separator: " ")
    guard parts.count == 3, parts[2] == "200" else { fatalError("list failed: \(output)") }
    return (Double(parts[0]) ?? 0, Int(parts[1]) ?? 0)
}

var options = KubeSim.Options()
options.plainHTTP = true
options.simulateWorkloads = false
let sim = try await KubeSim.start(options)
let crdResult = await sim.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body: crd)
precondition(crdResult.status == 201, "CRD: \(crdResult)")

let seedStart = Date()
for index in 0..<count {
    let first = await sim.request("POST", "/apis/bench.dev/v1/namespaces/default/rollouts", body: rollout(index))
    let second = await sim.request("POST", "/apis/apps/v1/namespaces/default/deployments", body: deployment(index))
    precondition(first.status == 201 && second.status == 201, "seed failed at \(index): \(first) \(second)")
}
let seedSeconds = Date().timeIntervalSince(seedStart)
print("seeded \(count) custom resources + \(count) Deployments in \(String(format: "%.2f", seedSeconds)) s")

for (name, path) in [("custom resources", "/apis/bench.dev/v1/rollouts"), ("Deployments", "/apis/apps/v1/deployments")] {
    var times: [Double] = []
    var size = 0
    for _ in 0..<5 {
        let (seconds, bytes) = try curlTime(sim.baseURL + path)
        times.append(seconds)
        size = bytes
    }
    times.sort()
    print("full list of \(count) \(name) over HTTP: min \(String(format: "%.3f", times[0])) s, median \(String(format: "%.3f", times[2])) s, \(size / 1024) KiB")
    let tableStart = Date()
    _ = await sim.request("GET", path + "?labelSelector=app%3Dnone")
    print("  filtered list (no matches) in-process: \(String(format: "%.3f", Date().timeIntervalSince(tableStart))) s")
}
print("memory: \(peakRSS())")
try await sim.stop()
