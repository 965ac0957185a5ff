import Foundation
import Testing
@testable import KubeAPI

@Suite struct CredentialProviderTests {
    /// A plugin script that counts its runs in a file and prints a token with the run number.
    static func countingPlugin(in dir: TempDirectory, expiresIn seconds: Int?) throws -> KubeConfig.ExecPlugin {
        let counter = "\(dir.path)/runs"
        let expiry = seconds.map { Date().addingTimeInterval(Double($0)) }.map { date -> String in
            let formatter = ISO8601DateFormatter()
            return ", \"expirationTimestamp\": \"\(formatter.string(from: date))\""
        } ?? ""
        let script = try dir.write("plugin.sh", """
            #!/bin/sh
            n=$(cat \(counter) 2>/dev/null || echo 0); n=$((n+1)); echo $n > \(counter)
            test -n "$KUBERNETES_EXEC_INFO" || { echo "no exec info" >&2; exit 3; }
            echo "{\\"apiVersion\\": \\"client.authentication.k8s.io/v1\\", \\"kind\\": \\"ExecCredential\\", \\"status\\": {\\"token\\": \\"tok-$n-$REGION\\"\(expiry.replacingOccurrences(of: "\"", with: "\\\""))}}"
            """, executable: true)
        return KubeConfig.ExecPlugin(command: script, env: ["REGION": "eu"])
    }

    @Test func execCredentialIsCachedUntilInvalidated() async throws {
        let dir = try TempDirectory()
        let provider = CredentialProvider(credentials: .exec(try Self.countingPlugin(in: dir, expiresIn: 3600)), server: "https://h")
        #expect(try await provider.authorization() == "Bearer tok-1-eu")
        #expect(try await provider.authorization() == "Bearer tok-1-eu")
        await provider.invalidate()
        #expect(try await provider.authorization() == "Bearer tok-2-eu")
    }

    @Test func expiredExecCredentialIsFetchedAgain() async throws {
        let dir = try TempDirectory()
        let provider = CredentialProvider(credentials: .exec(try Self.countingPlugin(in: dir, expiresIn: 60)), server: "https://h")
        #expect(try await provider.authorization() == "Bearer tok-1-eu")
        #expect(try await provider.authorization(now: Date().addingTimeInterval(120)) == "Bearer tok-2-eu")
    }

    @Test func failingPluginReportsItsStderr() async throws {
        let dir = try TempDirectory()
        let script = try dir.write("fail.sh", "#!/bin/sh\necho 'login required: run sso-login' >&2\nexit 2\n", executable: true)
        let provider = CredentialProvider(credentials: .exec(.init(command: script, entry: "user \"dev\"")), server: "https://h")
        let error = await #expect(throws: ConfigError.self) { try await provider.authorization() }
        #expect(error?.description.contains("exited with status 2") == true)
        #expect(error?.description.contains("stderr: login required: run sso-login") == true)
    }

    @Test func tokenFileIsReReadAfterAMinuteAndAfterInvalidation() async throws {
        let dir = try TempDirectory()
        let token = try dir.write("token", "first\n")
        let provider = CredentialProvider(credentials: .tokenFile(path: token), server: "https://h")
        let now = Date()
        #expect(try await provider.authorization(now: now) == "Bearer first")
        try dir.write("token", "second")
        #expect(try await provider.authorization(now: now.addingTimeInterval(30)) == "Bearer first")
        #expect(try await provider.authorization(now: now.addingTimeInterval(61)) == "Bearer second")
        try dir.write("token", "third")
        await provider.invalidate()
        #expect(try await provider.authorization(now: now.addingTimeInterval(62)) == "Bearer third")
    }

    @Test func basicAuthHeader() async throws {
        let provider = CredentialProvider(credentials: .basic(username: "ann", password: "s3cret"), server: "https://h")
        #expect(try await provider.authorization() == "Basic YW5uOnMzY3JldA==")
    }
}
