import Foundation
import KubeRuntime
import Testing

@testable import CutoverController

/// A Rollout's timed wake-ups land at its own point of the second the planner named.
@Suite("Wake phase")
struct WakePhaseTests {
    @Test(arguments: [("prod", "payment", 0.775), ("prod", "cart", 0.751), ("prod", "checkout", 0.819), ("staging", "payment", 0.716)])
    func eachRolloutHasAFixedPointOfTheSecond(namespace: String, name: String, fraction: Double) {
        #expect(WakePhase(ObjectKey(namespace: namespace, name: name)).fraction == fraction)
    }

    @Test func fifteenMembersOfAGroupWakeAtFifteenPoints() {
        let names = [
            "auth", "cart", "catalog", "checkout", "db-proxy", "email", "frontend", "inventory", "ledger", "payment", "pricing",
            "search", "shipping", "tax", "users",
        ]
        let fractions = names.map { WakePhase(ObjectKey(namespace: "shop", name: $0)).fraction }
        #expect(Set(fractions).count == names.count)
        #expect(fractions.allSatisfy { $0 > 0 && $0 < 1 })
        #expect(fractions.max()! - fractions.min()! > 0.9, "spread over the second: \(fractions.sorted())")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        /// Seconds after a whole second: when the plan was made, when its actions were done.
        var planned: Double, now: Double
        var requeueAfter: Double, fraction: Double
        var delay: Duration
    }

    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [
        Case(testDescription: "planned early in the second: waits past the whole seconds to the phase", planned: 0.1, now: 0.1, requeueAfter: 30, fraction: 0.965, delay: .milliseconds(30_865)),
        Case(testDescription: "planned late in the second: the wait is shorter", planned: 0.9, now: 0.9, requeueAfter: 30, fraction: 0.2, delay: .milliseconds(29_300)),
        Case(testDescription: "the time the actions took is not waited again", planned: 0.1, now: 0.6, requeueAfter: 10, fraction: 0.5, delay: .milliseconds(9_900)),
        Case(testDescription: "a due instant already past: at once", planned: 0.1, now: 2.5, requeueAfter: 1, fraction: 0.3, delay: .zero),
        Case(testDescription: "now stays now", planned: 0.1, now: 0.1, requeueAfter: 0, fraction: 0.9, delay: .zero),
    ])
    func theDelayLandsOnThePhaseOfTheNamedSecond(_ c: Case) {
        let delay = WakePhase(fraction: c.fraction).delay(
            requeueAfter: c.requeueAfter, plannedAt: Self.epoch.addingTimeInterval(c.planned), now: Self.epoch.addingTimeInterval(c.now))
        #expect(delay == c.delay)
    }
}
