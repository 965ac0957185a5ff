import ClusterHarness
import Cutover
import Foundation
import KubeModels
import KubeSim

/// The faults of a chaos run, drawn from the seed: the leader SIGKILLed at random and in every
/// phase of a release, both replicas killed, the leader paused past its lease, kube-sim answering
/// the controller with 500, 429, 409, 410 or late, watches dropped, Prometheus killed.
final class FaultSchedule {
    /// Where in a release a kill is aimed.
    enum Moment: String, CaseIterable {
        case progressing = "Progressing"
        case firstStep = "Canary step 1"
        case laterStep = "Canary step 2"
        case awaitingApproval = "AwaitingApproval"
        case promoting = "Promoting"
        case cutover = "between the selector patch and the status write of a cutover"
        case holdWindow = "HoldWindow"
        case revert = "mid-revert"
        case scaleDown = "blue scale-down"
    }

    private let cluster: ChaosCluster
    private let journal: Journal
    private var random: SeededGenerator
    private(set) var kills = 0
    private(set) var faults = 0
    private(set) var killsAt: [Moment: Int] = [:]

    init(cluster: ChaosCluster, journal: Journal, seed: UInt64) {
        self.cluster = cluster
        self.journal = journal
        random = SeededGenerator(seed: seed &* 0x2545_F491 &+ 7)
    }

    /// The moments no kill has hit yet.
    var uncovered: [Moment] { Moment.allCases.filter { killsAt[$0] == nil } }

    /// One fault, then a pause of 2–8 s.
    func step() async throws {
        switch random.pick([(20, "kill"), (30, "kill-at"), (8, "pause"), (4, "kill-both"), (30, "api"), (8, "prometheus")]) {
        case "kill":
            if let name = try await cluster.killController(downFor: downtime()) {
                kills += 1
                journal.record("SIGKILL \(name) (leader), restarted")
            }
        case "kill-at":
            try await killAtMoment()
        case "pause":
            let lease = cluster.election.leaseDuration
            journal.record("SIGSTOP the leader for \(lease + 2) s, past its lease")
            if let name = try await cluster.pauseLeader(for: .seconds(lease + 2)) {
                faults += 1
                journal.note("SIGCONT \(name)")
            }
        case "kill-both":
            journal.record("SIGKILL both replicas")
            let (cluster, downs) = (cluster, [downtime(), downtime()])
            async let first: String? = cluster.killController(ChaosCluster.replicas[0], downFor: downs[0])
            async let second: String? = cluster.killController(ChaosCluster.replicas[1], downFor: downs[1])
            kills += [try await first, try await second].compactMap { $0 }.count
        case "api":
            try await apiFault()
        default:
            let down = Duration.seconds(2 + 6 * random.nextUnit())
            journal.record("SIGKILL Prometheus, restarted after \(down)")
            try await cluster.restartPrometheus(downFor: down)
            faults += 1
        }
        try await Task.sleep(for: .seconds(2 + 6 * random.nextUnit()))
    }

    /// kube-sim misbehaving towards the controller only (its observers keep a true view).
    private func apiFault() async throws {
        let seconds = Double(5 + random.next() % 11)
        let rule: JSONValue
        let what: String
        switch random.pick([(3, "500"), (3, "429"), (2, "409"), (2, "410"), (2, "drop"), (3, "latency")]) {
        case "500":
            rule = ["code": 500, "fraction": 0.2, "durationSeconds": .double(seconds)]
            what = "20% of the controller's requests answered 500 for \(Int(seconds)) s"
        case "429":
            rule = ["code": 429, "retryAfterSeconds": 1, "fraction": 0.3, "durationSeconds": .double(seconds)]
            what = "30% of the controller's requests answered 429 (Retry-After 1) for \(Int(seconds)) s"
        case "409":
            rule = ["verb": "update", "resource": "rollouts/status", "code": 409, "count": 3]
            what = "the controller's next 3 Rollout status writes answered 409"
        case "410":
            rule = ["verb": "watch", "code": 410, "count": 2]
            what = "the controller's next 2 watch requests answered 410 Gone"
        case "drop":
            try await cluster.postFaults(["dropWatches": true])
            faults += 1
            journal.record("every open watch dropped")
            return
        default:
            let latency = Double(random.next() % 2000)
            rule = ["latencyMs": .double(latency), "fraction": 0.5, "durationSeconds": .double(seconds)]
            what = "half the controller's requests delayed \(Int(latency)) ms for \(Int(seconds)) s"
        }
        var scoped = rule
        scoped["userAgent"] = "cutover/"
        try await cluster.postFaults(["rules": [scoped]])
        faults += 1
        journal.record(what)
    }

    /// Kills the leader when some Rollout is at the least-hit moment of a release.
    private func killAtMoment() async throws {
        let fewest = Moment.allCases.map { killsAt[$0] ?? 0 }.min() ?? 0
        let moment = Moment.allCases.filter { (killsAt[$0] ?? 0) == fewest }.randomElement(using: &random) ?? .progressing
        if moment == .cutover || moment == .revert {
            // Widen the window between the selector patch and the status write: the controller's
            // Rollout status writes take 1.5 s for a while.
            try await cluster.postFaults(["rules": [["verb": "update", "resource": "rollouts/status", "latencyMs": 1500, "durationSeconds": 30, "userAgent": "cutover/"]]])
        }
        let deadline = Date().addingTimeInterval(30)
        var aborted: String?
        while Date() < deadline {
            if let found = find(moment) {
                let name = try await cluster.killController(downFor: downtime())
                guard let name else { return }
                kills += 1
                killsAt[moment, default: 0] += 1
                journal.record("SIGKILL \(name) (leader) with \(found) at \(moment.rawValue)")
                return
            }
            if moment == .revert, aborted == nil, let target = inCanary() {
                // No revert under way: start one and kill the leader in the middle of it.
                aborted = target.key
                journal.record("annotate rollout \(target.key) cutover.dev/abort to kill the leader mid-revert")
                _ = try await cluster.kubectl.run(
                    ["annotate", "--overwrite", "-n", target.namespace, "rollout/\(target.name)", "\(CutoverLabels.abort)=chaos-revert-\(kills)"],
                    allowFailure: true)
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        journal.note("no Rollout reached \(moment.rawValue) within 30 s; no kill")
    }

    /// A Rollout at `moment` now, as `namespace/name`.
    private func find(_ moment: Moment) -> String? {
        let now = Date()
        for monitor in cluster.monitors.values {
            for rollout in monitor.rollouts {
                guard let status = rollout.status, let phase = status.phase, rollout.metadata.deletionTimestamp == nil else { continue }
                let selected = monitor.service(rollout.spec.services.active)?.spec?.selector?[CutoverLabels.revision]
                let at: Bool
                switch moment {
                case .progressing: at = phase == .progressing && status.activeRevision != nil && status.greenRevision != nil
                case .firstStep: at = phase == .canary && status.currentStepIndex == 0
                case .laterStep: at = phase == .canary && (status.currentStepIndex ?? 0) >= 1
                case .awaitingApproval: at = phase == .awaitingApproval
                case .promoting: at = phase == .promoting
                case .cutover: at = phase == .promoting && selected != nil && selected == status.greenRevision
                case .holdWindow: at = phase == .holdWindow
                // Traffic back on blue while the status still says it is split or on green.
                case .revert: at = [.split, .green].contains(status.traffic) && selected != nil && selected == status.activeRevision
                case .scaleDown: at = phase == .holdWindow && (status.holdUntil.map { $0.date <= now } ?? false)
                }
                if at { return "\(monitor.namespace)/\(rollout.metadata.name ?? "")" }
            }
        }
        return nil
    }

    private func inCanary() -> (key: String, namespace: String, name: String)? {
        for monitor in cluster.monitors.values {
            if let rollout = monitor.rollouts.first(where: { $0.status?.phase == .canary && $0.metadata.labels?[CutoverLabels.group] == nil }),
                let name = rollout.metadata.name
            {
                return ("\(monitor.namespace)/\(name)", monitor.namespace, name)
            }
        }
        return nil
    }

    private func downtime() -> Duration { .milliseconds(Int(random.next() % 3000)) }

}
