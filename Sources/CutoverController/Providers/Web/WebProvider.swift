import Cutover
import KubeModels
import NIOHTTP1

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Measures web metrics: one HTTP request per measurement to the metric's URL (the outbound
/// rules of gate hooks apply), its JSON answer read by ``WebAnswer``. Secrets (`urlSecret`,
/// `headersSecret`) are read at every measurement, so a rotated credential is used at once.
final class WebProvider: MetricProvider {
    private let client: WebhookClient
    private let secrets: any SecretReader

    /// The most of an answer that is read; a larger one is an error.
    static let answerLimit = 1 << 20

    init(client: WebhookClient, secrets: any SecretReader) {
        self.client = client
        self.secrets = secrets
    }

    func shutdown() async {
        await client.shutdown()
    }

    func measure(_ queries: [MetricQuery], for rollout: Rollout, at time: Date) async -> [Measurement] {
        let namespace = rollout.metadata.namespace ?? ""
        return await measureEach(queries) { query in
            guard case .web(let web) = query.source else { return nil }
            return query.measurement(at: time, value: await self.sample(web, namespace: namespace))
        }
    }

    private func sample(_ web: WebMetric, namespace: String) async -> Measurement.Sample {
        do {
            let url: String
            if let direct = web.url {
                url = direct
            } else if let reference = web.urlSecret {
                url = try await secrets.url(from: reference, namespace: namespace)
            } else {
                return .error("the metric names no url")
            }
            var headers = (web.headers ?? []).map { ($0.name, $0.value) }
            if let reference = web.headersSecret {
                let data: [String: [UInt8]]
                do {
                    data = try await secrets.secretData(namespace: namespace, name: reference.name)
                } catch {
                    return .error("Secret \(namespace)/\(reference.name): \(error)")
                }
                for (name, value) in data.sorted(by: { $0.key < $1.key }) {
                    headers.append((name, String(decoding: value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
                }
            }
            let post = web.method == "POST"
            let response = try await client.send(
                url, method: post ? .POST : .GET, target: .hooks, body: post ? Array((web.body ?? "").utf8) : nil, headers: headers,
                timeout: web.timeoutSeconds, keep: Self.answerLimit + 1)
            return WebAnswer.sample(of: response, jsonPath: web.jsonPath, limit: Self.answerLimit)
        } catch {
            return .error(String(describing: error))
        }
    }
}
