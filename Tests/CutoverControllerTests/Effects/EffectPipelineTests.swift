import ClusterHarness
import KubeRuntime
import Testing

@testable import CutoverController

/// The background work of reconciles takes turns: one lane's backlog (a receiver that hangs,
/// retried for ~20 s an event) never holds a worker while other lanes wait.
struct EffectPipelineTests {
    struct Job: Effect {
        typealias Outcome = Int
        var lane: String
        var number: Int
        var id: String { "\(lane)-\(number)" }
        var owner: ObjectKey { ObjectKey(namespace: "shop", name: lane) }
    }

    @Test("with one worker, a lane with a backlog and a lane with one job take turns, each lane in order")
    func lanesTakeTurns() async throws {
        let order = LockedValue<[String]>([])
        let pipeline = EffectPipeline<Job>(.init(workers: 1)) { job in
            order.update { $0.append(job.id) }
            return job.number
        }
        let running = Task { await pipeline.run(wake: { _ in }) }
        defer { running.cancel() }
        pipeline.submit([Job(lane: "slow", number: 1), Job(lane: "slow", number: 2), Job(lane: "slow", number: 3), Job(lane: "team", number: 1)])
        let done = try await eventually("every job to run", timeout: .seconds(10)) {
            let seen = order.get
            return (seen.count == 4 ? seen : nil, "\(seen)")
        }
        #expect(done == ["slow-1", "team-1", "slow-2", "slow-3"])
    }
}
