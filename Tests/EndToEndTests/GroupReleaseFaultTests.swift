import Cutover
import Foundation
import KubeModels
import Testing

#if canImport(Glibc)
import Glibc
@testable import ClusterHarness
#endif

extension EndToEnd {
    /// The controller dies in the middle of a group release of 15 members: held at a barrier, or
    /// with a revert decided and not yet carried out. Every decision is in the group's status, so a
    /// new process continues from what the cluster holds (docs/release-groups.md, "State lives in
    /// status").
    @Suite("Release group faults") struct GroupReleaseFaultTests {
        @Test("the controller SIGKILLed at each barrier (GreenReady, a Step, the approval, the hold window) and restarted: the release completes")
        func controllerKilledAtEveryBarrier() async throws {
            try await EndToEndCluster.run { cluster in
                var group = ReleaseGroupManifest(namespace: cluster.namespace)
                group.approval = "Manual"
                var members = cluster.memberManifests()
                let blues = try await cluster.deployGroup(group, members: members)

                for index in members.indices { members[index].image = "registry.example.com/\(members[index].name):2.0.0" }
                // One slow member per barrier holds the group there long enough to kill the controller in it.
                members[members.firstIndex { $0.name == "search" }!].podAnnotations["sim.cutover.dev/ready-after"] = "5s"
                members[members.firstIndex { $0.name == "tax" }!].steps = [(20, "5s"), (50, "1s")]
                members[members.firstIndex { $0.name == "users" }!].holdWindow = "8s"
                let greens = try await cluster.releaseGroup(members, blues: blues)
                let started = try #require(cluster.monitor.group("shop")?.status?.release)

                try await cluster.monitor.waitForGroup("shop", "members waiting at GreenReady") {
                    $0.status?.release?.barrier == .greenReady && $0.status?.members?.contains { $0.waitingAt == .greenReady } == true
                }
                let atGreenReady = try await cluster.killControllerReadingGroup()
                #expect(atGreenReady.status?.release?.barrier == .greenReady, "killed at \(String(describing: atGreenReady.status?.release))")
                try await cluster.startController("controller-2")

                try await cluster.monitor.waitForGroup("shop", "members waiting after step 1") {
                    $0.status?.release?.barrier == .step && $0.status?.release?.step == 0
                        && $0.status?.members?.contains { $0.waitingAt == .step } == true
                }
                let atStep = try await cluster.killControllerReadingGroup()
                #expect(atStep.status?.release?.barrier == .step && atStep.status?.release?.step == 0, "killed at \(String(describing: atStep.status?.release))")
                try await cluster.startController("controller-3")

                try await cluster.monitor.waitForGroup("shop", "AwaitingApproval") { $0.status?.phase == .awaitingApproval }
                let atApproval = try await cluster.killControllerReadingGroup()
                #expect(atApproval.status?.phase == .awaitingApproval && atApproval.status?.release?.approved != true)
                try await cluster.startController("controller-4")
                let promotedAt = Date()
                try await cluster.annotate(group: "shop", "cutover.dev/promote", EndToEndCluster.actionValue())

                try await cluster.monitor.waitForGroup("shop", "the hold window") {
                    $0.status?.release?.barrier == .completion && $0.status?.release?.outcome == nil
                }
                let atHold = try await cluster.killControllerReadingGroup()
                #expect(atHold.status?.release?.barrier == .completion, "killed at \(String(describing: atHold.status?.release))")
                try await cluster.startController("controller-5")

                try await cluster.waitForGroupCondition("Completed")
                #expect(try await cluster.selectedRevisions(of: members) == greens)
                let rollouts = try await cluster.getAll("rollouts", jsonpath: "{.status.phase} {.status.activeRevision}")
                #expect(rollouts == greens.mapValues { "Healthy \($0)" })

                // One release from start to end: never restarted, no barrier gone back, nothing done twice.
                try await cluster.monitor.waitForSelectors(greens)
                let model = cluster.monitor.model()
                let statuses = model.groupStatuses()
                let final = try #require(statuses.last)
                #expect(final.release?.revision == started.revision && final.release?.startedAt == started.startedAt)
                #expect(final.history?.map(\.outcome) == [.promoted], "one group release, promoted: \(final.history ?? [])")
                let barriers = model.groupBarriers()
                #expect(barriers == ["GreenReady", "Step 0", "Step 1", "Cutover", "Completion"], "the group's barriers: \(barriers)")
                for member in members {
                    let steps = model.statuses(member.name).filter { $0.status.greenRevision == greens[member.name] }
                        .compactMap { $0.status.phase == .canary ? $0.status.currentStepIndex : nil }
                    #expect(steps == steps.sorted() && Set(steps) == [0, 1], "\(member.name)'s steps: \(steps)")
                }
                let cutovers = model.cutovers(to: greens)
                #expect(cutovers.count == members.count && cutovers.values.allSatisfy { $0.at >= promotedAt })
                #expect(model.timeline.creations.values.allSatisfy { $0 == 1 }, "each Deployment created once: \(model.timeline.creations)")
            }
        }

        @Test("the controller SIGKILLed mid-revert (decided, no Service patched yet) and restarted: every member goes back to blue")
        func controllerKilledMidRevert() async throws {
            try await EndToEndCluster.run { cluster in
                let group = ReleaseGroupManifest(namespace: cluster.namespace)
                var members = cluster.memberManifests()
                let blues = try await cluster.deployGroup(group, members: members)

                // A long first step: the group is aborted in it, with every Service split.
                for index in members.indices {
                    members[index].image = "registry.example.com/\(members[index].name):2.0.0"
                    members[index].steps = [(20, "60s"), (50, "1s")]
                }
                let greens = try await cluster.releaseGroup(members, blues: blues)
                for member in members {
                    try await cluster.monitor.waitForRollout(member.name, "its canary split") {
                        $0.status?.phase == .canary && $0.status?.traffic == .split
                    }
                }

                // KubeSim refuses every Service patch, so the revert is decided but cannot be carried out.
                try await cluster.injectFaults(#"{"rules": [{"verb": "patch", "resource": "services", "code": 503, "durationSeconds": 300}]}"#)
                try await cluster.annotate(group: "shop", "cutover.dev/abort", EndToEndCluster.actionValue())
                try await cluster.monitor.waitForGroup("shop", "RolledBack") { $0.status?.phase == .rolledBack }
                _ = try await eventually("the revert's Service patches to be refused", timeout: .seconds(30), interval: .milliseconds(200)) {
                    let refused = try await cluster.apiRequests(verb: "patch", resource: "services", code: 503)
                    return (refused > 0 ? true : nil, "\(refused) refused")
                }
                let decided = try await cluster.killControllerReadingGroup()
                #expect(decided.status?.abort?.reason == "Aborted")
                let left = try await cluster.selectedRevisions(of: members)
                #expect(left.values.allSatisfy { $0 == "" }, "every Service still split when the controller died: \(left)")

                try await cluster.clearFaults()
                try await cluster.startController("controller-restarted")
                for member in members {
                    let reverted = try await cluster.monitor.waitForRollout(member.name, "RolledBack") {
                        $0.status?.phase == .rolledBack && $0.status?.rolledBackRevision == greens[member.name]
                    }
                    #expect(reverted.status?.abort?.reason == "GroupReverted", "\(member.name): \(String(describing: reverted.status?.abort))")
                }
                _ = try await eventually("every active Service back on blue", timeout: .seconds(30), interval: .milliseconds(500)) {
                    let now = try await cluster.selectedRevisions(of: members)
                    return (now == blues ? true : nil, "\(now)")
                }
                try await cluster.waitForGreensScaledDown(greens)

                let after = try #require(cluster.monitor.group("shop")?.status)
                #expect(after.abort == decided.status?.abort, "the revert was not decided again: \(String(describing: after.abort))")
                #expect(after.history?.last?.timeline.filter { $0.type == .rolledBack }.count == 1)
                try await cluster.monitor.waitForSelectors(blues)
                #expect(cluster.monitor.model().cutovers(to: greens).isEmpty, "no member ever served green alone")
            }
        }
    }
}

extension EndToEndCluster {
    /// SIGKILLs the running controller and returns group `shop` as the dead controller left it
    /// (read with kubectl once the process is gone, so nothing changes it any more).
    func killControllerReadingGroup() async throws -> ReleaseGroup {
        try await killController()
        let json = try await kubectl("get", "-n", namespace, "releasegroup/shop", "-o", "json")
        return try JSONDecoder().decode(ReleaseGroup.self, from: Data(json.utf8))
    }

    /// KubeSim's count of API requests with this verb, resource and response code (`GET /sim/stats`).
    func apiRequests(verb: String, resource: String, code: Int) async throws -> Int64 {
        let json = try await kubectl("get", "--raw", "/sim/stats")
        let stats = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        return (stats["requests"]?.arrayValue ?? []).reduce(0) { total, entry in
            guard entry["verb"]?.stringValue == verb, entry["resource"]?.stringValue == resource, entry["code"]?.intValue == Int64(code)
            else { return total }
            return total + (entry["count"]?.intValue ?? 0)
        }
    }

    /// Adds KubeSim fault rules (`POST /sim/faults`, docs/kubesim.md) with `kubectl create --raw`.
    func injectFaults(_ json: String) async throws {
        let path = directory.appendingPathComponent("faults-\(UUID().uuidString.prefix(8)).json")
        try json.write(to: path, atomically: true, encoding: .utf8)
        try await kubectl("create", "--raw", "/sim/faults", "-f", path.path)
    }

    /// Removes every KubeSim fault rule (`DELETE /sim/faults`).
    func clearFaults() async throws {
        try await kubectl("delete", "--raw", "/sim/faults")
    }
}
