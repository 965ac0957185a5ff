// What the controller's caches hold per object: the heap one object takes in its cached form.
import BenchSupport
import CHeap
import Cutover
import CutoverController
import Foundation
import KubeModels
import KubeSim

/// The memory the objects under `path` take once decoded as the controller decodes them (bytes to
/// JSONValue to the model) and reduced to `cached`: the growth of the heap in use (glibc's count of
/// allocated bytes, not the resident set: memory KubeSim freed would hide it) while every object is
/// decoded and kept, divided by their count. KubeSim runs in this process too: the best of three.
func cachedBytesPerObject<T: Decodable>(_ sim: KubeSim, path: String, as type: T.Type, cached: (T) -> T) async -> (count: Int, bytes: Double) {
    let (status, list) = await sim.request("GET", path)
    precondition(status == 200, "list \(path): \(status)")
    let encoded = (list["items"]?.arrayValue ?? []).map(JSONWriter.bytes)
    guard !encoded.isEmpty else { return (0, 0) }
    var best = Double.infinity
    for _ in 0..<3 {
        let before = cheap_heap_in_use()
        let kept = encoded.map { cached(try! JSONValueDecoder().decode(T.self, from: $0)) }
        best = min(best, Double(Int(cheap_heap_in_use()) - Int(before)) / Double(kept.count))
    }
    return (encoded.count, best)
}

/// Prints the cached bytes per Rollout, Deployment and Service, and what they add up to per Rollout.
func sayCacheFootprint(_ sim: KubeSim, rollouts: Int) async {
    let measured = [
        ("Rollout", await cachedBytesPerObject(sim, path: "/apis/cutover.dev/v1alpha1/rollouts", as: Rollout.self, cached: CachedForm.rollout)),
        ("Deployment", await cachedBytesPerObject(sim, path: "/apis/apps/v1/deployments", as: Deployment.self, cached: CachedForm.deployment)),
        ("Service", await cachedBytesPerObject(sim, path: "/api/v1/services", as: Service.self, cached: CachedForm.service)),
    ]
    var total = 0.0
    for (kind, figure) in measured {
        total += figure.bytes * Double(figure.count)
        say("  " + kind.padding(toLength: 11, withPad: " ", startingAt: 0) + String(format: "%6d cached, %7.0f bytes each", figure.count, figure.bytes))
    }
    say(String(format: "  the caches' objects: %.1f MiB, %.0f bytes per Rollout (without the stores' keys and indexes)", total / 1_048_576, total / Double(rollouts)))
}
