import Cutover
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Measures `job` metrics: runs the measurement's Job (made by the plan, owned by the Rollout)
/// to its end with ``JobRunner``; a completed Job passes and is deleted, a failed one breaches
/// (its reason and log tail in the message) and is kept for a look. A Job still running at its
/// timeout plus a grace period (its own deadline should have failed it) is an error.
final class JobProvider: MetricProvider {
    private let runner: JobRunner?

    /// Beyond the Job's own deadline, how long its end may take to be seen.
    static let graceSeconds: Int64 = 30

    init(runner: JobRunner?) {
        self.runner = runner
    }

    func shutdown() async {}

    func measure(_ queries: [MetricQuery], for rollout: Rollout, at time: Date) async -> [Measurement] {
        await measureEach(queries) { query in
            guard case .job(let job, let timeoutSeconds) = query.source else { return nil }
            return query.measurement(at: time, value: await self.sample(job, timeoutSeconds: timeoutSeconds))
        }
    }

    private func sample(_ job: Job, timeoutSeconds: Int64) async -> Measurement.Sample {
        guard let runner else { return .error("this controller runs no Job metrics") }
        let outcome = await withTaskGroup(of: (passed: Bool, message: String)?.self) { group in
            group.addTask { await runner.run(job) }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeoutSeconds + Self.graceSeconds))
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        guard let outcome else {
            return .error("Job \(job.metadata.name ?? "") did not end within \(DurationText.format(timeoutSeconds + Self.graceSeconds))")
        }
        if outcome.passed { await runner.delete(job) }
        return .check(passed: outcome.passed, message: outcome.message)
    }
}
