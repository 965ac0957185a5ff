import Cutover
import Foundation
import KubeModels
import KubeSim
import Testing

/// The connection settings of `analysis.prometheus`: validation, and the CRD schema (served by
/// KubeSim from `crds/`) keeping every field.
@Suite("analysis.prometheus settings")
struct PrometheusSourceSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let full = PrometheusSource(
        address: "https://prometheus.monitoring:9090", timeout: "15s",
        bearerTokenSecret: SecretKeyReference(name: "prom", key: "token"), basicAuthSecret: nil,
        headers: [HTTPHeaderSpec(name: "X-Scope-OrgID", value: "team-a")], caSecret: SecretKeyReference(name: "prom-ca", key: "ca.crt"),
        insecureSkipVerify: false)

    static func spec(_ source: PrometheusSource) -> RolloutSpec {
        var spec = AnalysisFixture.rollout(prometheus: source).spec
        spec.strategy = RolloutStrategy(canary: CanaryStrategy(steps: [CanaryStep(weight: 20, pause: "1m")]))
        spec.analysis?.metrics = [MetricSpec(name: "error-rate", query: #"sum(rate(x{revision="{{green}}"}[{{interval}}]))"#, max: 0.01)]
        return spec
    }

    @Test func aFullySetSourceIsValid() {
        #expect(Self.spec(Self.full).validate() == [])
        var basic = Self.full
        basic.bearerTokenSecret = nil
        basic.basicAuthSecret = SecretReference(name: "prom-basic")
        #expect(Self.spec(basic).validate() == [])
    }

    static func changed(_ change: (inout PrometheusSource) -> Void) -> PrometheusSource {
        var source = full
        change(&source)
        return source
    }

    @Test(arguments: [
        (changed { $0.timeout = "10" }, "spec.analysis.prometheus.timeout"),
        (changed { $0.timeout = "0s" }, "spec.analysis.prometheus.timeout"),
        (changed { $0.basicAuthSecret = SecretReference(name: "b") }, "spec.analysis.prometheus.basicAuthSecret"),
        (changed { $0.bearerTokenSecret = SecretKeyReference(name: "", key: "k") }, "spec.analysis.prometheus.bearerTokenSecret.name"),
        (changed { $0.caSecret = SecretKeyReference(name: "c", key: "") }, "spec.analysis.prometheus.caSecret.key"),
        (changed { $0.headers = [HTTPHeaderSpec(name: "Bad Header", value: "v")] }, "spec.analysis.prometheus.headers[0].name"),
        (changed { $0.headers = [HTTPHeaderSpec(name: "Authorization", value: "v")] }, "spec.analysis.prometheus.headers[0].name"),
        (changed { $0.headers = [HTTPHeaderSpec(name: "X-A", value: "a\r\nb")] }, "spec.analysis.prometheus.headers[0].value"),
    ])
    func invalidSettingsNameTheirField(source: PrometheusSource, field: String) {
        let errors = Self.spec(source).validate()
        #expect(errors.map(\.field) == [field], "\(errors)")
    }

    @Test func anUnknownQueryVariableIsAValidationErrorNotARuntimeSurprise() {
        var spec = Self.spec(Self.full)
        spec.analysis?.metrics?[0].query = #"sum(rate(x{revision="{{revision}}"}[{{interval}}]))"#
        let errors = spec.validate()
        #expect(errors.map(\.field) == ["spec.analysis.metrics[0].query"])
        #expect(errors.first?.message.contains("{{revision}}") == true)
    }

    @Test func timeoutDefaultsToTenSeconds() {
        #expect(PrometheusSource(address: "http://p").timeoutSeconds == 10)
        #expect(PrometheusSource(address: "http://p", timeout: "1m").timeoutSeconds == 60)
    }

    /// A Rollout with every connection field goes through the served CRD unpruned; a header name
    /// the schema refuses is rejected by the API server.
    @Test func theCRDSchemaKeepsEveryField() async throws {
        var options = KubeSim.Options()
        options.crdDirectory = Self.root.appendingPathComponent("crds").path
        options.simulateWorkloads = false
        let sim = try await KubeSim.start(options)
        do {
            for (name, source) in [("bearer", Self.full), ("basic", Self.basicSource)] {
                let rollout = Rollout(metadata: ObjectMeta(name: name, namespace: "default"), spec: Self.spec(source))
                let body = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(rollout))
                let (status, created) = await sim.request("POST", "/apis/cutover.dev/v1alpha1/namespaces/default/rollouts", body: body)
                #expect(status == 201, "\(created)")
                let stored = try JSONDecoder().decode(Rollout.self, from: JSONEncoder().encode(created))
                #expect(stored.spec.analysis?.prometheus == source)
            }
            var bad = Self.spec(Self.full)
            bad.analysis?.prometheus?.headers = [HTTPHeaderSpec(name: "Bad Header", value: "v")]
            let body = try JSONDecoder().decode(
                JSONValue.self, from: JSONEncoder().encode(Rollout(metadata: ObjectMeta(name: "bad", namespace: "default"), spec: bad)))
            let (status, _) = await sim.request("POST", "/apis/cutover.dev/v1alpha1/namespaces/default/rollouts", body: body)
            #expect(status == 422)
            try await sim.stop()
        } catch {
            try? await sim.stop()
            throw error
        }
    }

    static var basicSource: PrometheusSource {
        var source = full
        source.bearerTokenSecret = nil
        source.basicAuthSecret = SecretReference(name: "prom-basic")
        source.insecureSkipVerify = true
        return source
    }
}
