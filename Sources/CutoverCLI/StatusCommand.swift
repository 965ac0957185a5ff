import Cutover
import KubeAPI
import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `kubectl cutover status [group] NAME [--watch] [--timeout 15m]`: one line per change of the
/// release (of a Rollout, or of a ReleaseGroup with its members), ending with an outcome whose
/// ``ReleaseOutcome/exitCode`` a pipeline can act on.
public enum StatusCommand {
    /// The exit codes, as `status --help` documents them.
    public static let exitCodeHelp = """
        Exit codes:
          0  Healthy: the applied template is the active revision
             (a group: condition Completed, every member settled)
          1  RolledBack, InvalidSpec or Degraded (the reason names the
             metric, value and limit; for a group, the member), or an error
          2  AwaitingApproval: waiting for `kubectl cutover promote NAME`
             (`promote group NAME`); a pipeline can stop at the gate and
             resume later
          3  timed out (--timeout), or still in flight without --watch
        """

    /// Prints the status line of rollout `name` and, with `watch`, one more line per change (from a
    /// watch, not polling) until the release reaches an outcome or `timeout` seconds pass.
    /// Only a status computed for the current generation counts as an outcome.
    public static func run(name: String, watch: Bool, timeout: Double?, context: CLIContext) async throws -> ReleaseOutcome {
        let rollout = try await context.rollout(name)
        return try await follow(rollout, watch: watch, timeout: timeout, context: context) { changed in
            try await ObjectFollower<Rollout>(client: context.client, namespace: context.namespace, fieldSelector: "metadata.name=\(name)").run { objects in
                guard let current = objects.values.first else { throw deletedError(Rollout.self, name) }
                try await changed(current)
            }
        }
    }

    /// Prints the status line of the ReleaseGroup `name` and, with `watch`, one more line per
    /// change of the group or of a member (two watches, not polling) until the group release
    /// reaches an outcome (Completed once every member settled, RolledBack, InvalidSpec,
    /// AwaitingApproval) or `timeout` seconds pass.
    public static func run(group name: String, watch: Bool, timeout: Double?, context: CLIContext) async throws -> ReleaseOutcome {
        let snapshot = try await ObservedGroup.read(name, context: context)
        return try await follow(snapshot, watch: watch, timeout: timeout, context: context) { changed in
            try await ObservedGroup.follow(snapshot, context: context, changed: changed)
        }
    }

    /// Prints `initial`'s line and, with `watch`, the line of every changed subject `updates`
    /// reports, until one reaches an outcome or `timeout` seconds pass. `updates` runs until
    /// cancelled; the clock is checked each second for the controller-lag warning, since a dead
    /// controller sends no events.
    static func follow<Subject: StatusSubject>(
        _ initial: Subject, watch: Bool, timeout: Double?, context: CLIContext,
        updates: @escaping @Sendable (_ changed: @escaping @Sendable (Subject) async throws -> Void) async throws -> Void
    ) async throws -> ReleaseOutcome {
        context.console.print(initial.statusLine)
        if let outcome = initial.outcome { return finish(outcome, initial, context) }
        if let warning = initial.lagWarning(now: context.now(), threshold: context.staleAfter) { context.console.printError(warning) }
        guard watch else { return .timedOut }

        let latest = Latest<Subject>(initial)
        let printed = Latest<String>(initial.statusLine)
        let warned = Latest<Bool>(initial.lagWarning(now: context.now(), threshold: context.staleAfter) != nil)
        let result = try await withThrowingTaskGroup(of: ReleaseOutcome?.self) { group in
            group.addTask {
                let found = Latest<ReleaseOutcome?>(nil)
                do {
                    try await updates { current in
                        latest.set(current)
                        let line = current.statusLine
                        printed.update { last in
                            guard line != last else { return }
                            last = line
                            context.console.print(line)
                        }
                        if let outcome = current.outcome {
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
                    if !warned.get, let warning = latest.get.lagWarning(now: context.now(), threshold: context.staleAfter) {
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
            context.console.printError("error: timed out after \(limit) waiting for \(latest.get.subjectName): \(latest.get.statusLine)")
            return .timedOut
        }
        return finish(result, latest.get, context)
    }

    /// Prints what the outcome means for someone reading a CI log.
    static func finish(_ outcome: ReleaseOutcome, _ subject: some StatusSubject, _ context: CLIContext) -> ReleaseOutcome {
        switch outcome {
        case .failed:
            context.console.printError("error: \(subject.subjectName) did not complete: \(subject.statusLine)")
        case .awaitingApproval:
            context.console.printError("\(subject.subjectName) is waiting for approval: \(subject.promoteCommand) -n \(context.namespace)")
        case .healthy, .timedOut:
            break
        }
        return outcome
    }

    /// The NotFound of an object deleted while it was watched, worded as the server words it.
    static func deletedError<Object: KubeObject>(_ type: Object.Type, _ name: String) -> KubeError {
        KubeError.notFound(
            Status(
                message: "\(Object.resource.plural).\(Object.resource.group) \"\(name)\" not found (deleted while watching)",
                reason: "NotFound", code: 404))
    }
}
