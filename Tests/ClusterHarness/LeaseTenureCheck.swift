import Cutover
import Foundation
import KubeAPI
import KubeModels

/// Never two replicas acting on one Rollout: every Event a replica records about a Rollout falls
/// within one of that replica's tenures of the Lease that gives it the Rollout (the leader Lease,
/// or with `--shards` the Rollout's shard Lease).
///
/// Tenures come from the Leases' own records, polled through the run: a holder's tenure starts at
/// its `acquireTime` and ends at the next record's (a release writes one too). A replica writes
/// only while its last renewal is younger than the renew deadline, and another takes over only
/// after the lease duration passed unchanged, so all of a tenure's writes fall before the next
/// tenure starts. Event times have whole seconds (floored), hence one second of slack before a
/// tenure's start. A gap in `leaseTransitions` (a tenure shorter than a poll) leaves the gap unjudged.
package final class LeaseTenureCheck: Sendable {
    struct Tenure: Sendable {
        var holder: String
        var from: Date
        var transitions: Int32
    }

    private let election: ControllerProcess.LeaderElection
    /// Tenures by Lease name, in order; `unjudged` spans by Lease name.
    private let tenures = LockedValue<[String: [Tenure]]>([:])
    private let gaps = LockedValue<[String: [ClosedRange<Date>]]>([:])

    package init(election: ControllerProcess.LeaderElection) {
        self.election = election
    }

    /// Records new tenures every 200 ms until cancelled.
    package func follow(_ client: KubeClient) async {
        while !Task.isCancelled {
            if let leases = try? await client.list(Lease.self, namespace: election.leaseNamespace).items { record(leases) }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    package func record(_ leases: [Lease]) {
        for lease in leases {
            guard let name = lease.metadata.name, let spec = lease.spec, let from = spec.acquireTime?.date else { continue }
            let tenure = Tenure(holder: spec.holderIdentity ?? "", from: from, transitions: spec.leaseTransitions ?? 0)
            var gap: ClosedRange<Date>?
            tenures.update { all in
                let last = all[name]?.last
                guard last?.holder != tenure.holder || last?.from != tenure.from else { return }
                // A holder's acquisition counts a transition; more than one since the last record: missed tenures.
                if let last, tenure.transitions > last.transitions + 1 { gap = last.from...tenure.from }
                all[name, default: []].append(tenure)
            }
            if let gap { gaps.update { $0[name, default: []].append(gap) } }
        }
    }

    /// The Lease that gives a replica the Rollout: the leader Lease, or the shard's.
    package func leaseName(of rollout: Rollout) -> String? {
        guard election.shards > 1 else { return election.leaseName }
        guard let label = rollout.metadata.labels?[CutoverLabels.shard], let shard = label.split(separator: "-").first else { return nil }
        return "\(election.leaseName)-shard-\(shard)"
    }

    /// Whether `instance` held `lease` at `time` (an Event time, floored to the second).
    package func held(_ lease: String, by instance: String, at time: Date) -> Bool {
        let list = tenures.get[lease] ?? []
        if (gaps.get[lease] ?? []).contains(where: { $0.contains(time) }) { return true }
        for (index, tenure) in list.enumerated() where tenure.holder == instance {
            let end = index + 1 < list.count ? list[index + 1].from : .distantFuture
            if time >= tenure.from.addingTimeInterval(-1), time < end { return true }
        }
        return false
    }

    /// The Events about `rollouts` recorded by a replica outside its tenures.
    package func violations(_ client: KubeClient, namespace: String, rollouts: [Rollout]) async -> [Violation] {
        guard let events = try? await client.list(Event.self, namespace: namespace).items else {
            return [Violation(invariant: "one replica acts on a Rollout at a time", detail: "cannot list the Events of \(namespace)", resourceVersion: 0, at: Date())]
        }
        let byName = Dictionary(rollouts.map { ($0.metadata.name ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        var found: [Violation] = []
        for event in events where event.involvedObject.kind == "Rollout" {
            guard let instance = event.reportingInstance, !instance.isEmpty, let rollout = byName[event.involvedObject.name ?? ""],
                let lease = leaseName(of: rollout)
            else { continue }
            for time in [event.firstTimestamp?.date, event.lastTimestamp?.date].compactMap({ $0 }) where !held(lease, by: instance, at: time) {
                found.append(Violation(
                    invariant: "one replica acts on a Rollout at a time",
                    detail: "Event \(event.reason ?? "") about \(namespace)/\(rollout.metadata.name ?? "") written by \(instance) at \(time), when it did not hold Lease \(lease)",
                    resourceVersion: 0, at: time))
                break
            }
        }
        return found
    }
}
