import Foundation
import KubeModels

/// Produces the `Authorization` header for each request and refreshes it when it goes stale.
///
/// Token files are re-read at least every ``tokenFileRefresh`` seconds and after a 401 (projected
/// service-account tokens rotate); exec plugin credentials are cached until their
/// `expirationTimestamp` and fetched again after a 401.
actor CredentialProvider {
    static let tokenFileRefresh: Double = 60

    private let credentials: KubeConfig.Credentials
    private let server: String
    private var cachedToken: (value: String, validUntil: Date)?

    init(credentials: KubeConfig.Credentials, server: String) {
        self.credentials = credentials
        self.server = server
    }

    /// Whether a 401 may be cured by fetching the credential again.
    nonisolated var canRefresh: Bool {
        switch credentials {
        case .tokenFile, .exec: return true
        default: return false
        }
    }

    /// The header value, or nil when the request goes without one (client certificates, none).
    func authorization(now: Date = Date()) async throws -> String? {
        switch credentials {
        case .none, .clientCertificate:
            return nil
        case .bearerToken(let token):
            return "Bearer \(token)"
        case .basic(let username, let password):
            return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case .tokenFile(let path):
            if let cached = cachedToken, cached.validUntil > now { return "Bearer \(cached.value)" }
            guard let data = FileManager.default.contents(atPath: path),
                let token = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
                !token.isEmpty
            else {
                throw ConfigError.unreadableFile(path: path, field: "tokenFile", reason: "missing or empty")
            }
            cachedToken = (token, now.addingTimeInterval(Self.tokenFileRefresh))
            return "Bearer \(token)"
        case .exec(let plugin):
            if let cached = cachedToken, cached.validUntil > now { return "Bearer \(cached.value)" }
            let credential = try await ExecCredentialRunner.run(plugin, server: server)
            // Refresh a little before expiry; a credential without expiry is kept until a 401.
            let validUntil = credential.expiration.map { $0.addingTimeInterval(-10) } ?? .distantFuture
            cachedToken = (credential.token, validUntil)
            return "Bearer \(credential.token)"
        }
    }

    /// Forgets the cached credential (after a 401), so the next request fetches it again.
    func invalidate() {
        cachedToken = nil
    }
}
