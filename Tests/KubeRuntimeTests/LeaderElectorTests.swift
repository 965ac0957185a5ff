import KubeAPI
import KubeModels
import KubeSim
import SimulatorHarness
import Testing
@testable import KubeRuntime

/// Leader election against KubeSim, with short timings: lease 2 s, renew 1.5 s, retry 0.5 s.
@Suite struct LeaderElectorTests {
    static func elector(_ identity: String, _ client: KubeClient, release: Bool = true) throws -> LeaderElector {
        LeaderElector(client: client, configuration: try LeaderElectionConfiguration(
            leaseName: "cutover", leaseNamespace: "default", identity: identity, leaseDuration: .seconds(2),
            renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(500), releaseOnCancel: release))
    }

    /// Campaigns with `elector`; while leading, marks `leading` and waits to be cancelled.
    static func campaign(_ elector: LeaderElector, _ leading: Box<Bool>) -> Task<Void, any Error> {
        Task {
            try await elector.withLeadership {
                leading.update { $0 = true }
                defer { leading.update { $0 = false } }
                try await Task.sleep(for: .seconds(3600))
            }
        }
    }

    static func lease(_ sim: KubeSim) async -> JSONValue {
        await sim.request("GET", "/apis/coordination.k8s.io/v1/namespaces/default/leases/cutover").body
    }

    @Test func exactlyOneOfTwoLeads() async throws {
        try await withRuntimeSimulator { sim, client in
            let a = try Self.elector("a", client), b = try Self.elector("b", client)
            let aLeads = Box(false), bLeads = Box(false)
            let tasks = [Self.campaign(a, aLeads), Self.campaign(b, bLeads)]
            defer { for task in tasks { task.cancel() } }
            try await eventually("a leader") { aLeads.get || bLeads.get }
            // Across several renewals, never two leaders and never none.
            let until = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < until {
                #expect(aLeads.get != bLeads.get)
                #expect(a.isLeader != b.isLeader)
                try await Task.sleep(for: .milliseconds(50))
            }
            let holder = await Self.lease(sim)["spec"]?["holderIdentity"]?.stringValue
            #expect(holder == (aLeads.get ? "a" : "b"))
            #expect(b.observedLeader == holder && a.observedLeader == holder)
        }
    }

    @Test func anotherHoldersLeaseIsValidForItsDurationOnOurOwnClock() async throws {
        try await withRuntimeSimulator { _, client in
            let holder = LeaderElector(
                client: client, configuration: try LeaderElectionConfiguration(
                    leaseName: "cutover", leaseNamespace: "default", identity: "a", leaseDuration: .seconds(15)))
            #expect(try await holder.tryAcquireOrRenew() == .acquired)
            // The holder goes quiet. A candidate judges the lease by when it first saw this record,
            // on its own clock, never by renewTime against a wall clock.
            let time = ManualTimeSource()
            let candidate = LeaderElector(
                client: client, configuration: try LeaderElectionConfiguration(
                    leaseName: "cutover", leaseNamespace: "default", identity: "b", leaseDuration: .seconds(2), renewDeadline: .seconds(1), retryPeriod: .milliseconds(500)),
                time: time)
            #expect(try await candidate.tryAcquireOrRenew() == .heldBy("a"))
            time.advance(by: .seconds(14))
            #expect(try await candidate.tryAcquireOrRenew() == .heldBy("a"), "valid for the 15 s the record names, from when b first saw it")
            time.advance(by: .seconds(1))
            #expect(try await candidate.tryAcquireOrRenew() == .acquired)
            #expect(candidate.observedLeader == "b")
        }
    }

    @Test func leaseTimesAreMicroTimeWithSixFractionalDigits() async throws {
        try await withRuntimeSimulator { sim, client in
            let a = try Self.elector("a", client)
            let leading = Box(false)
            let task = Self.campaign(a, leading)
            defer { task.cancel() }
            try await eventually("a to lead") { leading.get }
            let spec = await Self.lease(sim)["spec"]
            let pattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/
            for field in ["acquireTime", "renewTime"] {
                let text = try #require(spec?[field]?.stringValue)
                #expect(text.wholeMatch(of: pattern) != nil, "\(field) = \(text)")
            }
            #expect(spec?["leaseDurationSeconds"]?.intValue == 2)
            #expect(spec?["leaseTransitions"]?.intValue == 0)
        }
    }

    @Test func whenTheLeaderStopsRenewingTheOtherTakesOverWithinTheLeaseDuration() async throws {
        try await withRuntimeSimulator { sim, client in
            // No release: the leader vanishes as if killed.
            let a = try Self.elector("a", client, release: false), b = try Self.elector("b", client, release: false)
            let aLeads = Box(false), bLeads = Box(false)
            let aTask = Self.campaign(a, aLeads)
            try await eventually("a to lead") { aLeads.get }
            let bTask = Self.campaign(b, bLeads)
            defer { bTask.cancel() }
            try await eventually("b to see a leading") { b.observedLeader == "a" }
            aTask.cancel()
            _ = await aTask.result
            let stopped = ContinuousClock.now
            try await eventually(within: 6, "b to take over") { bLeads.get }
            let takeover = ContinuousClock.now - stopped
            // b waits out the lease (2 s from when it last saw a renew, at most one retry before the
            // stop), then wins on its next attempt (retry 0.5 s, jittered up to 20%).
            #expect(takeover >= .milliseconds(1400), "b must not take a lease that is still valid: \(takeover)")
            #expect(takeover <= .milliseconds(2000 + 600 + 1000), "took \(takeover)")
            let spec = await Self.lease(sim)["spec"]
            #expect(spec?["holderIdentity"]?.stringValue == "b")
            #expect(spec?["leaseTransitions"]?.intValue == 1)
        }
    }

    @Test func releasingOnShutdownLetsTheOtherTakeOverAtOnce() async throws {
        try await withRuntimeSimulator { sim, client in
            let a = try Self.elector("a", client), b = try Self.elector("b", client)
            let aLeads = Box(false), bLeads = Box(false)
            let aTask = Self.campaign(a, aLeads)
            try await eventually("a to lead") { aLeads.get }
            let bTask = Self.campaign(b, bLeads)
            defer { bTask.cancel() }
            try await eventually("b to see a leading") { b.observedLeader == "a" }
            aTask.cancel()
            _ = await aTask.result
            let stopped = ContinuousClock.now
            let released = await Self.lease(sim)["spec"]
            #expect(released?["holderIdentity"]?.stringValue ?? "" == "")
            #expect(released?["leaseDurationSeconds"]?.intValue == 1)
            try await eventually(within: 3, "b to take over") { bLeads.get }
            #expect(ContinuousClock.now - stopped < .milliseconds(1500), "under the 2 s lease")
        }
    }

    @Test func aLeaderThatSeesAnotherHolderStopsItsWorkAtOnce() async throws {
        try await withRuntimeSimulator { sim, client in
            let a = try Self.elector("a", client)
            let leading = Box(false)
            let events = a.events()
            let task = Self.campaign(a, leading)
            try await eventually("a to lead") { leading.get }
            // Someone else writes the lease (e.g. a replica that judged it expired).
            // Retried on 409: a may renew between our read and write.
            var written = false
            while !written {
                var lease = try await client.get(Lease.self, name: "cutover", namespace: "default")
                lease.spec?.holderIdentity = "intruder"
                lease.spec?.renewTime = .micro(.now)
                do {
                    _ = try await client.replace(lease)
                    written = true
                } catch let error as KubeError where error.isConflict {}
            }
            let stolen = ContinuousClock.now
            try await eventually(within: 3, "a to stop its work") { !leading.get }
            #expect(ContinuousClock.now - stolen < .milliseconds(1500), "within a retry period or so, not a lease duration")
            #expect(!a.isLeader)
            let result = await task.result
            #expect(throws: LeaderElectionError.leadershipLost(identity: "a")) { try result.get() }
            var seen: [LeaderElector.LeadershipEvent] = []
            for await event in events {
                seen.append(event)
                if event == .stoppedLeading { break }
            }
            #expect(seen == [.observedLeader("a"), .startedLeading, .observedLeader("intruder"), .stoppedLeading])
            let holder = await Self.lease(sim)["spec"]?["holderIdentity"]?.stringValue
            #expect(holder == "intruder", "a lost lease is not released")
        }
    }

    @Test func writesAreFencedUnlessThisReplicaHoldsAFreshlyRenewedLease() async throws {
        try await withRuntimeSimulator { _, client in
            let a = try Self.elector("a", client)
            #expect(a.fenceReason() == "this replica does not hold the leader lease")
            let leading = Box(false)
            let task = Self.campaign(a, leading)
            defer { task.cancel() }
            try await eventually("a to lead") { leading.get }
            #expect(a.fenceReason() == nil)
            // No renewal succeeds from now on: the fence closes within the renew deadline.
            try await client.injectFaults(["rules": [["verb": "get", "resource": "leases", "code": 503, "durationSeconds": 10]]])
            let failing = ContinuousClock.now
            try await eventually(within: 5, "the fence to close") { a.fenceReason() != nil }
            #expect(ContinuousClock.now - failing < .milliseconds(1500 + 1000))
        }
    }

    @Test func aLeaderThatCannotRenewStopsWithinTheRenewDeadline() async throws {
        try await withRuntimeSimulator { _, client in
            let a = try Self.elector("a", client)
            let leading = Box(false)
            let task = Self.campaign(a, leading)
            try await eventually("a to lead") { leading.get }
            try await client.injectFaults(["rules": [["verb": "get", "resource": "leases", "code": 503, "durationSeconds": 10]]])
            let failing = ContinuousClock.now
            try await eventually(within: 5, "a to stop its work") { !leading.get }
            #expect(ContinuousClock.now - failing < .milliseconds(1500 + 1000), "within the renew deadline")
            let result = await task.result
            #expect(throws: LeaderElectionError.self) { try result.get() }
        }
    }

    @Test(arguments: [
        (15.0, 10.0, 2.0, true),
        (2.0, 1.5, 0.5, true),
        (10.0, 10.0, 2.0, false),  // lease must exceed the renew deadline
        (15.0, 2.4, 2.0, false),  // renew deadline must exceed 1.2 × retry
        (0.5, 0.4, 0.1, false),  // lease under a second cannot be written
    ])
    func configurationIsValidated(lease: Double, renew: Double, retry: Double, valid: Bool) {
        let result = Result { () throws(LeaderElectionConfigurationError) in
            try LeaderElectionConfiguration(
                leaseName: "l", leaseNamespace: "ns", identity: "me", leaseDuration: .seconds(lease),
                renewDeadline: .seconds(renew), retryPeriod: .seconds(retry))
        }
        if case .success = result { #expect(valid) } else { #expect(!valid) }
    }
}
