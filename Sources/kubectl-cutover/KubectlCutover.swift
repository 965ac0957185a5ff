import ArgumentParser
import CutoverCLI
import CutoverDashboard
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
        abstract: "Follow and steer Cutover releases (Rollouts and ReleaseGroups, cutover.dev/v1alpha1).",
        discussion: """
            Commands name a Rollout, or a ReleaseGroup after the word group:
              kubectl cutover status payment
              kubectl cutover status group shop     (also releasegroup, crg)
            get, status, promote, abort, retry and report work on both.

            Uses kubectl's configuration: --kubeconfig, else $KUBECONFIG, else
            in-cluster, else ~/.kube/config; --context, else current-context;
            -n, else the context's namespace.

            \(StatusCommand.exitCodeHelp)
            """,
        version: "kubectl-cutover \(CutoverVersion.current)",
        subcommands: [
            Status.self, Get.self, List.self, Dashboard.self, Promote.self, Abort.self, Retry.self, Pause.self, Resume.self, Undo.self, History.self, Report.self,
            Version.self,
        ]
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

/// `[KIND] NAME`, the same on every command that names an object: a Rollout's name alone, or a
/// kind before the name (`group shop` for a ReleaseGroup; see ``ReleaseTarget``).
struct TargetArguments: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "A Rollout's name; or a kind before the name: group (also releasegroup, crg) for a ReleaseGroup, rollout for a Rollout.",
            valueName: "kind-or-name"))
    var first: String

    @Argument(help: ArgumentHelp("The name, after a kind: `group shop`.", valueName: "name"))
    var second: String?

    /// The object named; an unknown kind is a usage error (exit 64).
    func target() throws -> ReleaseTarget {
        do {
            return try ReleaseTarget(first, second)
        } catch CLIError.usage(let text) {
            throw ValidationError(text)
        }
    }

    /// The Rollout named; a ReleaseGroup is a usage error for `command`, which works on Rollouts only.
    func rollout(for command: String) throws -> String {
        switch try target() {
        case .rollout(let name): return name
        case .group(let name):
            throw ValidationError(
                "\(command) works on a Rollout, not on releasegroup \(name); a ReleaseGroup has get, status, promote, abort, retry and report")
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
        usage: "kubectl cutover status [group] <name> [<options>]",
        discussion: """
            One line per change, e.g.
              Canary 20% (step 1/2) — error-rate 0.002 ≤ 0.01, 4/8 checks passed
            Only a status computed for the Rollout's current generation counts,
            so `status --watch` right after `kubectl apply` follows the new release.

            `status group NAME` follows a ReleaseGroup and its member Rollouts.
            Its Completed or RolledBack counts once every member settled, so
            right after `kubectl apply` of the members it follows the new group
            release.

            \(StatusCommand.exitCodeHelp)

            In CI:
              kubectl apply -f rollout.yaml
              kubectl cutover status payment -n prod --watch --timeout 15m
            """)

    @OptionGroup var flags: KubeFlags
    @OptionGroup var target: TargetArguments
    @Flag(name: [.short, .long], help: "Follow the release (a watch) until it ends.") var watch = false
    @Option(help: "Give up after this long with exit 3 (e.g. 15m; default: no limit).") var timeout: String?

    func run() async throws {
        let limit = try parseTimeout(timeout)
        let target = try target.target()
        let outcome = try await flags.run { context in
            switch target {
            case .rollout(let name): try await StatusCommand.run(name: name, watch: watch, timeout: limit, context: context)
            case .group(let name): try await StatusCommand.run(group: name, watch: watch, timeout: limit, context: context)
            }
        }
        throw ExitCode(outcome.exitCode)
    }
}

struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the release as a tree: revisions, Deployments, Services, weight, analysis.",
        usage: "kubectl cutover get [group] <name> [<options>]",
        discussion: """
            `get group NAME` shows a ReleaseGroup: its phase, step and ready
            members, the release's barrier and waves, and each member with its
            phase, wave, the barrier it waits at and its revisions.

            With --watch the tree is redrawn in place on a terminal, and printed
            again after a blank line on each change otherwise (no escape codes).
            """)

    @OptionGroup var flags: KubeFlags
    @OptionGroup var target: TargetArguments
    @Flag(
        name: [.short, .long],
        help: "Redraw on every change (watches the Rollout, its Deployments and Services; or the group and its members).")
    var watch = false
    @Option(name: [.short, .customLong("output")], help: "Output format: json or yaml (default: the tree).") var output: String?

    func run() async throws {
        let format: OutputFormat
        do { format = try OutputFormat(flag: output) } catch { throw ValidationError(CLIError.message(for: error)) }
        let target = try target.target()
        try await flags.run { context in
            switch target {
            case .rollout(let name): try await GetCommand.run(name: name, watch: watch, format: format, context: context)
            case .group(let name): try await GetCommand.run(group: name, watch: watch, format: format, context: context)
            }
        }
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

struct Dashboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a live web page of every release on this machine (read-only unless --allow-actions).",
        discussion: """
            Watches Rollouts and ReleaseGroups with your kubeconfig, so your RBAC
            decides what the page shows. -n takes several namespaces (-n a,b);
            -A shows every namespace you may read. Prints the address and opens it
            in the browser where there is a desktop. See docs/dashboard.md.
            """)

    @OptionGroup var flags: KubeFlags
    @Flag(name: [.customShort("A"), .long], help: "Show Rollouts in all namespaces.") var allNamespaces = false
    @Option(help: "The address to listen on.") var address = "127.0.0.1"
    @Option(help: "The port to listen on (0: a free one).") var port = 0
    @Flag(help: "Offer promote, abort, retry, pause and resume on the page.") var allowActions = false
    @Flag(help: "Do not open the page in a browser.") var noBrowser = false

    func run() async throws {
        try await flags.run { context in
            let scope: DashboardScope = allNamespaces ? .allNamespaces : DashboardScope.parse(flags.namespace ?? context.namespace)
            try await DashboardCommand.run(
                scope: scope, server: DashboardServer.Configuration(host: address, port: port, allowActions: allowActions),
                openBrowser: !noBrowser, context: context)
        }
    }
}

/// The shared body of the action commands on a Rollout.
func act(_ action: RolloutAction, _ flags: KubeFlags, _ name: String) async throws {
    try await flags.run { context in _ = try await ActionCommand.run(action, name: name, context: context) }
}

/// The shared body of the actions a ReleaseGroup has too: `action` on a Rollout, `groupAction` on a group.
func act(_ action: RolloutAction, or groupAction: GroupAction, _ flags: KubeFlags, _ target: TargetArguments) async throws {
    switch try target.target() {
    case .rollout(let name): try await act(action, flags, name)
    case .group(let name): try await flags.run { context in _ = try await ActionCommand.run(groupAction, group: name, context: context) }
    }
}

struct Promote: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Skip the remaining canary steps and approval (cutover.dev/promote).",
        usage: "kubectl cutover promote [group] <name> [<options>]",
        discussion: """
            Analysis keeps running and a breach still reverts. --full
            (cutover.dev/promote-full) also switches analysis off, and in
            HoldWindow ends the hold window now.

            `promote group NAME` approves the cutover of a ReleaseGroup with
            approval Manual once every member waits at Cutover (AwaitingApproval);
            it skips no canary step, and --full does not apply.
            """)
    @OptionGroup var flags: KubeFlags
    @OptionGroup var target: TargetArguments
    @Flag(help: "Also skip analysis; in HoldWindow, end the hold window now (Rollouts only).") var full = false
    func run() async throws {
        if full, case .group = try target.target() {
            throw ValidationError("--full works on a Rollout: a ReleaseGroup has no cutover.dev/promote-full; `promote group NAME` approves its cutover")
        }
        try await act(full ? .promoteFull : .promote, or: .promote, flags, target)
    }
}

struct Abort: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Revert the release in flight to blue (cutover.dev/abort).",
        usage: "kubectl cutover abort [group] <name> [<options>]",
        discussion: "`abort group NAME` reverts every changed member of the group release in flight.")
    @OptionGroup var flags: KubeFlags
    @OptionGroup var target: TargetArguments
    func run() async throws { try await act(.abort, or: .abort, flags, target) }
}

struct Retry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Release a RolledBack template again (cutover.dev/retry).",
        usage: "kubectl cutover retry [group] <name> [<options>]",
        discussion: "`retry group NAME` releases the revisions of a RolledBack group release again.")
    @OptionGroup var flags: KubeFlags
    @OptionGroup var target: TargetArguments
    func run() async throws { try await act(.retry, or: .retry, flags, target) }
}

struct Pause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop forward progress (cutover.dev/paused=true); reverts still happen.",
        usage: "kubectl cutover pause [rollout] <name> [<options>]")
    @OptionGroup var flags: KubeFlags
    @OptionGroup var target: TargetArguments
    func run() async throws { try await act(.pause, flags, try target.rollout(for: "pause")) }
}

struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a paused release (removes cutover.dev/paused).",
        usage: "kubectl cutover resume [rollout] <name> [<options>]")
    @OptionGroup var flags: KubeFlags
    @OptionGroup var target: TargetArguments
    func run() async throws { try await act(.resume, flags, try target.rollout(for: "resume")) }
}

struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Past revisions with images, outcome, start and end.",
        usage: "kubectl cutover history [rollout] <name> [<options>]")
    @OptionGroup var flags: KubeFlags
    @OptionGroup var target: TargetArguments
    func run() async throws {
        let name = try target.rollout(for: "history")
        try await flags.run { try await HistoryCommand.run(name: name, context: $0) }
    }
}

struct Undo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set the template back to a revision released before, as kubectl rollout undo does.",
        usage: "kubectl cutover undo <name> [--to-revision <revision>] [<options>]",
        discussion: """
            The template comes from the revision's Deployment, exactly as the
            Rollout had it. By default: the serving revision while a release is
            in flight (it reverts at once), else the newest other revision that
            was released. Within spec.rollbackWindow the controller rolls back
            fast (no canary, no analysis unless the window says Run); otherwise
            it is an ordinary release. `kubectl cutover history` lists revisions.
            """)
    @OptionGroup var flags: KubeFlags
    @Argument(help: "The Rollout's name.") var name: String
    @Option(name: .customLong("to-revision"), help: "The revision to go back to (a unique prefix is enough).") var toRevision: String?
    func run() async throws {
        try await flags.run { context in _ = try await UndoCommand.run(name: name, toRevision: toRevision, context: context) }
    }
}

struct Report: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A deployment report of one release (timeline, decisions, measurements) from status.history.",
        usage: "kubectl cutover report [group] <name> [<options>]",
        discussion: """
            Markdown fit to paste into a ticket, or JSON for scripts (the record's
            fields as in status.history, plus rollout, namespace and hooks). Times
            are UTC (RFC 3339) and offsets from the release's start, so the same
            release always gives the same text.
              kubectl cutover report payment -n prod > release.md
              kubectl cutover report payment -n prod --revision 5d8b2a91 --format json

            `report group NAME` reports a group release from the ReleaseGroup's
            status.history: its members (member=revision; blue, wave and cutover
            time from status.release), timeline and decisions, the cause of a
            revert; JSON adds releaseGroup, namespace, members and abort.
            --revision takes the group release's revision.
            """)

    @OptionGroup var flags: KubeFlags
    @OptionGroup var target: TargetArguments
    @Option(help: "The revision of the release (a Rollout's template hash, a group release's revision); default: the newest.")
    var revision: String?
    @Option(help: "markdown (default) or json.") var format: String?

    func run() async throws {
        let reportFormat: ReportFormat
        do { reportFormat = try ReportFormat(flag: format) } catch { throw ValidationError(CLIError.message(for: error)) }
        let target = try target.target()
        try await flags.run { context in
            switch target {
            case .rollout(let name): try await ReportCommand.run(name: name, revision: revision, format: reportFormat, context: context)
            case .group(let name): try await ReportCommand.run(group: name, revision: revision, format: reportFormat, context: context)
            }
        }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the plugin's version.")
    func run() { print("kubectl-cutover \(CutoverVersion.current)") }
}
