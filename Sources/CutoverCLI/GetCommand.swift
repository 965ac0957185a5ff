import Cutover
import KubeAPI
import KubeModels
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `kubectl cutover get [group] NAME [--watch] [-o json|yaml]`: the release as a tree (revisions,
/// their Deployments and ready pods, where each Service points, weight, analysis, countdowns), or a
/// ReleaseGroup's members with their phases, revisions, waves and barriers.
public enum GetCommand {
    /// Prints the release once, or with `watch` again on every change of the Rollout, its
    /// Deployments or its Services (three watches, no polling) until cancelled. On a terminal the
    /// tree is redrawn in place (and each second, for the countdowns); otherwise each changed tree
    /// is printed after a blank line, with no escape codes.
    public static func run(name: String, watch: Bool, format: OutputFormat, context: CLIContext) async throws {
        let rollout = try await context.rollout(name)
        let deployments = try await context.deployments(of: rollout)
        let services = try await context.services(of: rollout)
        let state = Latest(State(
            rollout: rollout, deployments: Dictionary(deployments.map { ($0.metadata.key, $0) }, uniquingKeysWith: { $1 }),
            services: Dictionary(services.values.map { ($0.metadata.key, $0) }, uniquingKeysWith: { $1 })))
        let drawer = Drawer(format: format, console: context.console, tree: TreeRenderer.render)
        try drawer.draw { state.get.view(now: context.now()) }
        context.warnIfStale(rollout)
        guard watch else { return }

        let client = context.client, namespace = context.namespace
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await ObjectFollower<Rollout>(client: client, namespace: namespace, fieldSelector: "metadata.name=\(name)").run { objects in
                    guard let current = objects.values.first else { throw StatusCommand.deletedError(Rollout.self, name) }
                    state.update { $0.rollout = current }
                    try drawer.draw { state.get.view(now: context.now()) }
                }
            }
            group.addTask {
                try await ObjectFollower<Deployment>(client: client, namespace: namespace, labelSelector: rollout.deploymentSelector).run { objects in
                    state.update { $0.deployments = objects }
                    try drawer.draw { state.get.view(now: context.now()) }
                }
            }
            group.addTask {
                try await ObjectFollower<Service>(client: client, namespace: namespace).run { objects in
                    state.update { $0.services = objects }
                    try drawer.draw { state.get.view(now: context.now()) }
                }
            }
            if context.console.isTerminal, format == .tree {
                group.addTask {
                    while true {
                        try await Task.sleep(for: .seconds(1))
                        try drawer.draw { state.get.view(now: context.now()) }
                    }
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Prints the ReleaseGroup `name` with its members once, or with `watch` again on every change
    /// of the group or of a Rollout labelled for it (two watches, no polling) until cancelled;
    /// drawn as a Rollout's tree is.
    public static func run(group name: String, watch: Bool, format: OutputFormat, context: CLIContext) async throws {
        let snapshot = try await ObservedGroup.read(name, context: context)
        let drawer = Drawer(format: format, console: context.console, tree: GroupTreeRenderer.render)
        try drawer.draw { ReleaseGroupView(snapshot) }
        context.warnIfStale(snapshot.group)
        guard watch else { return }
        try await ObservedGroup.follow(snapshot, context: context) { current in
            try drawer.draw { ReleaseGroupView(current) }
        }
    }

    /// What the watches have seen so far.
    struct State: Sendable {
        var rollout: Rollout
        var deployments: [String: Deployment]
        var services: [String: Service]

        func view(now: Date) -> ReleaseView {
            let byName = Dictionary(services.values.compactMap { service in service.metadata.name.map { ($0, service) } }, uniquingKeysWith: { $1 })
            return ReleaseView(rollout: rollout, deployments: Array(deployments.values), services: byName, now: now)
        }
    }

    /// Draws frames: in place on a terminal, otherwise only frames that differ from the last.
    final class Drawer<View: Encodable>: Sendable {
        let format: OutputFormat
        let console: Console
        let tree: @Sendable (View) -> [String]
        private let last = Mutex<String?>(nil)

        init(format: OutputFormat, console: Console, tree: @escaping @Sendable (View) -> [String]) {
            self.format = format
            self.console = console
            self.tree = tree
        }

        /// Renders `view()` and draws it unless it equals the last frame. `view` is called under
        /// the drawer's lock, so the last of concurrent draws always shows the newest state.
        func draw(_ view: () -> View) throws {
            try last.withLock { last in
                let text = try format.render(view(), tree: tree).joined(separator: "\n")
                guard text != last else { return }
                let first = last == nil
                last = text
                if console.isTerminal, format == .tree {
                    // Home the cursor and clear the screen, as watch(1) does: the tree is redrawn in place.
                    console.write((first ? "" : "\u{1B}[H\u{1B}[2J") + text + "\n")
                } else {
                    console.write((first ? "" : "\n") + text + "\n")
                }
            }
        }
    }
}
