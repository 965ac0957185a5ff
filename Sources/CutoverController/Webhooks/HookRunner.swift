import Cutover
import KubeModels
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Calls the gate hooks plans ask for (``ReleaseAction/callHook(_:)``) in the background and keeps
/// their outcomes for the next reconcile, the way ``AnalysisRunner`` keeps measurements.
///
/// Promises:
/// - one call per hook, revision and Rollout at a time; a call asked for while it runs is ignored,
///   and one asked for after it finished (a reconcile planned before the outcome arrived) gets
///   that outcome again instead of a second call;
/// - a call makes `retries + 1` attempts of at most `timeout` each, 1 s, 2 s, 4 s … apart; a 2xx
///   passes at once, anything else (another status, a timeout, a refused connection, an
///   unreadable Secret) is retried and, on the last attempt, fails with the answer as the message;
/// - a reconcile never waits for a hook.
public actor HookRunner {
    private struct CallKey: Hashable {
        var rollout: RolloutKey
        var name: HookName
        var revision: String
    }

    private struct Submission: Sendable {
        var call: HookCall
        var key: RolloutKey
    }

    private let client: WebhookClient
    private let secrets: any SecretReader
    private let metrics: ControllerMetrics?
    private let logger: Logger
    private let submissions: AsyncStream<Submission>
    private let input: AsyncStream<Submission>.Continuation
    private var inFlight: Set<CallKey> = []
    private var results = Handover<HookResult>()
    /// The outcome of each finished call, the current revision's only.
    private var outcomes: [CallKey: HookResult] = [:]

    public init(
        client: WebhookClient, secrets: any SecretReader, metrics: ControllerMetrics? = nil,
        logger: Logger = Logger(label: "cutover.hooks")
    ) {
        self.client = client
        self.secrets = secrets
        self.metrics = metrics
        self.logger = logger
        (submissions, input) = AsyncStream.makeStream(of: Submission.self)
    }

    /// Queues `call` for ``run(onFinished:)``; returns at once.
    public nonisolated func submit(_ call: HookCall, for rollout: RolloutKey) {
        input.yield(Submission(call: call, key: rollout))
    }

    /// Calls submitted hooks concurrently until the calling task is cancelled. `onFinished` is
    /// called with a Rollout's key once an outcome waits in ``takeResults(for:)``.
    public func run(onFinished: @escaping @Sendable (RolloutKey) -> Void) async {
        await withDiscardingTaskGroup { group in
            for await submission in submissions {
                let key = CallKey(rollout: submission.key, name: submission.call.name, revision: submission.call.payload.revision)
                if let outcome = outcomes[key] {
                    results.append([outcome], for: key.rollout)
                    onFinished(key.rollout)
                    continue
                }
                guard inFlight.insert(key).inserted else { continue }
                group.addTask {
                    let result = await self.call(submission.call, namespace: submission.key.namespace)
                    // Cut short by a shutdown: no outcome; the next controller calls it again.
                    guard !Task.isCancelled else { return }
                    await self.finish(key, result: result)
                    onFinished(submission.key)
                }
            }
        }
    }

    /// The outcomes for `rollout` since the last call; pass them in the next ``ReleaseSnapshot``.
    public func takeResults(for rollout: RolloutKey) -> [HookResult] {
        results.take(for: rollout)
    }

    /// Gives back outcomes whose status write failed, so the next reconcile sees them again.
    public func putBack(_ taken: [HookResult], for rollout: RolloutKey) {
        results.putBack(taken, for: rollout)
    }

    /// Drops what is kept about a deleted Rollout.
    public func forget(_ rollout: RolloutKey) {
        results.forget(rollout)
        outcomes = outcomes.filter { $0.key.rollout != rollout }
    }

    private func finish(_ key: CallKey, result: HookResult) {
        inFlight.remove(key)
        outcomes = outcomes.filter { $0.key.rollout != key.rollout || $0.key.revision == key.revision }
        outcomes[key] = result
        metrics?.webhookFinished(kind: result.name.rawValue, succeeded: result.passed)
        results.append([result], for: key.rollout)
    }

    /// All attempts of one call.
    private func call(_ call: HookCall, namespace: String) async -> HookResult {
        let attempts = call.hook.attempts
        let body = (try? JSONEncoder.sortedKeys.encode(call.payload)).map { Array($0) } ?? []
        var message = ""
        for attempt in 1...attempts {
            if Task.isCancelled { break }
            do {
                let url = try await resolveURL(call.hook, namespace: namespace)
                let response = try await client.post(
                    url, body: body, headers: [("X-Cutover-Hook", call.name.rawValue), ("X-Cutover-Attempt", "\(attempt)")],
                    timeout: call.hook.timeoutSeconds)
                message = response.summary
                if response.isSuccess {
                    return HookResult(name: call.name, revision: call.payload.revision, passed: true, attempts: Int32(attempt), message: message, at: Timestamp(Date()))
                }
            } catch {
                message = String(describing: error)
            }
            logger.info(
                "hook attempt failed",
                metadata: ["hook": "\(call.name.rawValue)", "rollout": "\(namespace)/\(call.payload.rollout)", "attempt": "\(attempt)/\(attempts)", "answer": "\(message)"])
            if attempt < attempts {
                try? await Task.sleep(for: .seconds(GateHook.retryDelaySeconds(afterAttempt: attempt)))
            }
        }
        return HookResult(name: call.name, revision: call.payload.revision, passed: false, attempts: Int32(attempts), message: message, at: Timestamp(Date()))
    }

    private func resolveURL(_ hook: GateHook, namespace: String) async throws -> String {
        if let url = hook.url { return url }
        guard let reference = hook.urlSecret else { throw WebhookClient.Failure.invalidURL("") }
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
