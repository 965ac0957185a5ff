import ClusterHarness
import Foundation
import KubeModels
import KubeSim
import SimulatorHarness
import Testing

@testable import KubeAPI

/// Kubeconfigs that load but cannot work: each failure names its cause, within the request
/// timeout, and never as a crash (issue 18's fuzzed kubeconfigs; the corrupt ones are in
/// KubeConfigTests).
@Suite("Hostile kubeconfigs", .timeLimit(.minutes(1)))
struct HostileKubeconfigTests {
    @Test func anExpiredClientCertificateIsRefusedAtLoadWithItsExpiry() throws {
        let dir = try TempDirectory()
        let expired = try TestPKI.selfSigned(
            commonName: "ann", notValidBefore: Date(timeIntervalSince1970: 1_700_000_000), notValidAfter: Date(timeIntervalSince1970: 1_700_003_600))
        let file = try dir.write("config", KubeConfigTests.kubeconfig(
            cluster: "server: https://127.0.0.1:6443",
            user: "client-certificate-data: \(TestPKI.base64(expired.certificatePEM))\nclient-key-data: \(TestPKI.base64(expired.keyPEM))"))
        let error = #expect(throws: ConfigError.self) { try KubeConfig.load(path: file) }
        #expect(error?.description.contains("client-certificate-data is invalid: the certificate expired at 2023-11-14T23:13:20Z; renew it") == true,
                "\(error?.description ?? "")")

        let future = try TestPKI.selfSigned(notValidBefore: Date().addingTimeInterval(86_400), notValidAfter: Date().addingTimeInterval(172_800))
        let early = try dir.write("early", KubeConfigTests.kubeconfig(
            cluster: "server: https://127.0.0.1:6443",
            user: "client-certificate-data: \(TestPKI.base64(future.certificatePEM))\nclient-key-data: \(TestPKI.base64(future.keyPEM))"))
        let earlyError = #expect(throws: ConfigError.self) { try KubeConfig.load(path: early) }
        #expect(earlyError?.description.contains("the certificate is not valid before") == true, "\(earlyError?.description ?? "")")
    }

    /// Loads `user` against a running KubeSim with `cluster` settings and returns the error of one list.
    private func failure(cluster: (KubeSim) -> String, user: (KubeSim) -> String) async throws -> String {
        try await withSimulator { sim, _ in
            let dir = try TempDirectory()
            let file = try dir.write("config", KubeConfigTests.kubeconfig(cluster: cluster(sim), user: user(sim)))
            let client = try KubeClient(
                config: try KubeConfig.load(path: file),
                options: KubeClient.Options(retry: RetryPolicy(maxBackoffAttempts: 0), requestTimeout: 5))
            defer { Task { try? await client.shutdown() } }
            do {
                _ = try await client.list(ConfigMap.self, namespace: "default")
                return "no error"
            } catch {
                return String(describing: error)
            }
        }
    }

    @Test func aCertificateAuthorityThatDidNotSignTheServerNamesTheVerification() async throws {
        let other = try TestPKI.selfSigned(commonName: "someone-else")
        let message = try await failure(
            cluster: { "server: \($0.baseURL)\ncertificate-authority-data: \(TestPKI.base64(other.certificatePEM))" },
            user: { "token: \($0.token)" })
        #expect(message.contains("CERTIFICATE_VERIFY_FAILED") || message.contains("certificate verify failed"), "\(message)")
    }

    @Test func aMissingExecPluginNamesTheCommand() async throws {
        let message = try await failure(
            cluster: { "server: \($0.baseURL)\ncertificate-authority-data: \(TestPKI.base64($0.caCertificatePEM))" },
            user: { _ in "exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: /nonexistent/sso-login" })
        #expect(message.contains("/nonexistent/sso-login"), "\(message)")
    }

    @Test func anUnreachableServerNamesTheRefusedConnection() async throws {
        let port = try freeLoopbackPort()
        let message = try await failure(cluster: { _ in "server: https://127.0.0.1:\(port)\ninsecure-skip-tls-verify: true" }, user: { _ in "token: x" })
        #expect(message.lowercased().contains("refused"), "\(message)")
    }
}
