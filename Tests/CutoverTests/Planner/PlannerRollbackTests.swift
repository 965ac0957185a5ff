import Foundation
import KubeModels
import Testing

@testable import Cutover

/// A Rollout released app:1, app:2, app:3 (healthy on app:3), then its template set back to
/// `image`: with `window`, whether that is a rollback, and how it goes.
struct RollbackCase: Sendable, CustomTestStringConvertible {
    let name: String
    let window: RollbackWindow?
    let image: String
    let rollback: Bool
    var testDescription: String { name }

    static let all: [RollbackCase] = [
        .init(name: "the previous revision, within 1", window: RollbackWindow(revisions: 1), image: "app:2", rollback: true),
        .init(name: "two back, within 2", window: RollbackWindow(revisions: 2), image: "app:1", rollback: true),
        .init(name: "two back, outside 1", window: RollbackWindow(revisions: 1), image: "app:1", rollback: false),
        .init(name: "a revision never released", window: RollbackWindow(revisions: 5), image: "app:9", rollback: false),
        .init(name: "no rollbackWindow", window: nil, image: "app:2", rollback: false),
    ]
}

@Suite("Planner: fast rollback")
struct PlannerRollbackTests {
    static let v3 = Fixture.hash("app:3")

    static func spec(_ window: RollbackWindow?) -> RolloutSpec {
        var spec = canarySpec
        spec.rollbackWindow = window
        return spec
    }

    /// Healthy on app:3 after three releases, each through its steps and analysis.
    static func released(_ window: RollbackWindow?) -> World {
        var world = World.healthy(spec(window))
        for image in ["app:2", "app:3"] {
            world.setTemplate(image: image)
            world.step()
            world.drive(to: .healthy)
        }
        return world
    }

    @Test(arguments: RollbackCase.all)
    func whatIsARollback(_ row: RollbackCase) throws {
        var world = Self.released(row.window)
        try #require(world.status.phase == .healthy && world.status.activeRevision == Self.v3)
        world.setTemplate(image: row.image)
        let plan = world.step()
        let record = try #require(plan.status.history?.last)
        #expect(record.revision == Fixture.hash(row.image) && record.outcome == nil)
        #expect((record.rollback == true) == row.rollback)
        #expect(plan.eventReasons.contains(row.rollback ? "RollbackStarted" : "ReleaseStarted"))
        if row.rollback {
            // Its Deployment, kept at 0, is reused at full size: no canary size, no new Deployment.
            #expect(plan.steps.contains(.scale(dep(Fixture.hash(row.image)), 4)), "\(plan.steps)")
            #expect(!plan.steps.contains { if case .create = $0 { true } else { false } })
            #expect(plan.status.analysis == [])
        }
    }

    @Test func aRollbackSwitchesAsSoonAsReadyWithoutStepsOrMeasurements() throws {
        var world = Self.released(RollbackWindow(revisions: 2))
        world.setTemplate(image: "app:2")
        var measured = false
        var cutoverAfter: Int?
        for round in 0..<12 {
            let plan = world.step()
            measured = measured || plan.steps.contains { if case .measure = $0 { true } else { false } }
            if cutoverAfter == nil, plan.status.traffic == .green { cutoverAfter = round }
            world.settle()
            if plan.status.phase == .holdWindow { world.advance(600) }
            if plan.status.phase == .healthy { break }
        }
        #expect(cutoverAfter == 1, "green is ready after the first settle; the next plan switches")
        #expect(!measured, "no analysis on a rollback")
        #expect(world.status.phase == .healthy && world.status.activeRevision == v2)
        let record = try #require(world.status.history?.last)
        #expect(record.rollback == true && record.outcome == .promoted)
        #expect(record.timeline.map(\.type) == [.started, .cutOver, .completed], "\(record.timeline.map(\.message))")
        #expect(record.timeline.first?.message == "rolling back to \(v2), released before (from \(Self.v3))")
    }

    @Test func runStepsAndAnalysisWhenTheWindowSaysSo() throws {
        var world = Self.released(RollbackWindow(revisions: 2, steps: "Run", analysis: "Run"))
        world.setTemplate(image: "app:2")
        world.step()
        world.settle()
        let plan = world.step()
        #expect(plan.status.phase == .canary && plan.status.weight == 20)
        #expect(plan.status.analysis?.map(\.name) == ["error-rate"])
        var skipAnalysis = Self.released(RollbackWindow(revisions: 2, steps: "Run"))
        skipAnalysis.setTemplate(image: "app:2")
        skipAnalysis.step()
        skipAnalysis.settle()
        skipAnalysis.step()
        skipAnalysis.settle()
        // Steps run on their pauses alone: the 2m pause, then the next step.
        skipAnalysis.advance(121)
        let next = skipAnalysis.step()
        #expect(next.status.currentStepIndex == 1 && next.status.analysis == [], "\(String(describing: next.status.phase))")
    }

    @Test func theTemplateIsKeptOnTheDeploymentUnlessItIsTooLarge() throws {
        var world = World(canarySpec)
        let plan = world.step()
        let created = plan.actions.compactMap { if case .createDeployment(let deployment) = $0 { deployment } else { nil } }
        let kept = try #require(created.first?.metadata.annotations?[CutoverLabels.template])
        #expect(kept == TemplateHash.canonicalJSON(of: canarySpec.template))
        var large = canarySpec
        large.template.metadata?.annotations = ["notes": String(repeating: "x", count: CutoverLabels.templateAnnotationLimit)]
        var big = World(large)
        let bigPlan = big.step()
        let deployment = try #require(bigPlan.actions.compactMap { if case .createDeployment(let deployment) = $0 { deployment } else { nil } }.first)
        #expect(deployment.metadata.annotations?[CutoverLabels.template] == nil)
        #expect(deployment.metadata.annotations?[CutoverLabels.templateFingerprint] != nil)
    }

    @Test func aBreachStillCannotHappenButAnAbortStillReverts() throws {
        var world = Self.released(RollbackWindow(revisions: 2))
        world.setTemplate(image: "app:2")
        world.step()
        world.settle()
        world.step()
        world.settle()
        try #require(world.status.phase == .holdWindow && world.status.traffic == .green)
        world.annotate(CutoverLabels.abort, "stop")
        let plan = world.step()
        #expect(plan.status.phase == .rolledBack && plan.status.abort?.reason == "Aborted")
        #expect(plan.steps.contains(.patch("payment", Self.v3)))
    }
}
