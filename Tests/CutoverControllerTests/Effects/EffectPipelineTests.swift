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

    @Test("lanes whose last work failed share the workers kept for them; healthy lanes keep the rest")
    func failingLanesShareTheirWorkers() async throws {
        let running = LockedValue<(failingNow: Int, most: Int, finished: [String])>((0, 0, []))
        let pipeline = EffectPipeline<Job>(.init(workers: 3, failed: { $0 < 0 }, failingWorkers: 1)) { job in
            let bad = job.lane.hasPrefix("bad")
            // A lane's first failure marks it; count how many marked lanes run at once after that.
            let marked = bad && job.number > 1
            if marked { running.update { $0.failingNow += 1; $0.most = max($0.most, $0.failingNow) } }
            if bad { try? await Task.sleep(for: .milliseconds(100)) }
            if marked { running.update { $0.failingNow -= 1 } }
            running.update { $0.finished.append(job.id) }
            return bad ? -1 : 1
        }
        let task = Task { await pipeline.run(wake: { _ in }) }
        defer { task.cancel() }
        let bad = (1...3).flatMap { lane in (1...3).map { Job(lane: "bad\(lane)", number: $0) } }
        pipeline.submit(bad)
        _ = try await eventually("every bad lane to fail once", timeout: .seconds(10)) {
            let finished = running.get.finished
            return ((1...3).allSatisfy { finished.contains("bad\($0)-1") } ? true : nil, "\(finished)")
        }
        pipeline.submit([Job(lane: "good", number: 1)])
        let finished = try await eventually("every job to run", timeout: .seconds(30)) {
            let finished = running.get.finished
            return (finished.count == 10 ? finished : nil, "\(finished)")
        }
        #expect(running.get.most == 1, "failing lanes ran \(running.get.most) at once")
        let good = try #require(finished.firstIndex(of: "good-1"))
        #expect(good < finished.count - 1, "the healthy lane did not wait for the failing ones: \(finished)")
        for lane in 1...3 {
            let order = finished.filter { $0.hasPrefix("bad\(lane)-") }
            #expect(order == (1...3).map { "bad\(lane)-\($0)" }, "each lane in order")
        }
    }
}
