import SimulatorHarness
import Testing
@testable import KubeRuntime

/// The work queue's promises: merging, one worker per key, backoff, delayed adds, shutdown.
@Suite struct WorkQueueTests {
    @Test func keysAddedWhileQueuedAreMerged() async {
        let queue = WorkQueue<String>()
        await queue.add("a")
        await queue.add("b")
        await queue.add("a")
        #expect(await queue.depth == 2)
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        #expect(await queue.depth == 0)
    }

    @Test func aKeyBeingProcessedIsNotHandedOutAgainUntilDone() async throws {
        let queue = WorkQueue<String>()
        await queue.add("a")
        let first = await queue.next()
        #expect(first == "a")
        await queue.add("a")
        await queue.add("a")
        // Re-added while processing: waits, merged into one.
        #expect(await queue.depth == 0)
        let second = Task { await queue.next() }
        try await eventually("the second consumer to wait") { await queue.waitingConsumers == 1 }
        #expect(await queue.depth == 0)
        await queue.done("a")
        #expect(await second.value == "a")
        #expect(await queue.depth == 0)
        await queue.done("a")
        #expect(await queue.processingCount == 0)
    }

    @Test func workersNeverProcessOneKeyConcurrently() async throws {
        let queue = WorkQueue<Int>()
        let active = Box<Set<Int>>([])
        let overlaps = Box(0)
        let processed = Box(0)
        let workers = Task {
            await queue.run(workers: 4) { key in
                let clash = active.update { !$0.insert(key).inserted }
                if clash { overlaps.update { $0 += 1 } }
                try await Task.sleep(for: .milliseconds(2))
                active.update { _ = $0.remove(key) }
                processed.update { $0 += 1 }
                return nil
            }
        }
        for round in 0..<50 {
            for key in 0..<5 { await queue.add(key) }
            if round % 10 == 0 { try await Task.sleep(for: .milliseconds(3)) }
        }
        try await eventually("the queue to empty") {
            let waiting = await queue.depth, busy = await queue.processingCount
            return waiting == 0 && busy == 0
        }
        await queue.drain()
        await workers.value
        #expect(overlaps.get == 0)
        #expect(processed.get >= 5)
        #expect(processed.get < 250, "adds while queued must merge")
    }

    @Test func backoffDoublesPerFailureUpToTheCapAndForgetResetsIt() async {
        let queue = WorkQueue<String>(backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(100)))
        var delays: [Duration] = []
        for _ in 0..<6 { delays.append(await queue.addRateLimited("a")) }
        #expect(delays == [.milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80), .milliseconds(100), .milliseconds(100)])
        #expect(await queue.failureCount("a") == 6)
        #expect(await queue.addRateLimited("b") == .milliseconds(10), "backoff is per key")
        await queue.forget("a")
        #expect(await queue.failureCount("a") == 0)
        #expect(await queue.addRateLimited("a") == .milliseconds(10))
    }

    @Test func aFailingKeyComesBackAfterItsBackoff() async throws {
        let queue = WorkQueue<String>(backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(1)))
        await queue.add("a")
        let key = await queue.next()
        let failedAt = ContinuousClock.now
        await queue.addRateLimited(key!)
        await queue.done(key!)
        #expect(await queue.depth == 0)
        #expect(await queue.next() == "a")
        #expect(ContinuousClock.now - failedAt >= .milliseconds(100))
    }

    @Test func delayedKeysComeOutInDeadlineOrder() async {
        let queue = WorkQueue<String>()
        await queue.add("late", after: .milliseconds(150))
        await queue.add("early", after: .milliseconds(30))
        await queue.add("middle", after: .milliseconds(90))
        #expect(await queue.delayedCount == 3)
        #expect(await queue.depth == 0)
        var order: [String] = []
        for _ in 0..<3 { order.append(await queue.next()!) }
        #expect(order == ["early", "middle", "late"])
    }

    @Test func theEarlierOfTwoSchedulesForOneKeyWinsAndFiresOnce() async throws {
        let time = ManualTimeSource()
        let queue = WorkQueue<String>(time: time)
        await queue.add("a", after: .seconds(5))
        await queue.add("a", after: .milliseconds(50))
        await queue.add("a", after: .seconds(3))
        #expect(await queue.delayedCount == 1)
        time.advance(by: .milliseconds(49))
        time.advance(by: .milliseconds(1))
        #expect(await queue.next() == "a", "came at the earliest schedule, not a later one")
        await queue.done("a")
        #expect(await queue.delayedCount == 0)
        // The superseded schedules are gone: once their times pass, a key scheduled after both
        // is the next one out, with no second "a" before it.
        await queue.add("sentinel", after: .seconds(6))
        time.advance(by: .seconds(6))
        #expect(await queue.next() == "sentinel")
        #expect(await queue.depth == 0)
    }

    @Test func aDelayedKeyWaitsForItsTimeOnTheInjectedClock() async throws {
        let time = ManualTimeSource()
        let queue = WorkQueue<String>(time: time)
        await queue.add("a", after: .seconds(30))
        try await eventually("the wake-up to sleep") { time.sleeping == 1 }
        time.advance(by: .seconds(29))
        #expect(await queue.depth == 0, "not before its time")
        time.advance(by: .seconds(1))
        #expect(await queue.next() == "a")
    }

    @Test func shutdownStopsHandingOutKeysAndDrainWaitsForInFlightWork() async throws {
        let queue = WorkQueue<String>()
        await queue.add("busy")
        await queue.add("waiting")
        let busy = await queue.next()
        #expect(busy == "busy")
        let idle = Task { () -> String?? in
            _ = await queue.next() // "waiting"
            return await queue.next()
        }
        try await eventually("the idle consumer to wait for a third key") { await queue.waitingConsumers == 1 }
        let finished = Box(false)
        let drained = Task {
            await queue.drain()
            return finished.get
        }
        try await eventually("the shutdown") { await queue.isShuttingDown }
        #expect(await queue.next() == nil, "no keys after shutdown")
        await queue.add("later")
        #expect(await queue.depth == 0, "adds after shutdown are ignored")
        finished.update { $0 = true }
        await queue.done("busy")
        await queue.done("waiting")
        #expect(await drained.value == true, "drain returns only after in-flight keys are done")
        #expect(await idle.value == .some(nil))
    }

    @Test func cancellingAWaitingConsumerReturnsNil() async throws {
        let queue = WorkQueue<String>()
        let consumer = Task { await queue.next() }
        try await eventually("the consumer to wait") { await queue.waitingConsumers == 1 }
        consumer.cancel()
        #expect(await consumer.value == nil)
        await queue.add("a")
        #expect(await queue.depth == 1, "the cancelled consumer did not take the key")
    }

    @Test func workersRequeueAfterTheDurationTheyReturnAndRetryOnErrors() async throws {
        struct Failure: Error {}
        let queue = WorkQueue<String>(backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(50)))
        let calls = Box<[String: Int]>([:])
        let workers = Task {
            await queue.run(workers: 2) { key in
                let count = calls.update { $0[key, default: 0] += 1; return $0[key]! }
                if key == "flaky", count < 3 { throw Failure() }
                if key == "timer", count < 3 { return .milliseconds(20) }
                return nil
            }
        }
        await queue.add("flaky")
        await queue.add("timer")
        try await eventually("three calls each") { calls.get["flaky"] == 3 && calls.get["timer"] == 3 }
        #expect(await queue.failureCount("flaky") == 0, "success forgets the failures")
        await queue.drain()
        await workers.value
    }
}
