import Cutover
@testable import CutoverController
import Foundation
import Logging
import SimulatorHarness
import Testing

/// The outbound policy: what a Rollout may make the controller call, rule by rule.
@Suite("Outbound policy")
struct OutboundPolicyTests {
    static let metadata = "169.254.0.0/16 (link-local, cloud instance metadata)"

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var url: String
        var target: OutboundPolicy.Target = .hooks
        var policy: String = ""
        var refusal: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "cloud metadata by address", url: "http://169.254.169.254/latest/meta-data/iam/", refusal: "refused by the outbound policy: 169.254.169.254 is denied by \(metadata)"),
        Case(name: "link-local IPv6", url: "http://[fe80::1]:8080/hook", target: .notifications, refusal: "refused by the outbound policy: fe80::1 is denied by fe80::/10 (link-local)"),
        Case(name: "metadata behind an IPv4-mapped IPv6 address", url: "http://[::ffff:169.254.169.254]/", target: .prometheus,
             refusal: "refused by the outbound policy: ::ffff:169.254.169.254 is denied by \(metadata)"),
        Case(name: "metadata by name", url: "http://metadata.google.internal/computeMetadata/v1/", refusal: "refused by the outbound policy: metadata.google.internal is denied by metadata.google.internal (cloud instance metadata)"),
        Case(name: "AWS IPv6 metadata", url: "http://[fd00:ec2::254]/", refusal: "refused by the outbound policy: fd00:ec2::254 is denied by fd00:ec2::254 (cloud instance metadata)"),
        Case(name: "an ordinary address, no policy file", url: "http://10.1.2.3:9090", target: .prometheus),
        Case(name: "loopback, no policy file", url: "http://127.0.0.1:8080/smoke"),
        Case(name: "a name that resolves into a denied network", url: "http://localhost:8080/", policy: "deny: [127.0.0.0/8, '::1']",
             refusal: "refused by the outbound policy: localhost is denied by 127.0.0.0/8"),
        Case(name: "allowed by name suffix", url: "http://smoke.prod.svc.cluster.local/run", policy: "hooks: ['*.svc.cluster.local', 10.0.0.0/8]"),
        Case(name: "allowed by network", url: "http://10.9.8.7/run", policy: "hooks: ['*.svc.cluster.local', 10.0.0.0/8]"),
        Case(name: "not in the target's allow list", url: "https://evil.example.com/x", policy: "hooks: ['*.svc.cluster.local', 10.0.0.0/8]",
             refusal: "refused by the outbound policy: evil.example.com is not an allowed hooks target (allowed: *.svc.cluster.local, 10.0.0.0/8)"),
        Case(name: "another target's list does not apply", url: "https://hooks.slack.com/services/x", target: .notifications,
             policy: "hooks: ['*.svc.cluster.local']"),
        Case(name: "an empty allow list allows nothing", url: "http://10.0.0.1/", target: .clusters, policy: "clusters: []",
             refusal: "refused by the outbound policy: 10.0.0.1 is not an allowed clusters target (allowed: none)"),
        Case(name: "an allow list does not lift the built-in denies", url: "http://169.254.169.254/", policy: "hooks: [169.254.0.0/16]",
             refusal: "refused by the outbound policy: 169.254.169.254 is denied by \(metadata)"),
    ]

    @Test(arguments: cases)
    func decides(_ test: Case) async throws {
        let policy = try OutboundPolicy.parse(yaml: test.policy, origin: "policy.yaml")
        #expect(await policy.refusal(of: test.url, for: test.target) == test.refusal)
    }

    @Test func theControllersOwnAPIServerIsDenied() async {
        let policy = OutboundPolicy().denyingAPIServer("https://127.0.0.1:6443")
        #expect(await policy.refusal(of: "https://127.0.0.1:6443/api/v1/secrets", for: .hooks)
            == "refused by the outbound policy: 127.0.0.1 is denied by 127.0.0.1:6443 (the Kubernetes API server)")
        #expect(await policy.refusal(of: "http://127.0.0.1:9090/", for: .prometheus) == nil, "another port of the same host is not the API server")
    }

    @Test(arguments: [
        ("hooks: [not a host!]", "policy.yaml: hooks: \"not a host!\" is not a host name, *.suffix, address or CIDR network"),
        ("webhooks: [a.example.com]", "policy.yaml: unknown key \"webhooks\"; known: deny, prometheus, hooks, notifications, clusters"),
        ("deny: [10.0.0.0/33]", "policy.yaml: deny: \"10.0.0.0/33\" is not a host name, *.suffix, address or CIDR network"),
    ])
    func aBrokenPolicyFileSaysWhatIsWrong(_ text: String, _ message: String) {
        #expect(throws: OutboundPolicyError.self) { try OutboundPolicy.parse(yaml: text, origin: "policy.yaml") }
        do {
            _ = try OutboundPolicy.parse(yaml: text, origin: "policy.yaml")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func networksContainWhatTheySay() throws {
        let network = try #require(IPNetwork("10.128.0.0/9"))
        #expect(network.contains(try #require(IPAddress("10.200.1.1"))))
        #expect(!network.contains(try #require(IPAddress("10.127.255.255"))))
        #expect(!network.contains(try #require(IPAddress("fd00::1"))), "an IPv6 address is never in an IPv4 network")
        #expect(IPNetwork("10.0.0.0/33") == nil)
        #expect(try #require(IPNetwork("::/0")).contains(try #require(IPAddress("fd00::1"))))
    }

    /// A refused hook fails at once with the rule, without waiting for retries or connecting.
    @Test func aRefusedHookFailsOnceNamingTheRule() async throws {
        let webhooks = WebhookClient(policy: OutboundPolicy())
        let runner = HookRunner(client: webhooks, secrets: NoSecrets())
        let call = HookCall(
            name: .preCutover, hook: GateHook(url: "http://169.254.169.254/latest/meta-data/", timeout: "10s", retries: 3),
            payload: HookPayload(
                hook: .preCutover, rollout: "web", namespace: "default", revision: "green1", blueRevision: "blue1",
                images: ["app=web:2"], activeService: "web", previewService: nil, previewURL: nil))
        let started = ContinuousClock.now
        let result = try #require(await runner.call(call, namespace: "default"))
        #expect(!result.passed)
        #expect(result.attempts == 1, "the policy does not change its mind")
        #expect(result.message == "refused by the outbound policy: 169.254.169.254 is denied by \(Self.metadata)")
        #expect(ContinuousClock.now - started < .seconds(5))
        await webhooks.shutdown()
    }

    /// A Prometheus address the policy refuses is a measurement error naming the rule.
    @Test func aRefusedPrometheusIsAnErrorNamingTheRule() async throws {
        let runner = AnalysisRunner(secrets: NoSecrets(), policy: try OutboundPolicy.parse(yaml: "prometheus: [prometheus.monitoring.svc]", origin: "p"))
        let rollout = AnalysisFixture.rollout(prometheus: PrometheusSource(address: "http://10.0.0.5:9090"))
        let taken = await runner.measure([AnalysisFixture.query("error-rate", "up")], for: rollout)
        await runner.shutdown()
        #expect(taken.first?.value == .error("refused by the outbound policy: 10.0.0.5 is not an allowed prometheus target (allowed: prometheus.monitoring.svc)"))
    }

    /// The controller refuses to start with a broken policy file and says what is wrong in it.
    @Test func theControllerStopsOnABrokenPolicyFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("policy-\(UUID().uuidString).yaml")
        try "hooks: [not a host!]".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let controller = try ControllerProcess(arguments: ["--outbound-policy", file.path, "--kubeconfig", "/nonexistent"])
        let status = await controller.waitForExit(timeout: .seconds(20))
        #expect(status != nil && status != 0)
        #expect(controller.output.contains("--outbound-policy: \(file.path): hooks: \"not a host!\" is not a host name"), "\(controller.output)")
    }
}
