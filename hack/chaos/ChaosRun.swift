import ClusterHarness
import Cutover
import Foundation
import KubeModels

/// One chaos run: the workload and the fault schedule side by side for the given minutes, a
/// supervisor restarting replicas that exit, a periodic look at the invariants, then faults off,
/// every release brought to its end, and the final judgement.
final class ChaosRun: @unchecked Sendable {
    struct Summary {
        var kills = 0
        var faults = 0
        var checks = 0
        var violations: [Violation] = []
        var report = ""
        /// ``ClusterModel/timelineReport()`` per namespace.
        var timelines: [String: String] = [:]
    }

    private let cluster: ChaosCluster
    private let journal: Journal
    private let workload: Workload
    private let schedule: FaultSchedule
    private let plant: Bool
    private let tenures: LeaseTenureCheck

    init(cluster: ChaosCluster, journal: Journal, seed: UInt64, plant: Bool) {
        self.cluster = cluster
        tenures = LeaseTenureCheck(election: cluster.election)
        self.journal = journal
        self.plant = plant
        workload = Workload(cluster: cluster, journal: journal, seed: seed)
        schedule = FaultSchedule(cluster: cluster, journal: journal, seed: seed)
    }

    func run(rollouts: Int, minutes: Double, settle: Double) async throws -> Summary {
        let following = Task { [tenures, cluster] in await tenures.follow(cluster.client) }
        defer { following.cancel() }
        try await workload.setUp(rollouts: rollouts)
        journal.record("all \(rollouts) Rollouts Healthy; releases and faults for \(minutes) minutes")
        let end = Date().addingTimeInterval(minutes * 60)
        let supervisor = Task { [cluster, journal] in
            while !Task.isCancelled {
                for name in (try? cluster.superviseControllers()) ?? [] { journal.note("\(name) exited by itself; restarted") }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        defer { supervisor.cancel() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                let plantAt = Date().addingTimeInterval(minutes * 20)
                var planted = !plant
                while Date() < end {
                    if !planted, Date() >= plantAt {
                        planted = true
                        try await workload.plantUnreadyGreen()
                    }
                    try await workload.step()
                    try await Task.sleep(for: .milliseconds(400))
                }
            }
            group.addTask { [self] in
                while Date() < end { try await schedule.step() }
            }
            group.addTask { [self] in
                var reported: Set<String> = []
                while Date() < end {
                    try await Task.sleep(for: .seconds(30))
                    for violation in cluster.monitors.values.flatMap({ $0.model().violations }).sorted(by: { $0.at < $1.at })
                    where reported.insert(violation.description).inserted {
                        journal.note("VIOLATION [\(violation.invariant)] \(violation.detail)")
                    }
                }
            }
            try await group.waitForAll()
        }

        journal.record("faults stop; every release must end within \(Int(settle)) s")
        try await cluster.postFaults([:], method: "DELETE")
        try await workload.recreateDue(all: true)
        let settled = try await waitUntilSettled(within: settle)
        var summary = judge(settled: settled, settle: settle)
        for namespace in cluster.namespaces {
            summary.violations += await tenures.violations(cluster.client, namespace: namespace, rollouts: cluster.monitors[namespace]?.rollouts ?? [])
        }
        return summary
    }

    /// Resolves what waits for a human and waits until every Rollout and group has ended its
    /// release and every outbox to the `team` target is empty; false when the time ran out.
    private func waitUntilSettled(within seconds: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            try await workload.resolveApprovals(all: true)
            if unsettled().isEmpty { return true }
            try await Task.sleep(for: .seconds(2))
        }
        return false
    }

    /// What has not ended, as the monitors show it now.
    private func unsettled() -> [String] {
        var open: [String] = []
        for (namespace, monitor) in cluster.monitors {
            let rollouts = monitor.rollouts
            open += ClusterModel.unsettled(rollouts).map { "Rollout \(namespace)/\($0.name): \($0.state)" }
            for rollout in rollouts {
                let waiting = rollout.status?.notifications?.pending.filter { $0.targets.contains("team") } ?? []
                if let first = waiting.first {
                    open.append("Rollout \(namespace)/\(rollout.metadata.name ?? ""): \(waiting.count) notification(s) to team not delivered, first \(first.event.type.rawValue)")
                }
            }
            for group in monitor.groups where ![.healthy, .rolledBack].contains(group.status?.phase) {
                open.append("ReleaseGroup \(namespace)/\(group.metadata.name ?? ""): \(group.status?.phase?.rawValue ?? "-"): \(group.status?.message ?? "-")")
            }
        }
        return open.sorted()
    }

    private func judge(settled: Bool, settle: Double) -> Summary {
        var summary = Summary(kills: schedule.kills, faults: schedule.faults)
        let deliveries = DeliveryCheck(requests: cluster.receiver.requests, recreated: workload.recreated)
        for namespace in cluster.namespaces {
            guard let model = cluster.monitors[namespace]?.model() else { continue }
            summary.checks += model.judged + model.rollouts.count
            summary.violations += model.violations
            summary.violations += deliveries.violations(namespace: namespace, model: model)
            summary.timelines[namespace] = model.timelineReport()
        }
        if !settled {
            for what in unsettled() {
                summary.violations.append(
                    Violation(
                        invariant: "every release ends within its deadlines once faults stop",
                        detail: "\(what) still \(Int(settle)) s after the faults stopped", resourceVersion: 0, at: Date()))
            }
        }
        for error in cluster.monitors.values.flatMap(\.watchErrors) where error.contains("expired") {
            summary.violations.append(
                Violation(invariant: "the checker saw every change", detail: "a monitor's watch expired: \(error)", resourceVersion: 0, at: Date()))
        }
        let rss = cluster.controllerPeakRSS.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value >> 20) MiB" }.joined(separator: ", ")
        let moments = FaultSchedule.Moment.allCases.map { "\($0.rawValue) \(schedule.killsAt[$0] ?? 0)" }.joined(separator: ", ")
        let exits = cluster.selfExits.get
        for exit in exits where exit.crashed {
            summary.violations.append(
                Violation(
                    invariant: "the controller never crashes",
                    detail: "\(exit.replica) ended with status \(exit.status) (a lost lease exits 1); see its log in the run's directory",
                    resourceVersion: 0, at: Date()))
        }
        summary.report = """
            chaos: kills by moment: \(moments)
            chaos: \(exits.count) replica exit(s) the runner did not cause (a lost lease exits 1)\(exits.isEmpty ? "" : ": \(exits.map { "\($0.replica) \($0.status)" }.joined(separator: ", "))")
            chaos: \(cluster.receiver.requests.count) webhook calls received; controller peak RSS (current processes): \(rss)
            """
        return summary
    }
}
