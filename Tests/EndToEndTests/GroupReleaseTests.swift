import Cutover
import Foundation
import KubeModels
import Testing
@testable import ClusterHarness

extension EndToEnd {
    /// Fifteen member Rollouts released as one ReleaseGroup (docs/release-groups.md), each with its
    /// own template, Services, two canary steps and error-rate analysis against Prometheus. Besides
    /// what each test checks, the monitor checks the group's invariants on every change
    /// (`ClusterModel+GroupInvariants`) and every member's Rollout invariants.
    @Suite("Release groups") struct GroupReleaseTests {
        @Test("a good release of 15 members: held at every barrier, the 15 active Services switched in one reconcile, Completed")
        func goodRelease() async throws {
            try await EndToEndCluster.run { cluster in
                let group = ReleaseGroupManifest(namespace: cluster.namespace)
                var members = cluster.memberManifests()
                let blues = try await cluster.deployGroup(group, members: members)

                for index in members.indices { members[index].image = "registry.example.com/\(members[index].name):2.0.0" }
                let greens = try await cluster.releaseGroup(members, blues: blues)
                try await cluster.waitForGroupCondition("Completed")

                // What a user reads with kubectl.
                #expect(try await cluster.get("releasegroup/shop", jsonpath: "{.status.phase}") == "Healthy")
                #expect(try await cluster.get("releasegroup/shop", jsonpath: "{.status.history[-1:].outcome}") == "Promoted")
                #expect(try await cluster.selectedRevisions(of: members) == greens)
                let rollouts = try await cluster.getAll("rollouts", jsonpath: "{.status.phase} {.status.activeRevision}")
                #expect(rollouts == greens.mapValues { "Healthy \($0)" })
                let replicas = try await cluster.getAll("deployments", jsonpath: "{.spec.replicas}")
                for member in members {
                    #expect(replicas["\(member.name)-\(greens[member.name]!)"] == "2")
                    #expect(replicas["\(member.name)-\(blues[member.name]!)"] == "0", "\(member.name)'s blue is scaled to 0")
                }

                try await cluster.monitor.waitForSelectors(greens)
                let model = cluster.monitor.model()
                let barriers = model.groupBarriers()
                #expect(barriers == ["GreenReady", "Step 0", "Step 1", "Cutover", "Completion"], "the group's barriers: \(barriers)")

                // One reconcile switched all 15, once every member waited at Cutover (none still in its canary).
                let decision = try #require(model.groupReconcile { $0.release?.members.contains { $0.cutoverAt != nil } == true })
                let decided = decision.status.release?.members ?? []
                #expect(decided.count == members.count && Set(decided.map(\.cutoverAt)).count == 1, "one decision: \(decided)")
                for member in members {
                    let before = model.statuses(member.name).last { $0.resourceVersion < decision.afterWrite.lowerBound }?.status
                    #expect(before?.group?.waitingAt == .cutover, "\(member.name) waited at Cutover before the decision: \(String(describing: before?.group))")
                }
                let cutovers = model.cutovers(to: greens)
                #expect(cutovers.count == members.count, "every active Service switched to green: \(cutovers.keys.sorted())")
                let outside = cutovers.filter { !decision.afterWrite.contains($0.value.resourceVersion) }
                #expect(outside.isEmpty, "switched outside the deciding reconcile (rv \(decision.afterWrite)): \(outside.mapValues(\.resourceVersion))")
                print("e2e group release: the 15 active Services switched to green within \(Self.spread(cutovers.values.map(\.at)))s")

                // Blue is held until the group's hold window is over.
                let holdUntil = try #require(model.groupStatuses().last?.release?.holdUntil)
                for member in members {
                    let scaledDown = model.timeline.replicas["\(member.name)-\(blues[member.name]!)"]?.last { $0.replicas == 0 }?.at
                    #expect(scaledDown.map { $0 >= holdUntil.date } == true, "\(member.name)'s blue went at \(String(describing: scaledDown)), hold until \(holdUntil)")
                }
                #expect(model.timeline.creations.values.allSatisfy { $0 == 1 }, "each Deployment created once: \(model.timeline.creations)")
            }
        }

        @Test("three waves: a wave's Services switch together, every one of wave k before any of wave k+1; unnamed members go last")
        func wavesInOrder() async throws {
            try await EndToEndCluster.run { cluster in
                var group = ReleaseGroupManifest(namespace: cluster.namespace)
                group.waves = [["db-proxy", "ledger"], ["payment", "inventory", "pricing", "tax", "checkout"]]
                var members = cluster.memberManifests()
                let blues = try await cluster.deployGroup(group, members: members)

                for index in members.indices { members[index].image = "registry.example.com/\(members[index].name):2.0.0" }
                let greens = try await cluster.releaseGroup(members, blues: blues)
                try await cluster.waitForGroupCondition("Completed")
                #expect(try await cluster.selectedRevisions(of: members) == greens)

                try await cluster.monitor.waitForSelectors(greens)
                let model = cluster.monitor.model()
                let release = try #require(model.groupStatuses().last?.release)
                let waves = (0..<3).map { wave in Set(release.members.filter { $0.wave == wave }.map(\.name)) }
                let unnamed = Set(members.map(\.name)).subtracting(group.waves.joined())
                #expect(waves == [Set(group.waves[0]), Set(group.waves[1]), unnamed], "waves from spec.waves, the rest last: \(waves)")
                #expect(release.wavesCutOver == 3)

                let cutovers = model.cutovers(to: greens)
                #expect(cutovers.count == members.count, "every active Service switched to green: \(cutovers.keys.sorted())")
                for (index, wave) in waves.enumerated() {
                    let switches = wave.compactMap { cutovers[$0] }
                    let decision = try #require(model.groupReconcile { status in
                        status.release?.members.filter { wave.contains($0.name) && $0.cutoverAt != nil }.count == wave.count
                    })
                    let others = decision.status.release?.members.filter { !wave.contains($0.name) && $0.wave > index && $0.cutoverAt != nil } ?? []
                    #expect(others.isEmpty, "wave \(index + 1) decided alone: \(others.map(\.name))")
                    #expect(
                        switches.allSatisfy { decision.afterWrite.contains($0.resourceVersion) },
                        "wave \(index + 1) switched in its deciding reconcile (rv \(decision.afterWrite)): \(switches.map(\.resourceVersion).sorted())")
                    print("e2e group waves: wave \(index + 1) (\(wave.count) Services) switched within \(Self.spread(switches.map(\.at)))s")
                    guard index + 1 < waves.count else { continue }
                    let last = switches.map(\.resourceVersion).max() ?? 0
                    let next = waves[index + 1].compactMap { cutovers[$0]?.resourceVersion }.min() ?? 0
                    #expect(last < next, "wave \(index + 1)'s last switch (rv \(last)) before wave \(index + 2)'s first (rv \(next))")
                }
            }
        }

        @Test("one member answering 20% errors in its canary: all 15 back on blue, GroupReverted naming it, the cause named once")
        func oneBadMemberRevertsAll() async throws {
            try await EndToEndCluster.run { cluster in
                let group = ReleaseGroupManifest(namespace: cluster.namespace)
                var members = cluster.memberManifests()
                let blues = try await cluster.deployGroup(group, members: members)

                let bad = "payment"
                for index in members.indices { members[index].image = "registry.example.com/\(members[index].name):2.0.0" }
                members[members.firstIndex { $0.name == bad }!].podAnnotations["sim.cutover.dev/error-rate"] = "0.2"
                let greens = try await cluster.releaseGroup(members, blues: blues)
                let reverted = try await cluster.monitor.waitForGroup("shop", "RolledBack") { $0.status?.phase == .rolledBack }
                var rolledBack: [String: Rollout] = [:]
                for member in members {
                    rolledBack[member.name] = try await cluster.monitor.waitForRollout(member.name, "RolledBack") {
                        $0.status?.phase == .rolledBack && $0.status?.rolledBackRevision == greens[member.name]
                    }
                }
                #expect(try await cluster.selectedRevisions(of: members) == blues, "every active Service back on blue")

                // The group names the cause once; each other member names it as GroupReverted.
                let cause = try #require(reverted.status?.abort)
                #expect(cause.reason == "AnalysisBreach" && cause.member == bad && cause.metric == "error-rate" && cause.limit == 0.05, "\(cause)")
                // 20% errors, measured over the first seconds of the green's traffic: above the limit, roughly 0.2.
                #expect(cause.value.map { $0 > 0.05 && $0 < 0.5 } == true, "measured \(String(describing: cause.value))")
                #expect(try await cluster.get("releasegroup/shop", jsonpath: "{.status.abort.member}") == bad)
                #expect(try await cluster.get("releasegroup/shop", jsonpath: #"{.status.conditions[?(@.type=="RolledBack")].status}"#) == "True")
                let record = try #require(reverted.status?.history?.last)
                #expect(record.outcome == .rolledBack)
                #expect(record.timeline.filter { $0.type == .rolledBack }.count == 1, "one RolledBack in the group's record: \(record.timeline)")
                let events = try await cluster.events(about: "shop", kind: "ReleaseGroup").filter { $0.reason == "RolledBack" }
                #expect(events.count == 1 && (events.first?.count ?? 1) == 1, "one RolledBack Event on the group: \(events.map(\.message))")
                #expect(rolledBack[bad]?.status?.abort?.reason == "AnalysisBreach")
                for member in members where member.name != bad {
                    let abort = rolledBack[member.name]?.status?.abort
                    #expect(
                        abort?.reason == "GroupReverted" && abort?.member == bad && abort?.metric == "error-rate"
                            && abort?.value == cause.value && abort?.limit == 0.05,
                        "\(member.name): \(String(describing: abort))")
                }

                // The bad member reverts itself; the group then moves the 14 others back in one reconcile.
                try await cluster.monitor.waitForSelectors(blues)
                let model = cluster.monitor.model()
                #expect(model.cutovers(to: greens).isEmpty, "no member ever served green alone")
                let history = rolledBack[bad]?.status?.analysis?.first { $0.name == "error-rate" }?.history ?? []
                let breach = try #require(history.last { $0.revision == greens[bad] && $0.verdict == .breach })
                let decision = try #require(model.groupReconcile { $0.phase == .rolledBack })
                let backOnBlue = members.filter { $0.name != bad }.compactMap { member in
                    model.timeline.selectors[member.name]?.last { $0.state == .revision(blues[member.name]!) }
                }
                #expect(backOnBlue.count == members.count - 1)
                #expect(
                    backOnBlue.allSatisfy { decision.reconcile.contains($0.resourceVersion) },
                    "the 14 others back on blue in the reverting reconcile (rv \(decision.reconcile)): \(backOnBlue.map(\.resourceVersion).sorted())")
                let last = backOnBlue.map(\.at).max() ?? .distantPast
                let latency = last.timeIntervalSince(breach.at.date)
                print("e2e group revert: breach (\(cause.value ?? 0)) measured at \(breach.at); the 14 others back on blue \(latency)s later, within \(Self.spread(backOnBlue.map(\.at)))s")
                // `at` is whole seconds (rounded down), and the group learns of the breach from the bad member's revert.
                #expect(latency <= members[0].intervalSeconds + 3, "last Service back on blue \(latency)s after the breach measurement")
                for member in members {
                    #expect(!model.states(member.name).contains { [.holdWindow, .healthy].contains($0.phase) && $0.green == greens[member.name] })
                }
                try await cluster.waitForGreensScaledDown(greens)
            }
        }

        @Test("approval Manual: every member waits, nothing cuts over until cutover.dev/promote on the group, then all do")
        func manualApproval() async throws {
            try await EndToEndCluster.run { cluster in
                var group = ReleaseGroupManifest(namespace: cluster.namespace)
                group.approval = "Manual"
                var members = cluster.memberManifests()
                let blues = try await cluster.deployGroup(group, members: members)

                for index in members.indices { members[index].image = "registry.example.com/\(members[index].name):2.0.0" }
                let greens = try await cluster.releaseGroup(members, blues: blues)
                let awaiting = try await cluster.monitor.waitForGroup("shop", "AwaitingApproval") { $0.status?.phase == .awaitingApproval }
                let enteredAt = Date()
                #expect(try await cluster.get("releasegroup/shop", jsonpath: "{.status.step}") == "approval")
                #expect(awaiting.status?.members?.allSatisfy { $0.waitingAt != nil } == true, "every member waits: \(awaiting.status?.members ?? [])")

                // Analysis goes on while they wait, and nothing moves without the promote.
                for member in members {
                    try await cluster.monitor.waitForRollout(member.name, "two more measurements while waiting") {
                        guard let measured = $0.status?.analysis?.first?.lastMeasuredAt else { return false }
                        return measured.date.timeIntervalSince(enteredAt) >= 2 * member.intervalSeconds
                    }
                }
                #expect(cluster.monitor.group("shop")?.status?.phase == .awaitingApproval)
                #expect(try await cluster.selectedRevisions(of: members).values.allSatisfy { $0 == "" }, "every Service still split")
                #expect(cluster.monitor.model().cutovers(to: greens).isEmpty)

                let promote = EndToEndCluster.actionValue()
                let promotedAt = Date()
                try await cluster.annotate(group: "shop", "cutover.dev/promote", promote)
                try await cluster.waitForGroupCondition("Completed")
                #expect(try await cluster.get("releasegroup/shop", jsonpath: "{.status.acknowledgedActions.promote}") == promote)
                #expect(try await cluster.selectedRevisions(of: members) == greens)
                try await cluster.monitor.waitForSelectors(greens)
                let cutovers = cluster.monitor.model().cutovers(to: greens)
                #expect(cutovers.count == members.count && cutovers.values.allSatisfy { $0.at >= promotedAt }, "all cut over after the promote")
            }
        }

        /// Seconds between the first and the last of `times` (as the watch delivered them).
        static func spread(_ times: [Date]) -> Double {
            (times.max() ?? .distantPast).timeIntervalSince(times.min() ?? .distantPast)
        }
    }
}
