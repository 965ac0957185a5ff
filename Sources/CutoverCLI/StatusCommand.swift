import Cutover
import KubeAPI
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `kubectl cutover status NAME [--watch] [--timeout 15m]`: one line per change of the release,
/// ending with an outcome whose ``ReleaseOutcome/exitCode`` a pipeline can act on.
public enum StatusCommand {
    /// The exit codes, as `status --help` documents them.
    public static let exitCodeHelp = """
        Exit codes:
          0  Healthy: the applied template is the active revision
          1  RolledBack, InvalidSpec or Degraded (the reason names the
             metric, value and limit), or an error
          2  AwaitingApproval: waiting for `kubectl cutover promote NAME`;
             a pipeline can stop at the gate and resume later
          3  timed out (--timeout), or still in flight without --watch
        """

    /// Prints the status line of rollout `name` and, with `watch`, one more line per change (from a
    /// watch, not polling) until the release reaches an outcome or `timeout` seconds pass.
    /// Only a status computed for the current generation counts as an outcome.
    public static func run(name: String, watch: Bool, timeout: Double?, context: CLIContext) async throws -> ReleaseOutcome {
        let rollout = try await context.rollout(name)
        context.console.print(StatusLine.line(for: rollout))
        if let outcome = ReleaseOutcome.of(rollout) { return finish(outcome, rollout, context) }
        context.warnIfStale(rollout)
        guard watch else { return .timedOut }

        let latest = Latest<Rollout>(rollout)
        let printed = Latest<String>(StatusLine.line(for: rollout))
        let warned = Latest<Bool>(ControllerLag.warning(for: rollout, now: context.now(), threshold: context.staleAfter) != nil)
        let result = try await withThrowingTaskGroup(of: ReleaseOutcome?.self) { group in
            group.addTask {
                let found = Latest<ReleaseOutcome?>(nil)
                let follower = ObjectFollower<Rollout>(
                    client: context.client, namespace: context.namespace, fieldSelector: "metadata.name=\(name)")
                do {
                    try await follower.run { objects in
                        guard let current = objects.values.first else { throw deletedError(name, context: context) }
                        latest.set(current)
                        let line = StatusLine.line(for: current)
                        if line != printed.get {
                            printed.set(line)
                            context.console.print(line)
                        }
                        if let outcome = ReleaseOutcome.of(current) {
                            found.set(outcome)
                            throw CancellationError()
                        }
                    }
                } catch is CancellationError {
                    if let outcome = found.get { return outcome }
                    throw CancellationError()
                }
                return found.get
            }
            group.addTask {
                // The controller may be dead: then no event ever comes, so look at the clock too.
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(1))
                    if !warned.get, let warning = ControllerLag.warning(for: latest.get, now: context.now(), threshold: context.staleAfter) {
                        warned.set(true)
                        context.console.printError(warning)
                    }
                }
                return nil
            }
            if let timeout {
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
                    return .timedOut
                }
            }
            while let next = try await group.next() {
                if let outcome = next {
                    group.cancelAll()
                    return outcome
                }
            }
            return ReleaseOutcome.timedOut
        }
        if result == .timedOut {
            let limit = timeout.map { DurationText.format(Int64($0)) } ?? "the time given"
            context.console.printError("error: timed out after \(limit) waiting for rollout \(name): \(StatusLine.line(for: latest.get))")
            return .timedOut
        }
        return finish(result, latest.get, context)
    }

    /// Prints what the outcome means for someone reading a CI log.
    static func finish(_ outcome: ReleaseOutcome, _ rollout: Rollout, _ context: CLIContext) -> ReleaseOutcome {
        let name = rollout.metadata.name ?? "-"
        switch outcome {
        case .failed:
            context.console.printError("error: rollout \(name) did not complete: \(StatusLine.line(for: rollout))")
        case .awaitingApproval:
            context.console.printError("rollout \(name) is waiting for approval: kubectl cutover promote \(name) -n \(context.namespace)")
        case .healthy, .timedOut:
            break
        }
        return outcome
    }

    static func deletedError(_ name: String, context: CLIContext) -> KubeError {
        KubeError.notFound(
            Status(message: "rollouts.cutover.dev \"\(name)\" not found (deleted while watching)", reason: "NotFound", code: 404))
    }
}
