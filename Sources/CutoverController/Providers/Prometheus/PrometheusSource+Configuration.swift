import Cutover
import Prometheus

extension PrometheusSource {
    /// The client configuration for this source, with credentials read from Secrets in `namespace`
    /// (the Rollout's own). Throws ``AnalysisError`` naming the Secret when one cannot be used.
    public func clientConfiguration(namespace: String, secrets: any SecretReader) async throws -> PrometheusConfiguration {
        var configuration = PrometheusConfiguration(address: address, timeout: .seconds(timeoutSeconds))
        if let reference = bearerTokenSecret {
            let token = try await Self.value(of: reference.key, in: reference.name, namespace: namespace, field: "bearerTokenSecret", secrets)
            configuration.authorization = .bearer(String(decoding: token, as: UTF8.self).trimmingNewlines)
        } else if let reference = basicAuthSecret {
            let data = try await Self.read(reference.name, namespace: namespace, secrets)
            func text(_ key: String) throws -> String {
                guard let bytes = data[key] else {
                    throw AnalysisError.missingSecretKey(namespace: namespace, name: reference.name, key: key, field: "basicAuthSecret")
                }
                return String(decoding: bytes, as: UTF8.self)
            }
            configuration.authorization = .basic(username: try text("username"), password: try text("password"))
        }
        if let reference = caSecret {
            configuration.caCertificatesPEM = try await Self.value(of: reference.key, in: reference.name, namespace: namespace, field: "caSecret", secrets)
        }
        configuration.insecureSkipVerify = insecureSkipVerify ?? false
        configuration.headers = (headers ?? []).map { PrometheusConfiguration.Header(name: $0.name, value: $0.value) }
        return configuration
    }

    private static func value(
        of key: String, in name: String, namespace: String, field: String, _ secrets: any SecretReader
    ) async throws -> [UInt8] {
        guard let bytes = try await read(name, namespace: namespace, secrets)[key] else {
            throw AnalysisError.missingSecretKey(namespace: namespace, name: name, key: key, field: field)
        }
        return bytes
    }

    private static func read(_ name: String, namespace: String, _ secrets: any SecretReader) async throws -> [String: [UInt8]] {
        do {
            return try await secrets.secretData(namespace: namespace, name: name)
        } catch let error as AnalysisError {
            throw error
        } catch {
            throw AnalysisError.unreadableSecret(namespace: namespace, name: name, reason: String(describing: error))
        }
    }
}

extension String {
    /// Without trailing line breaks: `kubectl create secret --from-file` keeps the file's last newline,
    /// which is never part of a token.
    var trimmingNewlines: String {
        var text = Substring(self)
        while let last = text.last, last == "\n" || last == "\r" { text = text.dropLast() }
        return String(text)
    }
}
