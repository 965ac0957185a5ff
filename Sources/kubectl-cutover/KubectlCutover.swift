import ArgumentParser
import CutoverCLI
import KubeAPI

#if canImport(Glibc)
import Glibc
#endif

/// `kubectl-cutover`: on PATH it makes `kubectl cutover ...` work. Argument parsing only; the
/// commands live in CutoverCLI.
@main
struct KubectlCutover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kubectl cutover",
        abstract: "Follow and steer Cutover releases (Rollouts, cutover.dev/v1alpha1).",
        discussion: """
            Uses kubectl's configuration: --kubeconfig, else $KUBECONFIG, else
            in-cluster, else ~/.kube/config; --context, else current-context;
            -n, else the context's namespace.

            \(StatusCommand.exitCodeHelp)
            """,
        version: "kubectl-cutover \(CutoverVersion.current)",
        subcommands: [Status.self, Get.self, List.self, Promote.self, Abort.self, Retry.self, Pause.self, Resume.self, History.self, Report.self, Version.self]
    )
}

/// kubectl's connection flags, on every command.
struct KubeFlags: ParsableArguments {
    @Option(help: "Path to the kubeconfig file to use.")
    var kubeconfig: String?

    @Option(help: "The name of the kubeconfig context to use.")
    var context: String?

    @Option(name: [.short, .long], help: "The namespace (default: the context's namespace).")
    var namespace: String?

    /// Connects, runs `body`, shuts the client down, and turns errors into kubectl-like messages and exit 1.
    func run<T>(_ body: (CLIContext) async throws -> T) async throws -> T {
        let console = Console.standard()
        let context: CLIContext
        do {
            context = try CLIContext.connect(kubeconfig: kubeconfig, context: self.context, namespace: namespace, console: console)
        } catch {
            console.printError(CLIError.message(for: error))
            throw ExitCode(1)
        }
        do {
            let result = try await body(context)
            try? await context.client.shutdown()
            return result
        } catch let exit as ExitCode {
            try? await context.client.shutdown()
            throw exit
        } catch {
            try? await context.client.shutdown()
            console.printError(CLIError.message(for: error))
            throw ExitCode(1)
        }
    }
}

/// Parses `--timeout` as the spec writes durations (`90s`, `15m`, `1h30m`; `0` means no limit).
func parseTimeout(_ text: String?) throws -> Double? {
    guard let text else { return nil }
    guard let seconds = DurationParsing.seconds(text) else {
        throw ValidationError("--timeout \"\(text)\" is not a duration; use e.g. 90s, 15m or 1h30m")
    }
    return seconds == 0 ? nil : Double(seconds)
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the release's status line; with --watch one line per change until it ends.",
        discussion: """
            One line per change, e.g.
              Canary 20% (step 1/2) — error-rate 0.002 ≤ 0.01, 4/8 checks passed
            Only a status computed for the Rollout's current generation counts,
            so `status --watch` right after `kubectl apply` follows the new release.

            \(StatusCommand.exitCodeHelp)

            In CI:
              kubectl apply -f rollout.yaml
              kubectl cutover status payment -n prod --watch --timeout 15m
            """)

    @OptionGroup var flags: KubeFlags
    @Argument(help: "The Rollout's name.") var name: String
    @Flag(name: [.short, .long], help: "Follow the release (a watch) until it ends.") var watch = false
    @Option(help: "Give up after this long with exit 3 (e.g. 15m; default: no limit).") var timeout: String?

    func run() async throws {
        let limit = try parseTimeout(timeout)
        let outcome = try await flags.run { try await StatusCommand.run(name: name, watch: watch, timeout: limit, context: $0) }
        throw ExitCode(outcome.exitCode)
    }
}

struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the release as a tree: revisions, Deployments, Services, weight, analysis.",
        discussion: """
            With --watch the tree is redrawn in place on a terminal, and printed
            again after a blank line on each change otherwise (no escape codes).
            """)

    @OptionGroup var flags: KubeFlags
    @Argument(help: "The Rollout's name.") var name: String
    @Flag(name: [.short, .long], help: "Redraw on every change (watches the Rollout, its Deployments and Services).") var watch = false
    @Option(name: [.short, .customLong("output")], help: "Output format: json or yaml (default: the tree).") var output: String?

    func run() async throws {
        let format: OutputFormat
        do { format = try OutputFormat(flag: output) } catch { throw ValidationError(CLIError.message(for: error)) }
        try await flags.run { try await GetCommand.run(name: name, watch: watch, format: format, context: $0) }
    }
}

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List Rollouts with phase, weight, revisions and age.")

    @OptionGroup var flags: KubeFlags
    @Flag(name: [.customShort("A"), .long], help: "List Rollouts in all namespaces.") var allNamespaces = false

    func run() async throws {
        try await flags.run { try await ListCommand.run(allNamespaces: allNamespaces, context: $0) }
    }
}

/// The shared body of the action commands.
func act(_ action: RolloutAction, _ flags: KubeFlags, _ name: String) async throws {
    try await flags.run { context in _ = try await ActionCommand.run(action, name: name, context: context) }
}

struct Promote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Skip the remaining canary steps and approval (cutover.dev/promote).",
        discussion: """
            Analysis keeps running and a breach still reverts. --full
            (cutover.dev/promote-full) also switches analysis off, and in
            HoldWindow ends the hold window now.
            """)
    @OptionGroup var flags: KubeFlags
    @Argument(help: "The Rollout's name.") var name: String
    @Flag(help: "Also skip analysis; in HoldWindow, end the hold window now.") var full = false
    func run() async throws { try await act(full ? .promoteFull : .promote, flags, name) }
}

struct Abort: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revert the release in flight to blue (cutover.dev/abort).")
    @OptionGroup var flags: KubeFlags
    @Argument(help: "The Rollout's name.") var name: String
    func run() async throws { try await act(.abort, flags, name) }
}

struct Retry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Release a RolledBack template again (cutover.dev/retry).")
    @OptionGroup var flags: KubeFlags
    @Argument(help: "The Rollout's name.") var name: String
    func run() async throws { try await act(.retry, flags, name) }
}

struct Pause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop forward progress (cutover.dev/paused=true); reverts still happen.")
    @OptionGroup var flags: KubeFlags
    @Argument(help: "The Rollout's name.") var name: String
    func run() async throws { try await act(.pause, flags, name) }
}

struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Continue a paused release (removes cutover.dev/paused).")
    @OptionGroup var flags: KubeFlags
    @Argument(help: "The Rollout's name.") var name: String
    func run() async throws { try await act(.resume, flags, name) }
}

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Past revisions with images, outcome, start and end.")
    @OptionGroup var flags: KubeFlags
    @Argument(help: "The Rollout's name.") var name: String
    func run() async throws { try await flags.run { try await HistoryCommand.run(name: name, context: $0) } }
}

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A deployment report of one release (timeline, decisions, measurements) from status.history.",
        discussion: """
            Markdown fit to paste into a ticket, or JSON for scripts (the record's
            fields as in status.history, plus rollout, namespace and hooks). Times
            are UTC (RFC 3339) and offsets from the release's start, so the same
            release always gives the same text.
              kubectl cutover report payment -n prod > release.md
              kubectl cutover report payment -n prod --revision 5d8b2a91 --format json
            """)

    @OptionGroup var flags: KubeFlags
    @Argument(help: "The Rollout's name.") var name: String
    @Option(help: "The revision (template hash) of the release; default: the newest release.") var revision: String?
    @Option(help: "markdown (default) or json.") var format: String?

    func run() async throws {
        let reportFormat: ReportFormat
        do { reportFormat = try ReportFormat(flag: format) } catch { throw ValidationError(CLIError.message(for: error)) }
        try await flags.run { try await ReportCommand.run(name: name, revision: revision, format: reportFormat, context: $0) }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the plugin's version.")
    func run() { print("kubectl-cutover \(CutoverVersion.current)") }
}
