import ClusterHarness
import Cutover
import Foundation
import KubeModels
import SimulatorHarness

/// Invariant 7, judged once the run has settled: every event of every release record was delivered
/// to the `team` target at least once, every gate hook a record says passed or failed was called,
/// and `status.history` agrees with what the monitor saw (each promotion and each revert it saw is
/// recorded, each recorded outcome was seen).
struct DeliveryCheck {
    var requests: [WebhookReceiver.Request]
    /// `namespace/name` of Rollouts deleted and created again: their earlier life is not in their history.
    var recreated: Set<String>

    func violations(namespace: String, model: ClusterModel) -> [Violation] {
        var found: [Violation] = []
        func report(_ invariant: String, _ detail: String) {
            found.append(Violation(invariant: invariant, detail: "\(namespace)/\(detail)", resourceVersion: 0, at: Date()))
        }
        let notifications = requests.filter { $0.path == "/notify/\(namespace)" }.compactMap(\.json)
        for (name, rollout) in model.rollouts.sorted(by: { $0.key < $1.key }) {
            let history = rollout.status?.history ?? []
            let delivered = Set(
                notifications.filter { $0["rollout"]?.stringValue == name }.map { "\($0["event"]?.stringValue ?? "")|\($0["revision"]?.stringValue ?? "")" })
            let hookCalls = requests.filter { $0.path == "/hook/\(namespace)/\(name)" }
            for record in history {
                for event in record.timeline where !delivered.contains("\(event.type.rawValue)|\(record.revision)") {
                    report("each notification delivered at least once", "\(name): \(event.type.rawValue) of \(record.revision) (\(event.at)) never reached the team target")
                }
                let calls = hookCalls.filter { $0.json?["revision"]?.stringValue == record.revision }
                if record.timeline.contains(where: { $0.type == .hookPassed }), !calls.contains(where: { (200..<300).contains($0.answered) }) {
                    report("each gate hook delivered at least once", "\(name): a hook of \(record.revision) is recorded as passed, but none was answered 2xx")
                }
                if (record.reason ?? "").hasSuffix("HookFailed"), !calls.contains(where: { !(200..<300).contains($0.answered) }) {
                    report("each gate hook delivered at least once", "\(name): \(record.revision) reverted with \(record.reason ?? ""), but no call was refused")
                }
            }
            checkHistory(name, rollout, history, model, report)
        }
        return found
    }

    /// Each recorded outcome was seen, and each promotion and revert seen while the history covers
    /// it is recorded.
    private func checkHistory(
        _ name: String, _ rollout: Rollout, _ history: [ReleaseRecord], _ model: ClusterModel, _ report: (String, String) -> Void
    ) {
        let invariant = "status.history agrees with what the checker saw"
        let statuses = model.statuses(name).map(\.status)
        let selected = Set(model.selectorHistory(rollout.spec.services.active))
        // `abort.revision` names the reverted green; `rolledBackRevision` is cleared when the
        // template moved on meanwhile (a newer template, or a paused Rollout's new spec).
        let revertsSeen = Set(statuses.compactMap { $0.phase == .rolledBack ? $0.abort?.revision : nil })
        for record in history {
            switch record.outcome {
            case .promoted where !selected.contains(.revision(record.revision)):
                report(invariant, "\(name): \(record.revision) is recorded as promoted, but its active Service never selected it")
            case .rolledBack where !revertsSeen.contains(record.revision):
                report(invariant, "\(name): \(record.revision) is recorded as rolled back, but the Rollout was never seen RolledBack")
            default:
                break
            }
        }
        guard !recreated.contains("\(rollout.metadata.namespace ?? "")/\(name)"), let oldest = history.first?.startedAt.date else { return }
        var previous: RolloutStatus?
        for (status, at, _) in model.statuses(name) {
            defer { previous = status }
            guard at > oldest.addingTimeInterval(2) else { continue }
            if status.phase == .healthy, let active = status.activeRevision, let before = previous?.activeRevision, before != active,
                !history.contains(where: { $0.revision == active && $0.outcome == .promoted })
            {
                report(invariant, "\(name): the monitor saw \(active) promoted at \(at), but no record says so")
            }
            if status.phase == .rolledBack, previous?.phase != .rolledBack, let reverted = status.abort?.revision,
                !history.contains(where: { $0.revision == reverted && $0.outcome == .rolledBack })
            {
                report(invariant, "\(name): the monitor saw \(reverted) rolled back at \(at), but no record says so")
            }
        }
    }
}
