import Cutover
@testable import CutoverController
import Foundation
import KubeAPI
import KubeModels
import SimulatorHarness
import Testing

/// The hook runner against a real receiver: retries, and no second call for a reconcile that
/// planned before the outcome arrived.
@Suite("Hook runner", .timeLimit(.minutes(1)))
struct HookRunnerTests {
    static func call(_ url: String, retries: Int32) -> HookCall {
        HookCall(
            name: .preCutover, hook: GateHook(url: url, timeout: "10s", retries: retries),
            payload: HookPayload(
                hook: .preCutover, rollout: "web", namespace: "default", revision: "green1", blueRevision: "blue1",
                images: ["app=web:2"], activeService: "web", previewService: nil, previewURL: nil))
    }

    @Test func aCallAskedForAfterItFinishedGetsTheSameOutcomeWithoutASecondRequest() async throws {
        try await WebhookFixtures.withReceiver({ _, earlier in earlier == 0 ? .init(status: 503, body: "warming up") : .init() }) { receiver in
            let client = WebhookClient()
            let kube = try KubeClient(config: KubeConfig(server: "http://127.0.0.1:1"))
            let effects = AnalysisRunnerTests.effects(AnalysisRunner(secrets: NoSecrets()), webhooks: client, client: kube)
            let key = RolloutKey(namespace: "default", name: "web")
            let finished = Box(0)
            let running = Task { await effects.run { _ in finished.update { $0 += 1 } } }
            effects.callHook(Self.call(receiver.baseURL + "/pre", retries: 2), for: key)
            effects.callHook(Self.call(receiver.baseURL + "/pre", retries: 2), for: key)  // while it runs: ignored
            try await eventually(within: 20, "the outcome") { finished.get == 1 }
            let first = await effects.take(key).hooks
            await effects.commit(key)
            #expect(first.map(\.passed) == [true])
            #expect(first.first?.attempts == 2, "a 503 first, retried after 1 s")
            #expect(first.first?.message == "HTTP 200: ok")

            effects.callHook(Self.call(receiver.baseURL + "/pre", retries: 2), for: key)
            try await eventually(within: 10, "the outcome again") { finished.get == 2 }
            #expect(await effects.take(key).hooks == first)
            #expect(receiver.requests(to: "/pre").count == 2, "no call after the outcome")
            #expect(receiver.requests(to: "/pre").first?.headers["x-cutover-attempt"] == "1")
            running.cancel()
            await running.value
            await client.shutdown()
            try await kube.shutdown()
        }
    }
}
