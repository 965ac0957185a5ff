import Cutover
@testable import CutoverController
import Foundation
import KubeAPI
import KubeModels
import KubeSim
import Prometheus
import Testing

/// Credentials named by `analysis.prometheus`, read through the Kubernetes API from KubeSim.
@Suite("Prometheus credentials from Secrets", .timeLimit(.minutes(1)))
struct PrometheusSourceConfigurationTests {
    /// A KubeSim with namespace `prod` and a client for it.
    private func withCluster(_ body: (KubeSim, KubeClient) async throws -> Void) async throws {
        let sim = try await KubeSim.start()
        let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-kubeconfig-\(UUID().uuidString)").path
        var client: KubeClient?
        do {
            try sim.writeKubeconfig(to: kubeconfig)
            client = try KubeClient(config: try KubeConfig.load(path: kubeconfig))
            _ = try await client!.create(Namespace(metadata: ObjectMeta(name: "prod")))
            try await body(sim, client!)
        } catch {
            try? await client?.shutdown()
            try? await sim.stop()
            try? FileManager.default.removeItem(atPath: kubeconfig)
            throw error
        }
        try await client?.shutdown()
        try await sim.stop()
        try? FileManager.default.removeItem(atPath: kubeconfig)
    }

    private func secret(_ name: String, namespace: String = "prod", _ data: [String: String]) -> Secret {
        Secret(metadata: ObjectMeta(name: name, namespace: namespace), data: data.mapValues { Data($0.utf8).base64EncodedString() })
    }

    @Test func credentialsComeFromSecretsInTheRolloutsNamespace() async throws {
        try await withCluster { sim, client in
            _ = try await client.create(secret("prom-token", ["token": "s3cr3t\n"]))
            _ = try await client.create(secret("prom-basic", ["username": "cutover", "password": "p@ss"]))
            _ = try await client.create(secret("prom-ca", ["ca.crt": sim.caCertificatePEM]))
            _ = try await client.create(secret("elsewhere", namespace: "default", ["token": "not yours"]))
            let reader = KubeSecretReader(client: client)

            let bearer = PrometheusSource(
                address: "https://prometheus:9090", timeout: "3s", bearerTokenSecret: SecretKeyReference(name: "prom-token", key: "token"),
                headers: [HTTPHeaderSpec(name: "X-Scope-OrgID", value: "team-a")], caSecret: SecretKeyReference(name: "prom-ca", key: "ca.crt"))
            let configuration = try await bearer.clientConfiguration(namespace: "prod", secrets: reader)
            #expect(configuration.address == "https://prometheus:9090")
            #expect(configuration.authorization == .bearer("s3cr3t"))
            #expect(configuration.caCertificatesPEM == Array(sim.caCertificatePEM.utf8))
            #expect(configuration.headers == [PrometheusConfiguration.Header(name: "X-Scope-OrgID", value: "team-a")])
            #expect(configuration.timeout == .seconds(3))
            #expect(!configuration.insecureSkipVerify)

            let basic = PrometheusSource(address: "http://prometheus:9090", basicAuthSecret: SecretReference(name: "prom-basic"), insecureSkipVerify: true)
            let basicConfiguration = try await basic.clientConfiguration(namespace: "prod", secrets: reader)
            #expect(basicConfiguration.authorization == .basic(username: "cutover", password: "p@ss"))
            #expect(basicConfiguration.insecureSkipVerify)
            #expect(basicConfiguration.timeout == .seconds(10))

            await #expect(throws: AnalysisError.missingSecretKey(namespace: "prod", name: "prom-token", key: "tok", field: "bearerTokenSecret")) {
                try await PrometheusSource(address: "http://p", bearerTokenSecret: SecretKeyReference(name: "prom-token", key: "tok"))
                    .clientConfiguration(namespace: "prod", secrets: reader)
            }
            await #expect(throws: AnalysisError.missingSecretKey(namespace: "prod", name: "prom-ca", key: "username", field: "basicAuthSecret")) {
                try await PrometheusSource(address: "http://p", basicAuthSecret: SecretReference(name: "prom-ca"))
                    .clientConfiguration(namespace: "prod", secrets: reader)
            }
            // A Secret of another namespace is not visible.
            do {
                _ = try await PrometheusSource(address: "http://p", bearerTokenSecret: SecretKeyReference(name: "elsewhere", key: "token"))
                    .clientConfiguration(namespace: "prod", secrets: reader)
                Issue.record("read a Secret from another namespace")
            } catch let error as AnalysisError {
                guard case .unreadableSecret("prod", "elsewhere", _) = error else { Issue.record("got \(error)"); return }
                #expect(error.description.hasPrefix("cannot read Secret prod/elsewhere"))
            }
        }
    }

    /// KubeSim plays an HTTPS Prometheus behind auth: its CA and token, read from Secrets, get the
    /// request through (it then answers 404, not being Prometheus); a wrong token gets 401.
    @Test func theRunnerUsesTheSecretsForTLSAndTheToken() async throws {
        try await withCluster { sim, client in
            _ = try await client.create(secret("prom-ca", ["ca.crt": sim.caCertificatePEM]))
            _ = try await client.create(secret("good-token", ["token": sim.token]))
            _ = try await client.create(secret("bad-token", ["token": "wrong"]))
            let runner = AnalysisRunner(secrets: KubeSecretReader(client: client))
            func measure(tokenSecret: String?, ca: Bool) async -> String {
                let source = PrometheusSource(
                    address: sim.baseURL, timeout: "1s", bearerTokenSecret: tokenSecret.map { SecretKeyReference(name: $0, key: "token") },
                    caSecret: ca ? SecretKeyReference(name: "prom-ca", key: "ca.crt") : nil)
                let result = await runner.measure([AnalysisFixture.query("m", "up")], for: AnalysisFixture.rollout(prometheus: source))
                guard case .error(let message)? = result.first?.value else { return "not an error: \(result)" }
                return message
            }
            let accepted = await measure(tokenSecret: "good-token", ca: true)
            #expect(accepted.hasPrefix("Prometheus answered HTTP") && !accepted.contains("HTTP 401"), "\(accepted)")
            let refused = await measure(tokenSecret: "bad-token", ca: true)
            #expect(refused.hasPrefix("Prometheus answered HTTP 401"), "\(refused)")
            let untrusted = await measure(tokenSecret: "good-token", ca: false)
            #expect(untrusted.hasPrefix("cannot reach Prometheus") && untrusted.contains("CERTIFICATE_VERIFY_FAILED"), "\(untrusted)")
            let missing = await measure(tokenSecret: "absent", ca: true)
            #expect(missing.hasPrefix("cannot read Secret prod/absent"), "\(missing)")
            await runner.shutdown()
        }
    }
}
