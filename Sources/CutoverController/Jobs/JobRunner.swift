import Cutover
import KubeAPI
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs a Job the plan made, for a gate (`hooks.*.job`) or a metric (`analysis.metrics[].job`):
/// creates it (once: a Job of that name already there, left by a controller that died, is
/// followed instead of run twice), then reads it until it completes or fails. A failure's message
/// names the Job, its reason and the last lines of its newest pod's log.
public final class JobRunner: Sendable {
    private let client: KubeClient
    private let pollInterval: Duration

    /// Lines of a failed pod's log kept in the message.
    static let logTailLines = 10

    public init(client: KubeClient, pollInterval: Duration = .seconds(1)) {
        self.client = client
        self.pollInterval = pollInterval
    }

    /// Whether the Job passed, and what to say; nil when cancelled (a shutdown: the next
    /// controller follows the same Job). A Job the API server refuses (422, 403) fails at once;
    /// other API errors are retried until cancelled: the caller bounds the wait (a gate's budget
    /// in the plan, a metric's timeout).
    func run(_ job: Job) async -> (passed: Bool, message: String)? {
        let name = job.metadata.name ?? "", namespace = job.metadata.namespace ?? ""
        while !Task.isCancelled {
            do {
                let current: Job
                do {
                    current = try await client.get(Job.self, name: name, namespace: namespace)
                } catch let error as KubeError where error.isNotFound {
                    current = try await client.create(job)
                }
                if current.metadata.labels?[CutoverLabels.revision] != job.metadata.labels?[CutoverLabels.revision]
                    || current.metadata.labels?[CutoverLabels.rollout] != job.metadata.labels?[CutoverLabels.rollout]
                {
                    return (false, "Job \(name) exists and was not created by this Rollout for this revision; delete or rename it")
                }
                if let done = current.status?.condition("Complete") {
                    return (true, "Job \(name) completed" + (done.message.map { ": \($0)" } ?? ""))
                }
                if let failed = current.status?.condition("Failed") {
                    return (false, await failureMessage(current, failed))
                }
            } catch let error as KubeError where error.isAlreadyExists {
                continue
            } catch let error as KubeError {
                // A Job the API server refuses (an invalid template, a missing permission) will be
                // refused again: the answer is the outcome. Anything else may pass.
                switch error {
                case .invalid(let status), .forbidden(let status):
                    return (false, "the API server refused Job \(name): \(status.message ?? String(describing: error))")
                default: break
                }
            } catch is CancellationError {
                return nil
            } catch {
                // The API server may be away for a moment; the plan's budget bounds the wait.
            }
            try? await Task.sleep(for: pollInterval)
        }
        return nil
    }

    /// `Job payment-7c6b9d4f2a-pre-release failed (BackoffLimitExceeded: ...); payment-...-x7kqz: <last lines>`.
    private func failureMessage(_ job: Job, _ condition: Condition) async -> String {
        let name = job.metadata.name ?? ""
        var message = "Job \(name) failed (\(condition.reason ?? "Failed")" + (condition.message.map { ": \($0)" } ?? "") + ")"
        let pods = (try? await client.list(
            Pod.self, namespace: job.metadata.namespace, options: ListOptions(labelSelector: "batch.kubernetes.io/job-name=\(name)")).items) ?? []
        guard let newest = pods.max(by: { ($0.metadata.creationTimestamp?.date ?? .distantPast) < ($1.metadata.creationTimestamp?.date ?? .distantPast) }),
            let podName = newest.metadata.name
        else { return message }
        let container = newest.spec?["containers"]?.arrayValue?.first?["name"]?.stringValue
        if let log = try? await client.podLog(name: podName, namespace: job.metadata.namespace, container: container, tailLines: Self.logTailLines) {
            let lines = log.split(whereSeparator: \.isNewline).joined(separator: " | ")
            if !lines.isEmpty { message += "; \(podName): \(lines)" }
        }
        return message
    }

    /// Deletes the Job and its pods (a metric's Job that passed: nothing left to look at).
    func delete(_ job: Job) async {
        try? await client.delete(Job.self, name: job.metadata.name ?? "", namespace: job.metadata.namespace, options: DeleteOptions(propagationPolicy: "Background"))
    }
}
