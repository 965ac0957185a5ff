import Cutover
import KubeAPI
import KubeModels

/// A ReleaseGroup and its member Rollouts (labelled `cutover.dev/group=<name>` in its namespace),
/// as seen at one moment: what `get group` draws and `status group` judges.
public struct ObservedGroup: Sendable, Hashable {
    /// The ReleaseGroup.
    public var group: ReleaseGroup
    /// The Rollouts labelled with the group's name, by name.
    public var members: [Rollout]

    /// The group with `members`, kept sorted by name.
    public init(group: ReleaseGroup, members: [Rollout]) {
        self.group = group
        self.members = members.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
    }

    /// The group's name.
    public var name: String { group.metadata.name ?? "-" }

    /// The label selector of the group's members.
    static func memberSelector(_ name: String) -> String { "\(CutoverLabels.group)=\(name)" }

    /// Reads the ReleaseGroup `name` and its members; a missing group throws the server's NotFound.
    static func read(_ name: String, context: CLIContext) async throws -> ObservedGroup {
        let group = try await context.client.get(ReleaseGroup.self, name: name, namespace: context.namespace)
        let members = try await context.client.list(
            Rollout.self, namespace: context.namespace, options: ListOptions(labelSelector: memberSelector(name))
        ).items
        return ObservedGroup(group: group, members: members)
    }

    /// Follows the group and its members with two watches (never polling), starting from
    /// `initial`, and calls `changed` with the newest snapshot after each change, from one task
    /// (so calls never overlap; changes that come while it runs are merged into the next call).
    /// Runs until cancelled or `changed` throws; a deleted group throws the server's NotFound.
    static func follow(
        _ initial: ObservedGroup, context: CLIContext, changed: @escaping @Sendable (ObservedGroup) async throws -> Void
    ) async throws {
        let name = initial.name
        let latest = Latest(initial)
        let (ticks, tick) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let client = context.client, namespace = context.namespace
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                try await ObjectFollower<ReleaseGroup>(client: client, namespace: namespace, fieldSelector: "metadata.name=\(name)").run { objects in
                    guard let current = objects.values.first else { throw StatusCommand.deletedError(ReleaseGroup.self, name) }
                    latest.update { $0.group = current }
                    tick.yield()
                }
            }
            tasks.addTask {
                try await ObjectFollower<Rollout>(client: client, namespace: namespace, labelSelector: memberSelector(name)).run { objects in
                    latest.update { $0 = ObservedGroup(group: $0.group, members: Array(objects.values)) }
                    tick.yield()
                }
            }
            tasks.addTask {
                for await _ in ticks { try await changed(latest.get) }
            }
            _ = try await tasks.next()
            tasks.cancelAll()
        }
        throw CancellationError()
    }

    /// Members still moving on their own: the controller has not acted on their latest spec, or
    /// a release of theirs is in flight. While there are any, the group's `Completed` or
    /// `RolledBack` may belong to the previous group release (right after `kubectl apply` of new
    /// member templates), or a revert is still reaching them.
    var unsettledMembers: [Rollout] {
        let moving: Set<RolloutPhase> = [.progressing, .canary, .awaitingApproval, .promoting, .holdWindow]
        return members.filter { member in
            guard ControllerLag.isCurrent(member), let phase = member.status?.phase else { return true }
            return moving.contains(phase)
        }
    }

    /// The member Rollout `name`, if it is labelled for the group.
    func member(_ name: String) -> Rollout? {
        members.first { $0.metadata.name == name }
    }
}
