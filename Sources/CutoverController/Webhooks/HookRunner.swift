import Cutover
import KubeModels
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Calls the gate hooks plans ask for (``ReleaseAction/callHook(_:)``); the hooks' ``EffectPipeline``
/// runs it in the background, one call per hook, revision and Rollout, and hands a call asked for
/// again after it finished the same outcome instead of a second call.
///
/// A call makes `retries + 1` attempts of at most `timeout` each, 1 s, 2 s, 4 s … apart; a 2xx
/// passes at once, anything else (another status, a timeout, a refused connection, an unreadable
/// Secret) is retried and, on the last attempt, fails with the answer as the message.
final class HookRunner: Sendable {
    private let client: WebhookClient
    private let jobs: JobRunner?
    private let secrets: any SecretReader
    private let metrics: ControllerMetrics?
    private let logger: Logger

    /// - Parameter jobs: runs the gates that are Jobs; without it such a gate fails.
    init(
        client: WebhookClient, jobs: JobRunner? = nil, secrets: any SecretReader, metrics: ControllerMetrics? = nil,
        logger: Logger = Logger(label: "cutover.hooks")
    ) {
        self.client = client
        self.jobs = jobs
        self.secrets = secrets
        self.metrics = metrics
        self.logger = logger
    }

    /// All attempts of one call (or the run of its Job); nil when cut short by a shutdown (the
    /// next controller calls again, or follows the same Job).
    func call(_ call: HookCall, namespace: String) async -> HookResult? {
        if let job = call.job {
            let outcome: (passed: Bool, message: String)
            if let jobs {
                guard let finished = await jobs.run(job) else { return nil }
                outcome = finished
            } else {
                outcome = (false, "this controller runs no Job gates")
            }
            metrics?.webhookFinished(kind: call.name.rawValue, succeeded: outcome.passed)
            return HookResult(
                name: call.name, revision: call.payload.revision, passed: outcome.passed, attempts: 1, message: outcome.message,
                at: Timestamp(Date()))
        }
        let body = (try? JSONEncoder.sortedKeys.encode(call.payload)).map { Array($0) } ?? []
        let hook = call.hook, secrets = self.secrets, name = call.name
        let attempts = await client.post(
            attempts: hook.attempts, target: .hooks, timeout: hook.timeoutSeconds, body: body,
            url: { try await Self.resolveURL(hook, namespace: namespace, secrets: secrets) },
            headers: { attempt in [("X-Cutover-Hook", name.rawValue), ("X-Cutover-Attempt", "\(attempt)")] },
            retryable: { _ in true },
            failedAttempt: { attempt, message in
                logger.info(
                    "hook attempt failed",
                    metadata: ["hook": "\(name.rawValue)", "rollout": "\(namespace)/\(call.payload.rollout)",
                               "attempt": "\(attempt)/\(hook.attempts)", "answer": "\(message)"])
            })
        guard let attempts else { return nil }
        metrics?.webhookFinished(kind: name.rawValue, succeeded: attempts.succeeded)
        return HookResult(
            name: name, revision: call.payload.revision, passed: attempts.succeeded, attempts: Int32(attempts.count),
            message: attempts.message, at: Timestamp(Date()))
    }

    private static func resolveURL(_ hook: GateHook, namespace: String, secrets: any SecretReader) async throws -> String {
        if let url = hook.url { return url }
        guard let reference = hook.urlSecret else { throw WebhookClient.Failure.invalidURL }
        return try await secrets.url(from: reference, namespace: namespace)
    }
}

extension SecretReader {
    /// The URL stored under `reference`, trimmed of surrounding whitespace.
    func url(from reference: SecretKeyReference, namespace: String) async throws -> String {
        let data: [String: [UInt8]]
        do {
            data = try await secretData(namespace: namespace, name: reference.name)
        } catch {
            throw WebhookClient.Failure.transport("Secret \(namespace)/\(reference.name): \(error)")
        }
        guard let bytes = data[reference.key] else {
            throw WebhookClient.Failure.transport("Secret \(namespace)/\(reference.name) has no key \"\(reference.key)\"")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys, so payloads are stable (and testable byte for byte).
    static var sortedKeys: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
