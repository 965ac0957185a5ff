import ClusterHarness
import Cutover
import Foundation
import KubeSim

/// The releases of a chaos run, drawn from the seed: good ones; bad ones (5xx, latency, no data, a
/// green that never gets ready, a failing gate hook, a notification target that hangs); aborts,
/// retries, promotes and pauses by annotation; a new template mid-release; Rollouts deleted
/// mid-release and created again; Services deleted and created again; release groups.
final class Workload {
    /// One Rollout of the run and what the runner knows about it.
    struct Entry {
        var manifest: RolloutManifest
        var rps: Int
        var group: String?
        var paused = false
        /// Deleted by the workload; created again at `recreateAt`.
        var recreateAt: Date?
        var serviceRecreateAt: Date?
        var key: String { "\(manifest.namespace)/\(manifest.name)" }
    }

    private let cluster: ChaosCluster
    private let journal: Journal
    private var random: SeededGenerator
    private(set) var entries: [Entry] = []
    private(set) var groups: [(namespace: String, name: String)] = []
    /// `namespace/name` of the Rollouts the workload deleted (and created again).
    private(set) var recreated: Set<String> = []
    private var imageTag = 0

    init(cluster: ChaosCluster, journal: Journal, seed: UInt64) {
        self.cluster = cluster
        self.journal = journal
        random = SeededGenerator(seed: seed &* 0x9E37_79B9 &+ 1)
    }

    // MARK: - Setup

    /// Creates the Services, Secrets, ReleaseGroups and Rollouts (their first revisions) and waits
    /// until every Rollout is Healthy.
    func setUp(rollouts count: Int) async throws {
        let hooks = cluster.receiver.baseURL
        for namespace in cluster.namespaces {
            try await apply(
                """
                apiVersion: v1
                kind: Secret
                metadata: {name: chaos-webhooks, namespace: \(namespace)}
                stringData: {team: "\(hooks)/notify/\(namespace)", slow: "\(hooks)/hang/\(namespace)"}

                """, file: "secret-\(namespace).yaml")
        }
        for index in 0..<count {
            let namespace = cluster.namespaces[index % cluster.namespaces.count]
            var manifest = RolloutManifest(name: "svc-\(index)", namespace: namespace, prometheusAddress: cluster.prometheus.address)
            manifest.replicas = 2 + Int(random.next() % 2)
            manifest.image = image()
            manifest.progressDeadlineSeconds = 20
            manifest.steps = random.pick([(3, [(25, "1s")]), (5, [(25, "1s"), (50, "1s")]), (1, [])])
            manifest.approval = random.chance(0.15) ? "Manual" : "Automatic"
            manifest.latencyMetric = random.chance(0.3)
            manifest.releaseHistoryLimit = Int(RolloutSpec.maxReleaseHistoryLimit)
            var hooks: [String] = []
            if random.chance(0.35) { hooks.append("preCutover: {url: \"\(hookURL(manifest))\", timeout: 2s, retries: 1}") }
            if random.chance(0.15) { hooks.append("postCutover: {url: \"\(hookURL(manifest))\", timeout: 2s, retries: 1}") }
            manifest.hooks = hooks.isEmpty ? nil : "{\(hooks.joined(separator: ", "))}"
            var targets = ["{name: team, urlSecret: {name: chaos-webhooks, key: team}, timeout: 2s}"]
            if random.chance(0.15) { targets.append("{name: slow, urlSecret: {name: chaos-webhooks, key: slow}, timeout: 1s}") }
            manifest.notifications = "[\(targets.joined(separator: ", "))]"
            // One in ten Services gets no traffic: every measurement of its releases is "no data".
            entries.append(Entry(manifest: manifest, rps: random.chance(0.1) ? 0 : 100))
        }
        // A release group of three members in each namespace with five Rollouts or more.
        for namespace in cluster.namespaces {
            // Only where at least two Rollouts are left outside it.
            let inNamespace = entries.indices.filter { entries[$0].manifest.namespace == namespace }
            guard inNamespace.count >= 5 else { continue }
            let members = inNamespace.prefix(3)
            var group = ReleaseGroupManifest(name: "group-\(namespace)", namespace: namespace)
            group.approval = random.chance(0.3) ? "Manual" : "Automatic"
            try await apply(group.yaml, file: "group-\(namespace).yaml")
            groups.append((namespace, group.name))
            for member in members {
                entries[member].group = group.name
                entries[member].manifest.group = group.name
                entries[member].rps = 100
            }
        }
        let services = entries.map { RolloutManifest.services(name: $0.manifest.name, namespace: $0.manifest.namespace, rps: $0.rps) }
        try await apply(services.joined(separator: "---\n"), file: "services.yaml")
        try await apply(entries.map(\.manifest.yaml).joined(separator: "---\n"), file: "rollouts.yaml")
        _ = try await eventually("every Rollout's first revision to be Healthy", timeout: .seconds(300), interval: .seconds(1)) {
            let waiting = entries.filter { cluster.monitors[$0.manifest.namespace]?.rollout($0.manifest.name)?.status?.phase != .healthy }
            return (waiting.isEmpty ? true : nil, "\(waiting.count) not Healthy yet, e.g. \(waiting.prefix(3).map(\.key))")
        }
    }

    // MARK: - The run

    /// One workload step: a release, an action, a deletion, or nothing (each step it takes is in the journal).
    func step() async throws {
        try await recreateDue()
        switch random.nextUnit() {
        case ..<0.35: try await release()
        case ..<0.55: try await actOnRelease()
        case ..<0.65: try await resolveApprovals(all: false)
        case ..<0.70: try await retry()
        case ..<0.75: try await deleteService()
        case ..<0.85: try await groupRelease()
        case ..<0.90: try await groupAction()
        default: break
        }
    }

    /// A new template for a settled Rollout outside a group: good, or bad in one of the ways.
    private func release() async throws {
        guard let index = pickEntry(where: { self.isSettled($0) && $0.group == nil }) else { return }
        let kind = random.pick([(45, "good"), (15, "5xx"), (10, "latency"), (10, "never-ready"), (10, "failing-hook"), (10, "good")])
        try await applyRelease(index, kind: kind)
    }

    private func applyRelease(_ index: Int, kind: String) async throws {
        var entry = entries[index]
        entry.manifest.image = image()
        entry.manifest.podAnnotations = ["sim.cutover.dev/ready-after": "300ms"]
        var kind = kind
        if kind == "latency" && !entry.manifest.latencyMetric { kind = "5xx" }
        if kind == "failing-hook" && entry.manifest.hooks == nil { kind = "never-ready" }
        switch kind {
        case "5xx": entry.manifest.podAnnotations["sim.cutover.dev/error-rate"] = "0.3"
        case "latency": entry.manifest.podAnnotations["sim.cutover.dev/latency-ms"] = "900"
        case "never-ready": entry.manifest.podAnnotations["sim.cutover.dev/never-ready"] = "true"
        default: break
        }
        cluster.failingHooks.update { failing in
            if kind == "failing-hook" { failing.insert(entry.key) } else { failing.remove(entry.key) }
        }
        entries[index] = entry
        journal.record("release \(entry.key) \(entry.manifest.image) (\(kind)\(entry.rps == 0 ? ", no traffic" : ""))")
        try await apply(entry.manifest.yaml, file: "rollout-\(entry.manifest.name).yaml")
    }

    /// An action on a release in flight: abort, promote, promote-full, pause, a newer template, or
    /// deleting the Rollout (created again a few seconds later).
    private func actOnRelease() async throws {
        guard let index = pickEntry(where: { self.inFlight($0) }) else { return }
        let entry = entries[index]
        switch random.pick([(20, "abort"), (20, "promote"), (10, "promote-full"), (20, "pause"), (20, "supersede"), (10, "delete")]) {
        case "pause":
            entries[index].paused = true
            try await annotate(entry, CutoverLabels.paused, "true")
        case "supersede":
            try await applyRelease(index, kind: random.chance(0.7) ? "good" : "5xx")
        case "delete" where entry.group == nil:
            entries[index].recreateAt = Date().addingTimeInterval(3 + 10 * random.nextUnit())
            recreated.insert(entry.key)
            journal.record("delete rollout \(entry.key) mid-release")
            try await kubectl("delete", "-n", entry.manifest.namespace, "rollout", entry.manifest.name, "--wait=false")
        case "delete":
            break
        case let action:
            try await annotate(entry, "cutover.dev/\(action)", actionValue())
        }
    }

    /// Promotes (or now and then aborts) Rollouts waiting for approval and resumes paused ones.
    func resolveApprovals(all: Bool) async throws {
        for index in entries.indices where entries[index].paused && (all || random.chance(0.5)) {
            entries[index].paused = false
            try await annotate(entries[index], CutoverLabels.paused, "false")
        }
        for index in entries.indices where entries[index].recreateAt == nil {
            let entry = entries[index]
            guard let status = rollout(entry)?.status, status.phase == .awaitingApproval, entry.group == nil, all || random.chance(0.5) else { continue }
            // Once faults stop, a human finishes what waits: promote-full, since a Service without
            // traffic never gives the data a plain promote still needs.
            let action = all ? CutoverLabels.promoteFull : random.chance(0.8) ? CutoverLabels.promote : CutoverLabels.abort
            try await annotate(entry, action, actionValue())
        }
        for (namespace, name) in groups {
            guard cluster.monitors[namespace]?.group(name)?.status?.phase == .awaitingApproval, all || random.chance(0.5) else { continue }
            try await annotateGroup(namespace, name, CutoverLabels.promote)
        }
    }

    private func retry() async throws {
        guard let index = pickEntry(where: { self.rollout($0)?.status?.phase == .rolledBack && $0.group == nil }) else { return }
        try await annotate(entries[index], CutoverLabels.retry, actionValue())
    }

    /// Deletes a Rollout's active Service; it is created again, as it was, a few seconds later.
    private func deleteService() async throws {
        guard let index = pickEntry(where: { $0.serviceRecreateAt == nil && $0.recreateAt == nil }) else { return }
        let entry = entries[index]
        entries[index].serviceRecreateAt = Date().addingTimeInterval(1 + 5 * random.nextUnit())
        journal.record("delete service \(entry.key)")
        try await kubectl("delete", "-n", entry.manifest.namespace, "service", entry.manifest.name)
    }

    /// Creates again what the workload deleted once its time has come.
    func recreateDue(all: Bool = false) async throws {
        let now = Date()
        for index in entries.indices {
            let entry = entries[index]
            if let at = entry.serviceRecreateAt, all || at <= now {
                entries[index].serviceRecreateAt = nil
                journal.record("create service \(entry.key) again")
                try await apply(
                    RolloutManifest.services(name: entry.manifest.name, namespace: entry.manifest.namespace, rps: entry.rps),
                    file: "services-\(entry.manifest.name).yaml")
            }
            if let at = entry.recreateAt, all || at <= now {
                // The old one must be gone (its finalizer-free delete is immediate, the GC follows).
                guard rollout(entry) == nil else { continue }
                entries[index].recreateAt = nil
                journal.record("create rollout \(entry.key) again")
                try await apply(entry.manifest.yaml, file: "rollout-\(entry.manifest.name).yaml")
            }
        }
    }

    /// A new template for some members of a settled group: all good, or one of them bad.
    private func groupRelease() async throws {
        guard let (namespace, name) = groups.randomElement(using: &random) else { return }
        let members = entries.indices.filter { entries[$0].group == name && entries[$0].manifest.namespace == namespace }
        guard members.allSatisfy({ isSettled(entries[$0]) }),
            [.healthy, .rolledBack, nil].contains(cluster.monitors[namespace]?.group(name)?.status?.phase)
        else { return }
        let changed = members.filter { _ in random.chance(0.7) }
        guard !changed.isEmpty else { return }
        let bad = random.chance(0.3) ? changed.randomElement(using: &random) : nil
        journal.record("group release \(namespace)/\(name): \(changed.map { entries[$0].manifest.name })\(bad.map { ", \(entries[$0].manifest.name) bad" } ?? "")")
        for member in changed { try await applyRelease(member, kind: member == bad ? "5xx" : "good") }
    }

    /// Abort or promote a group's release in flight.
    private func groupAction() async throws {
        guard let (namespace, name) = groups.randomElement(using: &random),
            let phase = cluster.monitors[namespace]?.group(name)?.status?.phase, ![.healthy, .rolledBack].contains(phase)
        else { return }
        try await annotateGroup(namespace, name, random.chance(0.5) ? CutoverLabels.abort : CutoverLabels.promote)
    }

    /// The planted fault the checker must catch: a release whose green never gets ready, and the
    /// runner, as a faulty controller would, pointing the active Service at that green.
    func plantUnreadyGreen() async throws {
        // The workload waits meanwhile, so some Rollout settles.
        let candidates = try await eventually("a settled Rollout to plant the violation on", timeout: .seconds(180), interval: .seconds(1)) {
            // One that serves a revision: a Rollout whose first revision never got ready (Degraded)
            // has no blue for the release to start beside.
            let settled = entries.indices.filter {
                isSettled(entries[$0]) && entries[$0].group == nil && rollout(entries[$0])?.status?.activeRevision != nil
            }
            return (settled.isEmpty ? nil : settled, "every Rollout is busy")
        }
        let index = candidates.randomElement(using: &random) ?? candidates[0]
        try await applyRelease(index, kind: "never-ready")
        let entry = entries[index]
        let green = try await eventually("\(entry.key) to start its release", timeout: .seconds(60)) {
            let status = rollout(entry)?.status
            let started = status?.phase == .progressing && status?.activeRevision != nil && status?.greenRevision != status?.activeRevision
            return (started ? status?.greenRevision : nil, "\(RolloutState(status))")
        }
        journal.record("PLANTED: the active Service of \(entry.key) pointed at green \(green), which has no ready pod")
        try await kubectl(
            "patch", "-n", entry.manifest.namespace, "service", entry.manifest.name, "--type", "merge",
            "-p", #"{"spec":{"selector":{"cutover.dev/revision":"\#(green)"}}}"#)
    }

    // MARK: - What the monitors show

    func rollout(_ entry: Entry) -> Rollout? { cluster.monitors[entry.manifest.namespace]?.rollout(entry.manifest.name) }

    private func isSettled(_ entry: Entry) -> Bool {
        guard entry.recreateAt == nil, entry.serviceRecreateAt == nil, !entry.paused, let rollout = rollout(entry),
            let status = rollout.status, status.observedGeneration == rollout.metadata.generation
        else { return false }
        return ClusterModel.settledPhases.contains(status.phase ?? .progressing)
    }

    private func inFlight(_ entry: Entry) -> Bool {
        guard entry.recreateAt == nil, let phase = rollout(entry)?.status?.phase else { return false }
        return [.progressing, .canary, .awaitingApproval, .promoting, .holdWindow].contains(phase)
    }

    // MARK: - kubectl, as a user

    private func apply(_ yaml: String, file: String) async throws {
        let path = cluster.directory.appendingPathComponent(file)
        try yaml.write(to: path, atomically: true, encoding: .utf8)
        try await kubectl("apply", "-f", path.path)
    }

    private func annotate(_ entry: Entry, _ key: String, _ value: String) async throws {
        journal.record("annotate rollout \(entry.key) \(key)=\(value)")
        try await kubectl("annotate", "--overwrite", "-n", entry.manifest.namespace, "rollout/\(entry.manifest.name)", "\(key)=\(value)")
    }

    private func annotateGroup(_ namespace: String, _ name: String, _ key: String) async throws {
        journal.record("annotate releasegroup \(namespace)/\(name) \(key)")
        try await kubectl("annotate", "--overwrite", "-n", namespace, "releasegroup/\(name)", "\(key)=\(actionValue())")
    }

    /// Runs kubectl; a refusal (the object is gone, a conflict) is logged, not fatal: the cluster
    /// moves under the workload's feet on purpose.
    private func kubectl(_ arguments: String...) async throws {
        let result = try await cluster.kubectl.run(arguments, allowFailure: true)
        if result.status != 0 {
            journal.note("kubectl \(arguments.prefix(4).joined(separator: " ")): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))")
        }
    }

    // MARK: - Seeded choices


    private func pickEntry(where condition: (Entry) -> Bool) -> Int? {
        entries.indices.filter { condition(entries[$0]) }.randomElement(using: &random)
    }

    private func image() -> String {
        imageTag += 1
        return "registry.example.com/chaos:1.\(imageTag)"
    }

    private func hookURL(_ manifest: RolloutManifest) -> String { "\(cluster.receiver.baseURL)/hook/\(manifest.namespace)/\(manifest.name)" }

    private var actionCounter = 0
    private func actionValue() -> String {
        actionCounter += 1
        return "chaos-\(actionCounter)-\(Int(Date().timeIntervalSince1970))"
    }
}
