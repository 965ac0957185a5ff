import Foundation
import KubeModels
import PropertyBased
import Testing

@testable import Cutover

/// Random sequences of observations, time steps, user actions and verdicts, driven through the real
/// planner and a model cluster, with the invariants of DESIGN.md §2 checked after every plan.
@Suite("Planner invariants")
struct PlannerPropertyTests {
    /// `app:4` never becomes ready.
    static let neverReadyImage = "app:4"

    static let specs: [RolloutSpec] = [
        canarySpec,
        plainSpec,
        Fixture.spec(replicas: 2, steps: [CanaryStep(weight: 30)], approval: "Manual", holdWindow: "1m", metrics: [Fixture.metric(), Fixture.metric("latency", max: 0.3)]),
        Fixture.spec(replicas: 5, holdWindow: "2m", metrics: [Fixture.metric()], preview: nil),
        Fixture.spec(replicas: 3, approval: "Manual", holdWindow: "30s", metrics: [Fixture.metric(inconclusiveLimit: 1)]),
    ]

    @Test func invariantsHoldForRandomHistories() async {
        var visited: Set<RolloutPhase> = []
        var runsPerPhase: [RolloutPhase: Int] = [:]
        await propertyCheck(count: 150, input: Gen.int(in: 0..<Self.specs.count), Gen.int(in: 0...99).array(of: 10...150)) { specIndex, script in
            var run = Run(spec: Self.specs[specIndex])
            var seen: Set<RolloutPhase> = []
            for op in script {
                run.perform(op)
                if let phase = run.world.status.phase { seen.insert(phase) }
            }
            visited.formUnion(seen)
            for phase in seen { runsPerPhase[phase, default: 0] += 1 }
        }
        // The histories must reach deep into releases, or the invariants were checked on nothing.
        let deep: Set<RolloutPhase> = [.progressing, .canary, .awaitingApproval, .promoting, .holdWindow, .healthy, .rolledBack]
        #expect(deep.isSubset(of: visited), "phases never reached: \(deep.subtracting(visited)); runs per phase: \(runsPerPhase)")
    }

    /// One random history under test, with the facts the invariants need.
    struct Run {
        var world: World
        var passes: [(revision: String, at: Date, metric: String)] = []
        var actionCounter = 0
        /// The second of the last measurements fed in.
        var lastFed: Double?
        let neverReady = Fixture.hash(PlannerPropertyTests.neverReadyImage)

        init(spec: RolloutSpec) {
            world = World(spec)
            world.neverReady = [neverReady]
        }

        mutating func perform(_ op: Int) {
            switch op {
            case 0..<25: progressPods()
            case 25..<35: world.settle()
            case 35..<50: world.advance(Double(op % 5 + 1) * 20)
            case 50..<70: feed(.value(0.001))
            case 70..<72: feed(.value(0.5))
            case 72..<75: feed(.noData)
            case 75..<77: feed(.error("unreachable"))
            case 77..<81: annotate(CutoverLabels.promote)
            case 81: annotate(CutoverLabels.promoteFull)
            case 82: annotate(CutoverLabels.abort)
            case 83..<85: annotate(CutoverLabels.retry)
            case 85..<87: world.annotate(CutoverLabels.paused, world.rollout.metadata.annotations?[CutoverLabels.paused] == "true" ? "false" : "true")
            case 87..<91: world.setTemplate(image: "app:\(op % 4 + 1)")
            case 91: world.rollout.spec.replicas = Int32(op % 5 + 2)
            case 92: if let green = world.status.greenRevision { world.deployments[dep(green)] = nil }
            case 93: world.services["payment"]?.spec?.selector?[CutoverLabels.revision] = "someone-else"
            default: break
            }
            planAndCheck()
        }

        mutating func annotate(_ key: String) {
            actionCounter += 1
            world.annotate(key, "\(actionCounter)")
        }

        mutating func feed(_ sample: Measurement.Sample) {
            guard let green = world.status.greenRevision else { return }
            // A metric measured twice in one second is one measurement handed in twice (the
            // planner records it once): a new measurement is taken a second later at least.
            if lastFed == world.now.timeIntervalSince1970.rounded(.down) { world.advance(1) }
            lastFed = world.now.timeIntervalSince1970.rounded(.down)
            for metric in world.rollout.spec.analysis?.metrics ?? [] {
                world.measurements.append(Measurement(metric: metric.name, revision: green, at: world.now, value: sample))
                if case .value(let value) = sample, value < 0.01 { passes.append((green, world.now, metric.name)) }
            }
        }

        /// The Deployment controller moves one pod of each Deployment toward its wanted size: a
        /// new pod becomes ready, or a surplus pod terminates (so old pods linger for a while).
        mutating func progressPods() {
            for (name, var deployment) in world.deployments {
                let wanted = deployment.spec?.replicas ?? 1
                let revision = deployment.metadata.labels?[CutoverLabels.revision] ?? ""
                let status = deployment.status ?? DeploymentStatus()
                var pods = status.replicas ?? 0
                var ready = status.readyReplicas ?? 0
                if pods > wanted {
                    pods -= 1
                    ready = min(ready, pods)
                } else {
                    pods = wanted
                    ready = revision == neverReady ? 0 : min(wanted, ready + 1)
                }
                deployment.status = DeploymentStatus(
                    observedGeneration: deployment.metadata.generation, replicas: pods, updatedReplicas: min(pods, wanted),
                    readyReplicas: ready, availableReplicas: ready)
                world.deployments[name] = deployment
            }
        }

        func readyPods(_ revision: String?) -> Int32 {
            revision.flatMap { world.deployment($0)?.status?.readyReplicas } ?? 0
        }

        mutating func planAndCheck() {
            let before = world.status
            let fed = world.measurements
            let replicas = world.rollout.spec.replicas ?? 1
            let spec = world.rollout.spec.resolved()
            let plan = planNextStep(for: world.snapshot, now: world.now)
            let events = plan.afterStatus.filter { if case .recordEvent = $0 { true } else { false } }
            #expect(events.count <= 1, "a plan records at most one Event (one request): \(events)")

            for action in plan.actions + plan.afterStatus {
                if case .createDeployment(let created) = action {
                    #expect(world.deployments[created.metadata.name!] == nil, "a create repeated for an existing Deployment")
                }
                // Setting the key back to the revision that already serves (a revert, or undoing
                // someone's edit) is always right; any other target must be ready.
                let serving = before.traffic == .green ? before.greenRevision : before.activeRevision
                guard case .patchServiceSelector(let patch) = action, let target = patch.revision, target != serving,
                    target != before.activeRevision
                else { continue }
                // The active selector never points at a revision without enough ready pods.
                if patch.service == "payment" {
                    #expect(readyPods(target) >= replicas, "active Service pointed at \(target) with \(readyPods(target))/\(replicas) ready")
                } else {
                    #expect(readyPods(target) >= 1, "preview pointed at \(target) with no ready pods")
                }
            }

            // A breach of the current green, while it takes traffic, always ends in a revert.
            let analysing = before.greenRevision != nil && before.activeRevision != nil && (before.traffic == .split || before.traffic == .green)
                && before.manualPromotion != "promote-full"
            let breached = fed.contains { m in
                m.revision == before.greenRevision && { if case .value(let v) = m.value { v > 0.3 } else { false } }()
            }
            if analysing, breached {
                #expect(plan.status.greenRevision != before.greenRevision, "a breach did not revert")
                #expect(plan.status.traffic == .blue)
            }

            // Nothing is promoted on missing data (unless a human promoted).
            if let green = before.greenRevision, !spec.metrics.isEmpty, analysing, plan.status.manualPromotion == nil {
                let advanced = (plan.status.currentStepIndex ?? -1) > (before.currentStepIndex ?? -1) && before.phase == .canary
                let stillGreen = plan.status.greenRevision == green || plan.status.activeRevision == green
                let leftCanary = before.phase == .canary && stillGreen && [.promoting, .holdWindow, .healthy].contains(plan.status.phase)
                let completed = plan.status.activeRevision == green && before.phase == .holdWindow && spec.holdWindowSeconds > 0
                if advanced || leftCanary || completed, let windowStart = completed ? before.cutoverAt : before.stepStartedAt {
                    for metric in spec.metrics {
                        #expect(passes.contains { $0.revision == green && $0.metric == metric.name && $0.at > windowStart.date },
                                "promoted without a passing \(metric.name) in the window")
                    }
                }
            }

            world.apply(plan)
            let after = world.status
            let key = world.activeKey ?? nil
            // While the selector is wide, only blue and green have pods. (Before the first revision
            // is ready the user's Service has no revision key yet: that is not ours to narrow, so
            // that a migration from a plain Deployment keeps serving.)
            if world.activeKey == .some(nil), after.activeRevision != nil {
                for (_, deployment) in world.deployments {
                    let revision = deployment.metadata.labels?[CutoverLabels.revision]
                    let hasPods = (deployment.spec?.replicas ?? 1) > 0 || (deployment.status?.replicas ?? 0) > 0
                    #expect(!hasPods || revision == after.activeRevision || revision == after.greenRevision,
                            "selector wide while \(revision ?? "?") has pods")
                }
                #expect(after.greenRevision != neverReady, "selector wide for a never-ready green")
            }
            // A revision that never became ready never received production traffic.
            #expect(key != neverReady)
            #expect((world.services["payment-preview"]?.spec?.selector?[CutoverLabels.revision]) != neverReady)
        }
    }
}
