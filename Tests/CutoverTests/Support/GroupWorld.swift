import Foundation
import KubeModels

@testable import Cutover

/// A ReleaseGroup and its members, each a ``World``, driven through the real planners: every
/// round plans each member (with the group as it is), then the group (with the members as they
/// are), and executes both plans as the API server would.
struct GroupWorld {
    var group: ReleaseGroup
    var members: [String: World]
    var now: Date = Fixture.epoch
    /// Every selector patch the group's plans asked for, in order, as `member=revision`.
    var groupPatches: [String] = []
    var lastPlan: GroupPlan?
    /// The group's status before its last plan was written (to lose that write).
    var statusBeforeLastPlan: ReleaseGroupStatus?

    /// Members named `names`, each with `spec(name)` (Services named after the member), labelled
    /// into group `shop`, first revisions healthy.
    init(_ names: [String], spec: (String) -> RolloutSpec, group: ReleaseGroupSpec = ReleaseGroupSpec()) {
        var meta = ObjectMeta(name: "shop", namespace: "prod")
        meta.uid = "group-uid"
        meta.generation = 1
        self.group = ReleaseGroup(metadata: meta, spec: group)
        var members: [String: World] = [:]
        for name in names {
            var memberSpec = spec(name)
            memberSpec.services = RolloutServices(active: name)
            var world = World(memberSpec)
            world.rollout.metadata.name = name
            world.rollout.metadata.uid = "uid-\(name)"
            world.rollout.metadata.labels = [CutoverLabels.group: "shop"]
            world.services = [name: Fixture.service(name, owner: name)]
            members[name] = world
        }
        self.members = members
        converge()
    }

    subscript(name: String) -> World {
        get { members[name]! }
        set { members[name] = newValue }
    }

    var status: ReleaseGroupStatus { group.status ?? ReleaseGroupStatus() }
    var release: GroupRelease? { status.release }
    var names: [String] { members.keys.sorted() }

    /// The revision `member`'s active Service selects (nil: the key is absent, split traffic).
    func selected(_ member: String) -> String? { members[member]!.services[member]?.spec?.selector?[CutoverLabels.revision] }

    /// One round: every member plans and acts, then the group.
    mutating func step() {
        stepMembers()
        stepGroup()
    }

    /// Every member plans and acts once, with the group as it is.
    mutating func stepMembers() {
        for name in names {
            var world = members[name]!
            world.now = now
            world.apply(planNextStep(for: memberSnapshot(name), now: now))
            members[name] = world
        }
    }

    /// The group plans and acts once.
    @discardableResult
    mutating func stepGroup() -> GroupPlan {
        let plan = decideGroup()
        switchServices(plan)
        return plan
    }

    /// The group plans and writes its status, and has not sent its selector patches yet.
    mutating func decideGroup() -> GroupPlan {
        let rollouts = names.compactMap { members[$0]?.rollout }
        var services: [String: Service] = [:]
        for name in names { services.merge(members[name]!.services) { first, _ in first } }
        let plan = planGroup(for: GroupSnapshot(group: group, members: rollouts, services: services), now: now)
        statusBeforeLastPlan = group.status
        group.status = plan.status
        lastPlan = plan
        return plan
    }

    /// The group's selector patches of `plan` reach the Services.
    mutating func switchServices(_ plan: GroupPlan) {
        for patch in plan.patches {
            members[patch.service]?.services[patch.service]?.spec?.selector?[CutoverLabels.revision] = patch.revision
            groupPatches.append("\(patch.service)=\(patch.revision ?? "∅")")
        }
    }

    /// What `member` would do now, with the group as it is (not applied).
    func plan(_ member: String) -> ReleasePlan { planNextStep(for: memberSnapshot(member), now: now) }

    /// What `member`'s controller reads: its own world, the group, and the group's members.
    func memberSnapshot(_ member: String) -> ReleaseSnapshot {
        var snapshot = members[member]!.snapshot
        snapshot.group = group
        snapshot.groupMembers = members.mapValues(\.rollout).filter { $0.value.metadata.labels?[CutoverLabels.group] == group.metadata.name }
        return snapshot
    }

    /// Every member's Deployment controller catches up.
    mutating func settle() {
        for name in names { members[name]!.settle() }
    }

    /// Rounds of step + settle until nothing changes (bounded).
    mutating func converge(limit: Int = 20) {
        for _ in 0..<limit {
            let before = (group.status, members.mapValues { [$0.rollout.status as AnyHashable, $0.deployments, $0.services] })
            step()
            settle()
            if before == (group.status, members.mapValues { [$0.rollout.status as AnyHashable, $0.deployments, $0.services] }) { return }
        }
    }

    /// Time passes; every member with analysis measures 0 (a pass), or its value in `values`.
    mutating func tick(_ seconds: Double = 31, values: [String: Double] = [:]) {
        now = now.addingTimeInterval(seconds)
        for name in names {
            members[name]!.now = now
            members[name]!.measure(.value(values[name] ?? 0))
        }
        step()
        settle()
    }

    /// Ticks until `done` holds (bounded).
    mutating func drive(until done: (GroupWorld) -> Bool, limit: Int = 30) {
        for _ in 0..<limit where !done(self) { tick() }
    }

    /// Applies a new template to `members`.
    mutating func release(_ names: [String], image: String = "app:2") {
        for name in names { members[name]!.setTemplate(image: image) }
    }

    mutating func annotateGroup(_ key: String, _ value: String) {
        var annotations = group.metadata.annotations ?? [:]
        annotations[key] = value
        group.metadata.annotations = annotations
    }
}
