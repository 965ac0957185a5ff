import Foundation
import Testing
@testable import KubeAPI

/// A kubeconfig held in a Secret (another cluster's credentials): inline credentials only.
@Suite struct KubeConfigInlineTests {
    static let origin = "Secret prod/staging-cluster key kubeconfig"

    @Test func inlineTokenAndCAResolveAtTheCurrentContext() throws {
        let ca = try TestPKI.selfSigned()
        let text = KubeConfigTests.kubeconfig(
            cluster: "server: https://10.0.0.9:6443\ncertificate-authority-data: \(TestPKI.base64(ca.certificatePEM))", user: "token: abc123")
        let config = try KubeConfig.parse(inline: text, origin: Self.origin)
        #expect(config.server == "https://10.0.0.9:6443")
        #expect(config.credentials == .bearerToken("abc123"))
        #expect(config.trust == .certificateAuthority(pem: Array(ca.certificatePEM.utf8)))
    }

    struct Refused: CustomTestStringConvertible, Sendable {
        var name: String
        var cluster = "server: https://10.0.0.9:6443"
        var user = "token: abc"
        var message: String
        var testDescription: String { name }
    }

    static let refused: [Refused] = [
        .init(name: "exec plugin", user: "exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: aws",
              message: "user \"u1\" in \(origin): exec is invalid: an exec credential plugin is not allowed here; use inline data (a token, or client-certificate-data and client-key-data)"),
        .init(name: "token file", user: "tokenFile: /var/run/token",
              message: "user \"u1\" in \(origin): tokenFile is invalid: a file is not allowed here; use inline data (a token, or client-certificate-data and client-key-data)"),
        .init(name: "client certificate file", user: "client-certificate: /etc/cert.pem\nclient-key: /etc/key.pem",
              message: "user \"u1\" in \(origin): client-certificate is invalid: a file is not allowed here; use inline data (a token, or client-certificate-data and client-key-data)"),
        .init(name: "CA file", cluster: "server: https://10.0.0.9:6443\ncertificate-authority: /etc/ca.pem",
              message: "cluster \"c1\" in \(origin): certificate-authority is invalid: a file is not allowed here; use certificate-authority-data"),
    ]

    @Test(arguments: refused)
    func whatWouldRunOrReadOnTheControllersMachineIsRefused(_ test: Refused) {
        let text = KubeConfigTests.kubeconfig(cluster: test.cluster, user: test.user)
        #expect(throws: ConfigError.self) { try KubeConfig.parse(inline: text, origin: Self.origin) }
        do {
            _ = try KubeConfig.parse(inline: text, origin: Self.origin)
        } catch {
            #expect("\(error)" == test.message)
        }
    }

    @Test func brokenTextNamesTheSecret() {
        do {
            _ = try KubeConfig.parse(inline: "clusters: [", origin: Self.origin)
            Issue.record("parsed broken YAML")
        } catch {
            #expect("\(error)".hasPrefix("kubeconfig \(Self.origin) is not valid: "))
        }
        do {
            _ = try KubeConfig.parse(inline: KubeConfigTests.kubeconfig(cluster: "server: https://x:1", user: "token: a", current: nil), origin: Self.origin)
            Issue.record("resolved without a current context")
        } catch {
            #expect("\(error)" == "kubeconfig \(Self.origin): current-context is required")
        }
    }
}
