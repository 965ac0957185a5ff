import Foundation
import KubeModels

@testable import Cutover

/// Matches plan actions without spelling out whole Deployment objects.
enum Step: Equatable, CustomStringConvertible {
    case create(String, Int32)
    case scale(String, Int32)
    case delete(String)
    case patch(String, String?)
    case measure([String])
    case hook(String)
    case checkPromotion(String)
    case claim(String)

    init?(_ action: ReleaseAction) {
        switch action {
        case .createDeployment(let deployment): self = .create(deployment.metadata.name!, deployment.spec!.replicas!)
        case .scaleDeployment(let name, let replicas): self = .scale(name, replicas)
        case .deleteDeployment(let name): self = .delete(name)
        case .patchServiceSelector(let patch): self = .patch(patch.service, patch.revision)
        case .measure(let queries): self = .measure(queries.map(\.metric))
        case .callHook(let call): self = .hook(call.name.rawValue)
        case .checkPromotion(let check): self = .checkPromotion(check.revision)
        case .claimService(let claim): self = .claim(claim.service)
        case .recordEvent: return nil
        }
    }

    var description: String {
        switch self {
        case .create(let name, let replicas): "create \(name)×\(replicas)"
        case .scale(let name, let replicas): "scale \(name)→\(replicas)"
        case .delete(let name): "delete \(name)"
        case .patch(let service, let revision): "patch \(service)=\(revision ?? "∅")"
        case .measure(let metrics): "measure \(metrics)"
        case .hook(let name): "hook \(name)"
        case .checkPromotion(let revision): "check promotion of \(revision)"
        case .claim(let service): "claim \(service)"
        }
    }
}

extension RolloutEvent {
    /// The reasons of the steps this (perhaps folded) Event tells.
    var stepReasons: [String] { RolloutEvent.steps(reason: reason, message: message).map(\.reason) }
}

extension ReleasePlan {
    /// The actions other than events, in order: before the status write, then after it.
    var steps: [Step] { (actions + afterStatus).compactMap(Step.init) }
    /// The reasons of the events this plan tells, unfolded from its one Event.
    var eventReasons: [String] {
        afterStatus.flatMap { action -> [String] in
            guard case .recordEvent(let event) = action else { return [] }
            return event.stepReasons
        }
    }
    func condition(_ type: String) -> Condition? { status.conditions?.first { $0.type == type } }
}

let v1 = Fixture.hash("app:1")
let v2 = Fixture.hash("app:2")
let v3 = Fixture.hash("app:3")
func dep(_ revision: String) -> String { "payment-\(revision)" }

extension World {
    /// A Rollout whose first revision (`app:1`) is released and healthy.
    static func healthy(_ spec: RolloutSpec) -> World {
        var world = World(spec)
        world.converge()
        return world
    }

    /// Healthy at app:1, then app:2 applied and planned once (green created, not ready yet).
    static func releasing(_ spec: RolloutSpec) -> World {
        var world = healthy(spec)
        world.setTemplate(image: "app:2")
        world.step()
        return world
    }

    /// Green is ready and the first canary step has started (traffic split).
    static func inFirstStep(_ spec: RolloutSpec) -> World {
        var world = releasing(spec)
        world.settle()
        world.step()
        world.settle()
        return world
    }

    /// Feeds a passing measurement and steps until the phase is `phase` (bounded).
    mutating func drive(to phase: RolloutPhase, seconds: Double = 30, limit: Int = 40) {
        for _ in 0..<limit where status.phase != phase {
            advance(seconds)
            measure(.value(0))
            step()
            settle()
        }
    }
}
