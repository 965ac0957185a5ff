// Watch decoding throughput and the memory a cached Deployment costs.
//
//   swift run -c release --package-path hack/benchmarks bench-watch-decode [events]
//
// Builds a watch stream of realistic Deployment objects (labels, owner reference, managed
// fields, a two-container template, status with conditions: ~3 KiB each), feeds it to
// WatchEventDecoder in 16 KiB chunks (so lines are split at arbitrary places, as on the wire),
// and reports events/s on one core. Then keeps 10,000 decoded Deployments alive, as a cache
// would, and reports the resident-set growth per object.
import Foundation
import KubeAPI
import KubeModels
import NIOCore

func deploymentJSON(_ index: Int) -> String {
    let name = "service-\(index)-5d8b2a91"
    return """
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\(name)","namespace":"team-\(index % 50)","uid":"5a0b7f4e-1e0d-4c55-8d2e-\(String(format: "%012d", index))","resourceVersion":"\(100_000 + index)","generation":3,"creationTimestamp":"2026-11-20T09:14:03Z","labels":{"app":"service-\(index)","cutover.dev/rollout":"service-\(index)","cutover.dev/revision":"5d8b2a91"},"annotations":{"deployment.kubernetes.io/revision":"3"},"ownerReferences":[{"apiVersion":"cutover.dev/v1alpha1","kind":"Rollout","name":"service-\(index)","uid":"0d8f4c5e-0a8e-4a51-9a7c-\(String(format: "%012d", index))","controller":true,"blockOwnerDeletion":true}],"managedFields":[{"manager":"cutover","operation":"Update","apiVersion":"apps/v1","time":"2026-11-20T09:14:03Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:app":{},"f:cutover.dev/revision":{},"f:cutover.dev/rollout":{}},"f:ownerReferences":{".":{},"k:{\\"uid\\":\\"0d8f4c5e\\"}":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"app\\"}":{".":{},"f:image":{},"f:name":{}}}}}}}},{"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1","time":"2026-11-20T09:14:41Z","fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:availableReplicas":{},"f:conditions":{},"f:observedGeneration":{},"f:readyReplicas":{},"f:replicas":{},"f:updatedReplicas":{}}},"subresource":"status"}]},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"service-\(index)","cutover.dev/revision":"5d8b2a91"}},"template":{"metadata":{"labels":{"app":"service-\(index)","cutover.dev/revision":"5d8b2a91","cutover.dev/rollout":"service-\(index)"},"annotations":{"prometheus.io/scrape":"true"}},"spec":{"containers":[{"name":"app","image":"registry.example.com/service-\(index):1.4.2","ports":[{"containerPort":8080,"protocol":"TCP"}],"env":[{"name":"LOG_LEVEL","value":"info"},{"name":"REGION","value":"eu-west-1"}],"resources":{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},"readinessProbe":{"httpGet":{"path":"/ready","port":8080},"periodSeconds":5},"imagePullPolicy":"IfNotPresent"},{"name":"sidecar","image":"registry.example.com/proxy:2.1","ports":[{"containerPort":15001}],"resources":{"limits":{"cpu":"100m","memory":"64Mi"}}}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst"}},"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},"revisionHistoryLimit":10,"progressDeadlineSeconds":600},"status":{"observedGeneration":3,"replicas":3,"updatedReplicas":3,"readyReplicas":3,"availableReplicas":3,"conditions":[{"type":"Available","status":"True","lastUpdateTime":"2026-11-20T09:14:41Z","lastTransitionTime":"2026-11-20T09:14:41Z","reason":"MinimumReplicasAvailable","message":"Deployment has minimum availability."},{"type":"Progressing","status":"True","lastUpdateTime":"2026-11-20T09:14:41Z","lastTransitionTime":"2026-11-20T09:14:03Z","reason":"NewReplicaSetAvailable","message":"ReplicaSet has successfully progressed."}]}}
    """
}

func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return 0 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
}

let eventCount = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 20_000
var stream = ByteBuffer()
for index in 0..<eventCount {
    stream.writeString(#"{"type":"MODIFIED","object":"#)
    stream.writeString(deploymentJSON(index))
    stream.writeString("}\n")
}
let streamBytes = stream.readableBytes

// Throughput: decode the whole stream, chunked as a network would deliver it.
// CPU time of this (single-threaded) work, so a busy machine does not distort "per core".
func cpuSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
var decoder = WatchEventDecoder<Deployment>()
var decoded = 0
let started = cpuSeconds()
var input = stream
while input.readableBytes > 0 {
    decoder.feed(input.readSlice(length: min(16_384, input.readableBytes))!)
    while let update = try decoder.next() {
        if update.object != nil { decoded += 1 }
    }
}
let seconds = cpuSeconds() - started
precondition(decoded == eventCount, "decoded \(decoded) of \(eventCount)")
print("watch decode: \(eventCount) Deployment events, \(streamBytes / eventCount) bytes each")
print(String(format: "  %.0f events/s on one core, %.1f MiB/s", Double(eventCount) / seconds,
             Double(streamBytes) / seconds / 1_048_576))

// Memory: the resident-set growth of keeping 10,000 decoded Deployments.
let cached = 10_000
let texts = (0..<cached).map { Array(deploymentJSON($0).utf8) }
let before = residentBytes()
var cache: [String: Deployment] = [:]
cache.reserveCapacity(cached)
for text in texts {
    let deployment = try JSONValueDecoder().decode(Deployment.self, from: text)
    cache[deployment.metadata.key] = deployment
}
let after = residentBytes()
print("cache: \(cached) Deployments, \((after - before) / cached) bytes of RSS each (\((after - before) >> 20) MiB in all)")
withExtendedLifetime(cache) {}

// The same objects with managedFields dropped, as a controller cache should keep them
// (client-go informers do the same with a transform): the free-form bookkeeping dominates.
let beforeStripped = residentBytes()
var stripped: [String: Deployment] = [:]
stripped.reserveCapacity(cached)
for text in texts {
    var deployment = try JSONValueDecoder().decode(Deployment.self, from: text)
    deployment.metadata.managedFields = nil
    stripped[deployment.metadata.key] = deployment
}
let afterStripped = residentBytes()
print("cache without managedFields: \((afterStripped - beforeStripped) / cached) bytes of RSS each")
withExtendedLifetime(stripped) {}
