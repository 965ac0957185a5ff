import Foundation
import KubeSim
import Testing

@testable import Prometheus

/// TLS trust and bearer tokens against a real HTTPS server on loopback: KubeSim's, which presents a
/// certificate from its own CA and refuses a wrong bearer token with 401. Its answer to
/// `/api/v1/query` is not Prometheus', which is fine: only the handshake and the token matter here.
@Suite("PrometheusClient over TLS", .timeLimit(.minutes(1)))
struct PrometheusClientTLSTests {
    private func attempt(_ configuration: PrometheusConfiguration) async throws -> PrometheusError? {
        let client = try PrometheusClient(configuration: configuration)
        var failure: PrometheusError?
        do {
            _ = try await client.query("up", at: Date())
        } catch let error as PrometheusError {
            failure = error
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return failure
    }

    private func withSim(_ body: (KubeSim) async throws -> Void) async throws {
        let sim = try await KubeSim.start()
        do {
            try await body(sim)
            try await sim.stop()
        } catch {
            try? await sim.stop()
            throw error
        }
    }

    @Test func anUnknownCAIsRefused() async throws {
        try await withSim { sim in
            let error = try await attempt(PrometheusConfiguration(address: sim.baseURL, timeout: .seconds(1)))
            guard case .transport(let reason)? = error else { Issue.record("expected a TLS failure, got \(String(describing: error))"); return }
            #expect(reason.contains("CERTIFICATE_VERIFY_FAILED"), "\(reason)")
        }
    }

    @Test func theConfiguredCAIsTrustedAndTheTokenSent() async throws {
        try await withSim { sim in
            let trusted = PrometheusConfiguration(
                address: sim.baseURL, authorization: .bearer(sim.token), caCertificatesPEM: Array(sim.caCertificatePEM.utf8),
                timeout: .seconds(5))
            let withToken = try await attempt(trusted)
            // The handshake worked and the token was accepted: KubeSim answers with its own 404 body.
            guard case .http(let status, _)? = withToken else { Issue.record("expected an HTTP answer, got \(String(describing: withToken))"); return }
            #expect(status != 401)

            var wrongToken = trusted
            wrongToken.authorization = .bearer("wrong")
            guard case .http(401, _)? = try await attempt(wrongToken) else { Issue.record("a wrong token was not refused"); return }
        }
    }

    @Test func insecureSkipVerifyAcceptsAnyCertificate() async throws {
        try await withSim { sim in
            let configuration = PrometheusConfiguration(
                address: sim.baseURL, authorization: .bearer(sim.token), insecureSkipVerify: true, timeout: .seconds(5))
            guard case .http? = try await attempt(configuration) else { Issue.record("the handshake failed despite insecureSkipVerify"); return }
        }
    }
}
