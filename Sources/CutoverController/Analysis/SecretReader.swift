import KubeAPI
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads a Secret's decoded `data`. The analysis runner uses it for the credentials a Rollout's
/// `analysis.prometheus` names; the controller passes a ``KubeSecretReader``.
public protocol SecretReader: Sendable {
    /// The Secret's `data`, base64-decoded, by key. Throws when the Secret cannot be read
    /// (not found, forbidden, unreachable API server).
    func secretData(namespace: String, name: String) async throws -> [String: [UInt8]]
}

/// A ``SecretReader`` that gets Secrets from the Kubernetes API on every call. Credentials are read
/// fresh for each measurement, so a rotated token is used at the next interval.
public struct KubeSecretReader: SecretReader {
    private let client: KubeClient

    public init(client: KubeClient) {
        self.client = client
    }

    public func secretData(namespace: String, name: String) async throws -> [String: [UInt8]] {
        let secret = try await client.get(Secret.self, name: name, namespace: namespace)
        var data: [String: [UInt8]] = [:]
        for (key, encoded) in secret.data ?? [:] {
            guard let bytes = Data(base64Encoded: encoded) else {
                throw AnalysisError.unreadableSecret(namespace: namespace, name: name, reason: "key \"\(key)\" is not valid base64")
            }
            data[key] = Array(bytes)
        }
        return data
    }
}
