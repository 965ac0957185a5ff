import Foundation
import KubeModels
import Testing

@testable import Cutover

/// A world in some phase, for checks that must hold in every phase.
struct PhaseCase: Sendable, CustomTestStringConvertible {
    let phase: RolloutPhase
    let world: @Sendable () -> World
    var testDescription: String { phase.rawValue }

    static let all: [PhaseCase] = [
        .init(phase: .progressing) { World.releasing(canarySpec) },
        .init(phase: .canary) { var w = World.inFirstStep(canarySpec); w.advance(45); w.measure(.value(0.001)); return w },
        .init(phase: .awaitingApproval) {
            var spec = canarySpec; spec.strategy?.approval = "Manual"
            var w = World.inFirstStep(spec); w.drive(to: .awaitingApproval); return w
        },
        .init(phase: .promoting) { var w = World.inFirstStep(canarySpec); w.annotate(CutoverLabels.promote, "p"); w.step(); return w },
        .init(phase: .holdWindow) { var w = World.inFirstStep(canarySpec); w.drive(to: .holdWindow); w.advance(30); w.measure(.value(0.002)); return w },
        .init(phase: .healthy) { World.healthy(canarySpec) },
        .init(phase: .rolledBack) { var w = World.inFirstStep(canarySpec); w.advance(30); w.measure(.value(1)); w.step(); return w },
        .init(phase: .degraded) { var w = World(plainSpec); w.neverReady = [v1]; w.step(); w.settle(); w.advance(400); w.step(); return w },
        .init(phase: .invalidSpec) { var w = World.inFirstStep(canarySpec); w.rollout.spec.replicas = -1; w.step(); return w },
    ]
}

@Suite("Restart safety")
struct RestartSafetyTests {
    @Test(arguments: PhaseCase.all)
    func planningFromADecodedStatusGivesTheSamePlan(_ phaseCase: PhaseCase) throws {
        let world = phaseCase.world()
        #expect(world.status.phase == phaseCase.phase)
        let data = try JSONEncoder().encode(world.rollout)
        let decoded = try JSONDecoder().decode(Rollout.self, from: data)
        #expect(decoded == world.rollout)
        for offset in [0.0, 1, 29, 30, 121, 700] {
            let now = world.now.addingTimeInterval(offset)
            var restarted = world.snapshot
            restarted.rollout = decoded
            #expect(planNextStep(for: restarted, now: now) == planNextStep(for: world.snapshot, now: now))
        }
    }

    @Test(arguments: PhaseCase.all)
    func executingAPlanThenPlanningAgainRepeatsNothing(_ phaseCase: PhaseCase) {
        var world = phaseCase.world()
        world.step()
        let again = world.step()
        #expect(!again.steps.contains { if case .create = $0 { true } else { false } })
        #expect(again.steps.filter { if case .measure = $0 { false } else { true } } == [])
    }
}
