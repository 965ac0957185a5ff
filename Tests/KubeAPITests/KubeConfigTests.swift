import Foundation
import Testing
@testable import KubeAPI

@Suite struct KubeConfigTests {
    /// A kubeconfig with one cluster, one user (given as YAML lines) and one context.
    static func kubeconfig(cluster: String, user: String, namespace: String? = "team-a", current: String? = "dev") -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c1
          cluster:
        \(cluster.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        users:
        - name: u1
          user:
        \(user.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        contexts:
        - name: dev
          context:
            cluster: c1
            user: u1
        \(namespace.map { "    namespace: \($0)" } ?? "")
        \(current.map { "current-context: \($0)" } ?? "")
        """
    }

    @Test func tokenUserWithInlineCA() throws {
        let dir = try TempDirectory()
        let ca = try TestPKI.selfSigned()
        let file = try dir.write("config", Self.kubeconfig(
            cluster: "server: https://127.0.0.1:6443\ncertificate-authority-data: \(TestPKI.base64(ca.certificatePEM))",
            user: "token: abc123"))
        let config = try KubeConfig.load(path: file)
        #expect(config.server == "https://127.0.0.1:6443")
        #expect(config.namespace == "team-a")
        #expect(config.credentials == .bearerToken("abc123"))
        #expect(config.trust == .certificateAuthority(pem: Array(ca.certificatePEM.utf8)))
    }

    @Test func relativeFilesResolveAgainstTheKubeconfigDirectory() throws {
        let dir = try TempDirectory()
        let ca = try TestPKI.selfSigned()
        let client = try TestPKI.selfSigned(commonName: "user")
        try dir.write("ca.crt", ca.certificatePEM)
        try dir.write("client.crt", client.certificatePEM)
        try dir.write("client.key", client.keyPEM)
        let file = try dir.write("config", Self.kubeconfig(
            cluster: "server: https://k8s.example:443\ncertificate-authority: ca.crt\ntls-server-name: api.internal",
            user: "client-certificate: client.crt\nclient-key: client.key", namespace: nil))
        let config = try KubeConfig.load(path: file)
        #expect(config.namespace == "default")
        #expect(config.tlsServerName == "api.internal")
        #expect(config.credentials == .clientCertificate(
            certificatePEM: Array(client.certificatePEM.utf8), keyPEM: Array(client.keyPEM.utf8)))
    }

    @Test func clientCertificateDataAndBasicAuthAndTokenFileAndInsecure() throws {
        let dir = try TempDirectory()
        let client = try TestPKI.selfSigned(commonName: "user")
        let certData = try KubeConfig.load(path: dir.write("a", Self.kubeconfig(
            cluster: "server: https://h:1\ninsecure-skip-tls-verify: true",
            user: "client-certificate-data: \(TestPKI.base64(client.certificatePEM))\nclient-key-data: \(TestPKI.base64(client.keyPEM))")))
        #expect(certData.trust == .insecureSkipVerify)
        if case .clientCertificate = certData.credentials {} else { Issue.record("expected client certificate") }

        let basic = try KubeConfig.load(path: dir.write("b", Self.kubeconfig(cluster: "server: https://h:1", user: "username: ann\npassword: pw")))
        #expect(basic.credentials == .basic(username: "ann", password: "pw"))

        try dir.write("token", "t0\n")
        let tokenFile = try KubeConfig.load(path: dir.write("c", Self.kubeconfig(cluster: "server: https://h:1", user: "tokenFile: token")))
        #expect(tokenFile.credentials == .tokenFile(path: "\(dir.path)/token"))
    }

    @Test func execPluginEntry() throws {
        let dir = try TempDirectory()
        let file = try dir.write("config", Self.kubeconfig(
            cluster: "server: https://h:1",
            user: "exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: ./get-token\n  args: [\"--cluster\", \"c1\"]\n  env:\n  - name: REGION\n    value: eu"))
        let config = try KubeConfig.load(path: file)
        guard case .exec(let plugin) = config.credentials else { Issue.record("expected exec"); return }
        #expect(plugin.command == "\(dir.path)/./get-token")
        #expect(plugin.args == ["--cluster", "c1"])
        #expect(plugin.env == ["REGION": "eu"])
    }

    @Test func kubeconfigListMergesWithFirstDefinitionWinning() throws {
        let dir = try TempDirectory()
        let first = try dir.write("one", """
            clusters:
            - name: shared
              cluster: {server: "https://first:1"}
            users:
            - name: u
              user: {token: first-token}
            contexts:
            - name: a
              context: {cluster: shared, user: u, namespace: ns-a}
            """)
        let second = try dir.write("two", """
            clusters:
            - name: shared
              cluster: {server: "https://second:2"}
            - name: other
              cluster: {server: "https://other:3"}
            contexts:
            - name: b
              context: {cluster: other, user: u}
            current-context: b
            """)
        let env = ["KUBECONFIG": "\(first):\(dir.path)/missing:\(second)", "HOME": dir.path]
        let current = try KubeConfig.load(environment: env)
        #expect(current.server == "https://other:3")
        #expect(current.credentials == .bearerToken("first-token"))
        let named = try KubeConfig.load(context: "a", environment: env)
        #expect(named.server == "https://first:1")
        #expect(named.namespace == "ns-a")
    }

    /// Broken input: each message names the file or entry and the field.
    @Test(arguments: [
        ("server: https://h:1\ncertificate-authority-data: '!!notbase64'", "token: x", "certificate-authority-data is invalid: not valid base64"),
        ("server: https://h:1\ncertificate-authority-data: \(TestPKI.base64("hello"))", "token: x", "certificate-authority-data is invalid: not a PEM certificate"),
        ("server: https://h:1\ncertificate-authority: nope.crt", "token: x", "nope.crt (named by cluster \"c1\""),
        ("insecure-skip-tls-verify: true", "token: x", "cluster \"c1\" in"),
        ("server: ftp://h:1", "token: x", "server is invalid"),
        ("server: https://h:1", "client-certificate-data: \(TestPKI.base64("x"))", "client-key or client-key-data is required"),
        ("server: https://h:1", "client-certificate-data: \(TestPKI.base64("junk"))\nclient-key-data: \(TestPKI.base64("junk"))", "client-certificate-data is invalid: not a PEM certificate"),
        ("server: https://h:1", "username: ann", "password is required"),
        ("server: https://h:1", "exec:\n  apiVersion: client.authentication.k8s.io/v1", "exec.command is required"),
        ("server: https://h:1", "exec:\n  command: x\n  apiVersion: v1", "exec.apiVersion is invalid"),
    ])
    func brokenInputNamesTheField(cluster: String, user: String, expected: String) throws {
        let dir = try TempDirectory()
        let file = try dir.write("config", Self.kubeconfig(cluster: cluster, user: user))
        let error = #expect(throws: ConfigError.self) { try KubeConfig.load(path: file) }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
    }

    @Test func missingFilesAndContexts() throws {
        let dir = try TempDirectory()
        let missing = #expect(throws: ConfigError.self) { try KubeConfig.load(path: "\(dir.path)/absent") }
        #expect(missing?.description.contains("\(dir.path)/absent") == true)

        let none = #expect(throws: ConfigError.self) { try KubeConfig.load(environment: ["HOME": dir.path]) }
        #expect(none?.description.contains("no Kubernetes configuration found") == true)

        let file = try dir.write("config", Self.kubeconfig(cluster: "server: https://h:1", user: "token: x"))
        let unknown = #expect(throws: ConfigError.self) { try KubeConfig.load(path: file, context: "prod") }
        #expect(unknown?.description == "context \"prod\" not found in \(file)")

        let noCurrent = try dir.write("nocurrent", Self.kubeconfig(cluster: "server: https://h:1", user: "token: x", current: nil))
        let error = #expect(throws: ConfigError.self) { try KubeConfig.load(path: noCurrent) }
        #expect(error?.description.contains("no current-context") == true)

        let dangling = try dir.write("dangling", """
            clusters: []
            contexts:
            - name: x
              context: {cluster: gone, user: u}
            current-context: x
            """)
        let danglingError = #expect(throws: ConfigError.self) { try KubeConfig.load(path: dangling) }
        #expect(danglingError?.description == "context \"x\" names cluster \"gone\", which is not defined")

        let malformed = try dir.write("malformed", "clusters: {not: [a, list}")
        let malformedError = #expect(throws: ConfigError.self) { try KubeConfig.load(path: malformed) }
        #expect(malformedError?.description.contains("kubeconfig \(malformed) is not valid") == true)
    }

    @Test func inClusterBracketsIPv6AndReadsTheServiceAccount() throws {
        let dir = try TempDirectory()
        let ca = try TestPKI.selfSigned()
        try dir.write("token", "sa-token")
        try dir.write("ca.crt", ca.certificatePEM)
        try dir.write("namespace", "cutover-system\n")
        let config = try KubeConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"], directory: dir.path)
        #expect(config.server == "https://[fd00::1]:443")
        #expect(config.namespace == "cutover-system")
        #expect(config.credentials == .tokenFile(path: "\(dir.path)/token"))

        // $KUBECONFIG wins over the in-cluster environment, as with kubectl.
        let file = try dir.write("config", Self.kubeconfig(cluster: "server: https://h:1", user: "token: x"))
        let detected = try KubeConfig.detect(
            environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "6443", "KUBECONFIG": file])
        #expect(detected.server == "https://h:1")

        let error = #expect(throws: ConfigError.self) {
            try KubeConfig.inCluster(environment: ["KUBERNETES_SERVICE_HOST": "10.0.0.1"], directory: dir.path)
        }
        #expect(error?.description.contains("KUBERNETES_SERVICE_PORT is not set") == true)
    }
}
