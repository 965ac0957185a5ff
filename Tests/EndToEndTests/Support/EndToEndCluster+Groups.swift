import Cutover
import Foundation
import KubeModels
import Testing
@testable import ClusterHarness

/// A group release done as docs/release-groups.md shows it: the members' Services, the group and
/// its members applied with kubectl, a release as one `kubectl apply` of the changed Rollouts.
extension EndToEndCluster {
    /// The shop's 15 services, each a member Rollout with its own Services.
    static let shopServices = [
        "auth", "cart", "catalog", "checkout", "db-proxy", "email", "frontend", "inventory", "ledger", "payment", "pricing",
        "search", "shipping", "tax", "users",
    ]

    /// One member Rollout of group `shop` per service of ``shopServices``, shaped like the single-Rollout tests (2 s analysis
    /// interval and hold window, 1 s pauses) but with 2 replicas, so 15 members stay light, and
    /// greens ready after 1 s, so one `kubectl apply` of all of them reaches every member before
    /// any green is ready.
    func memberManifests() -> [RolloutManifest] {
        Self.shopServices.map { name in
            var manifest = rolloutManifest()
            manifest.name = name
            manifest.group = "shop"
            manifest.replicas = 2
            manifest.podAnnotations = ["sim.cutover.dev/ready-after": "1s"]
            // 20% and 40% of 2 replicas are one pod each: green reaches full size only for the cutover.
            manifest.steps = [(20, "1s"), (40, "1s")]
            return manifest
        }
    }

    /// Applies every member's Services, the group and the members' first revisions; waits until
    /// every member is Healthy and the group lists them all. Returns each member's blue revision.
    func deployGroup(_ group: ReleaseGroupManifest, members: [RolloutManifest]) async throws -> [String: String] {
        let services = members.map { RolloutManifest.services(name: $0.name, namespace: namespace) }
        try await apply(services.joined(separator: "---\n"), file: "services.yaml")
        try await apply(group.yaml, file: "group.yaml")
        try await apply(members.map(\.yaml).joined(separator: "---\n"), file: "members-first.yaml")
        var blues: [String: String] = [:]
        for member in members {
            let rollout = try await monitor.waitForRollout(member.name, "the first revision to be Healthy") {
                $0.status?.phase == .healthy && $0.status?.activeRevision != nil
            }
            blues[member.name] = rollout.status?.activeRevision
        }
        try await monitor.waitForGroup(group.name, "to list its \(members.count) members, all Healthy") {
            $0.status?.members?.filter { $0.phase == RolloutPhase.healthy.rawValue }.count == members.count
        }
        return blues
    }

    /// `kubectl apply`s the members' new templates in one file, as a pipeline's `kubectl apply -f
    /// release/` does, and waits until the group's release holds every one of them. Returns each
    /// member's green revision.
    func releaseGroup(_ members: [RolloutManifest], blues: [String: String], group: String = "shop") async throws -> [String: String] {
        try await apply(members.map(\.yaml).joined(separator: "---\n"), file: "members-\(UUID().uuidString.prefix(8)).yaml")
        let started = try await monitor.waitForGroup(group, "a release of all \(members.count) members") { group in
            let released = group.status?.release?.members ?? []
            return members.allSatisfy { member in released.contains { $0.name == member.name && $0.revision != blues[member.name] } }
        }
        return Dictionary(uniqueKeysWithValues: (started.status?.release?.members ?? []).map { ($0.name, $0.revision) })
    }

    /// One value per object of a kind, by name: `kubectl get <kind> -o jsonpath` over the list.
    func getAll(_ kind: String, jsonpath value: String) async throws -> [String: String] {
        let text = try await get(kind, jsonpath: #"{range .items[*]}{.metadata.name}{"\t"}"# + value + #"{"\n"}{end}"#)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(fields[0])] = fields.count > 1 ? String(fields[1]) : ""
        }
        return values
    }

    /// The revision each member's active Service selects now (one kubectl call for all).
    func selectedRevisions(of members: [RolloutManifest]) async throws -> [String: String] {
        let all = try await getAll("services", jsonpath: #"{.spec.selector.cutover\.dev/revision}"#)
        return all.filter { name, _ in members.contains { $0.name == name } }
    }

    /// Waits until every member's green Deployment has `spec.replicas` 0 (read with kubectl).
    func waitForGreensScaledDown(_ greens: [String: String]) async throws {
        _ = try await eventually("every green scaled to 0", timeout: .seconds(30), interval: .milliseconds(500)) {
            let replicas = try await getAll("deployments", jsonpath: "{.spec.replicas}")
            let up = greens.filter { replicas["\($0.key)-\($0.value)"] != "0" }.keys.sorted()
            return (up.isEmpty ? true : nil, "greens not at 0: \(up)")
        }
    }

    /// `kubectl wait releasegroup/shop --for=condition=<condition>`, as a pipeline waits.
    func waitForGroupCondition(_ condition: String, timeout: Int = 90) async throws {
        try await kubectl(
            "wait", "-n", namespace, "releasegroup/shop", "--for=condition=\(condition)", "--timeout=\(timeout)s",
            timeout: .seconds(timeout + 10))
    }
}

extension ClusterModel {
    /// When each member's active Service switched from the canary split to `revision`, with the
    /// change's resourceVersion: the member's cutover.
    func cutovers(to greens: [String: String]) -> [String: (at: Date, resourceVersion: UInt64)] {
        var switched: [String: (at: Date, resourceVersion: UInt64)] = [:]
        for (member, green) in greens {
            let service = rollouts[member]?.spec.services.active ?? member
            if let change = timeline.selectors[service]?.first(where: { $0.state == .revision(green) }) {
                switched[member] = (change.at, change.resourceVersion)
            }
        }
        return switched
    }

    /// Group `shop`'s statuses in order.
    func groupStatuses() -> [ReleaseGroupStatus] { timeline.groupStatuses["shop"]?.map(\.status) ?? [] }

    /// The barriers group `shop` held its releases at, in order (`Step <index>` for a canary step).
    func groupBarriers() -> [String] {
        groupStatuses().compactMap { status -> String? in
            guard let release = status.release, release.outcome == nil, let barrier = release.barrier else { return nil }
            return barrier == .step ? "Step \(release.step ?? 0)" : barrier.rawValue
        }.reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
    }

    /// The first status of group `shop` for which `decided` holds, with the resourceVersions of the
    /// reconcile that wrote it. The group sends a cutover's selector patches after its status write
    /// and a revert's before it, waits for them, and only a later reconcile writes again: a
    /// cutover's switches fall in `afterWrite` (that write to the next), a revert's in `reconcile`
    /// (the previous write to the next).
    func groupReconcile(
        deciding decided: (ReleaseGroupStatus) -> Bool
    ) -> (status: ReleaseGroupStatus, afterWrite: ClosedRange<UInt64>, reconcile: ClosedRange<UInt64>)? {
        let writes = timeline.groupStatuses["shop"] ?? []
        guard let index = writes.firstIndex(where: { decided($0.status) }) else { return nil }
        let previous = index > 0 ? writes[index - 1].resourceVersion + 1 : 0
        let next = index + 1 < writes.count ? writes[index + 1].resourceVersion : UInt64.max
        return (writes[index].status, writes[index].resourceVersion...next, previous...next)
    }
}
