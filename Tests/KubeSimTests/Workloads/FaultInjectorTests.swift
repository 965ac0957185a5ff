import KubeModels
import Testing

@testable import KubeSim

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite("Fault injection rules")
struct FaultInjectorTests {
    func failureCode(_ decision: FaultDecision) -> Int? {
        if case .fail(let failure) = decision { return failure.code }
        return nil
    }

    @Test("fail the next N matching requests, then serve again")
    func nextN() throws {
        var faults = FaultInjector()
        try faults.apply(FaultRequest(rules: [FaultRule(verb: "update", resource: "deployments", count: 2, code: 409)]), now: SimClock.at(0))
        #expect(faults.decide(verb: "get", resource: "deployments", now: SimClock.at(1)) == .none)
        #expect(failureCode(faults.decide(verb: "update", resource: "deployments", now: SimClock.at(1))) == 409)
        #expect(failureCode(faults.decide(verb: "update", resource: "deployments", now: SimClock.at(1))) == 409)
        #expect(faults.decide(verb: "update", resource: "deployments", now: SimClock.at(1)) == .none)
        #expect(faults.rules.isEmpty)
    }

    @Test("a rule with a userAgent hits only the clients whose User-Agent starts with it")
    func scopedToOneClient() throws {
        var faults = FaultInjector()
        try faults.apply(FaultRequest(rules: [FaultRule(code: 500, userAgent: "cutover/")]), now: SimClock.at(0))
        #expect(faults.decide(verb: "get", resource: "pods", userAgent: "kubectl/v1.36.0 (linux/amd64)", now: SimClock.at(1)) == .none)
        #expect(faults.decide(verb: "get", resource: "pods", now: SimClock.at(1)) == .none)
        #expect(failureCode(faults.decide(verb: "get", resource: "pods", userAgent: "cutover/0.9.0", now: SimClock.at(1))) == 500)
        #expect(try FaultRule(flag: "code=500,userAgent=cutover/").userAgent == "cutover/")
    }

    @Test("a fraction hits that share of requests, the same ones for the same seed")
    func fraction() throws {
        func outcomes(seed: UInt64) throws -> [Bool] {
            var faults = FaultInjector(seed: seed)
            try faults.apply(FaultRequest(rules: [FaultRule(fraction: 0.3, code: 500)]), now: SimClock.at(0))
            return (0..<10_000).map { _ in failureCode(faults.decide(verb: "list", resource: "pods", now: SimClock.at(1))) == 500 }
        }
        let hits = try outcomes(seed: 9)
        let share = Double(hits.filter { $0 }.count) / Double(hits.count)
        #expect(abs(share - 0.3) < 0.02)
        #expect(try outcomes(seed: 9) == hits)
        #expect(try outcomes(seed: 10) != hits)
    }

    @Test("429 carries Retry-After in the header and the Status details")
    func tooManyRequests() throws {
        var faults = FaultInjector()
        try faults.apply(FaultRequest(rules: [FaultRule(id: "throttle", code: 429, retryAfterSeconds: 2)]), now: SimClock.at(0))
        guard case .fail(let failure) = faults.decide(verb: "get", resource: "rollouts.cutover.dev", now: SimClock.at(0)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.code == 429)
        #expect(failure.reason == "TooManyRequests")
        #expect(failure.headers.map(\.name) == ["Retry-After"])
        #expect(failure.headers.map(\.value) == ["2"])
        #expect(failure.status.details?.retryAfterSeconds == 2)
        #expect(failure.status.code == 429)
        #expect(failure.status.status == "Failure")
        #expect(failure.ruleID == "throttle")
    }

    @Test("rules match verb and resource", arguments: [
        ("*", "*", "get", "pods", true),
        ("any", "any", "watch", "deployments", true),
        ("get", "*", "list", "pods", false),
        ("LIST", "pods", "list", "pods", true),
        ("*", "deployments", "patch", "deployments/status", true),
        ("*", "deployments", "get", "deployments.apps", true),
        ("*", "deployments.apps", "get", "deployments", true),
        ("*", "deployments/status", "update", "deployments", false),
        ("*", "deployments/status", "update", "deployments/status", true),
        ("*", "deployments/scale", "update", "deployments/status", false),
        ("delete", "rollouts", "delete", "rollouts.cutover.dev", true),
        ("*", "pods", "get", "podtemplates", false),
    ])
    func matching(verb: String, resource: String, requestVerb: String, requestResource: String, matches: Bool) {
        #expect(FaultRule(verb: verb, resource: resource, code: 500).matches(verb: requestVerb, resource: requestResource) == matches)
    }

    @Test("latency rules add up and a failing rule answers after them")
    func latency() throws {
        var faults = FaultInjector()
        try faults.apply(FaultRequest(rules: [
            FaultRule(resource: "pods", latencyMs: 200),
            FaultRule(verb: "list", resource: "pods", code: 503, latencyMs: 50),
        ]), now: SimClock.at(0))
        #expect(faults.decide(verb: "get", resource: "pods", now: SimClock.at(0)) == .delay(seconds: 0.2))
        guard case .fail(let failure) = faults.decide(verb: "list", resource: "pods", now: SimClock.at(0)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(abs(failure.delaySeconds - 0.25) < 1e-9)
        #expect(failure.reason == "ServiceUnavailable")
        #expect(faults.decide(verb: "get", resource: "services", now: SimClock.at(0)) == .none)
    }

    @Test("a rule with a duration expires")
    func duration() throws {
        var faults = FaultInjector()
        try faults.apply(FaultRequest(rules: [FaultRule(code: 500, durationSeconds: 10)]), now: SimClock.at(0))
        #expect(failureCode(faults.decide(verb: "get", resource: "pods", now: SimClock.at(9))) == 500)
        #expect(faults.decide(verb: "get", resource: "pods", now: SimClock.at(10)) == .none)
        #expect(faults.rules.isEmpty)
    }

    @Test("stop answering for a while")
    func unresponsive() throws {
        var faults = FaultInjector()
        try faults.apply(FaultRequest(unresponsiveSeconds: 5), now: SimClock.at(0))
        #expect(faults.decide(verb: "get", resource: "pods", now: SimClock.at(4)) == .unresponsive(until: SimClock.at(5)))
        #expect(faults.decide(verb: "get", resource: "pods", now: SimClock.at(5)) == .none)
    }

    @Test("the next watch resume gets 410, other requests do not")
    func expireWatchResume() throws {
        var faults = FaultInjector()
        let effects = try faults.apply(FaultRequest(dropWatches: true, expireWatchResumes: 1), now: SimClock.at(0))
        #expect(effects.dropWatches)
        #expect(faults.watchDropEpoch == 1)
        #expect(faults.decide(verb: "watch", resource: "pods", now: SimClock.at(0)) == .none)
        #expect(faults.decide(verb: "watch", resource: "pods", now: SimClock.at(0), isWatchResume: true) == .expireWatch)
        #expect(faults.decide(verb: "watch", resource: "pods", now: SimClock.at(0), isWatchResume: true) == .none)
    }

    @Test("the admin endpoint's JSON decodes, with defaults for verb and resource")
    func decoding() throws {
        let body = #"""
        {"rules": [{"resource": "deployments", "count": 3, "code": 500},
                   {"verb": "list", "fraction": 0.5, "code": 429, "retryAfterSeconds": 1}],
         "expireWatchResumes": 2, "clear": true}
        """#
        let request = try JSONDecoder().decode(FaultRequest.self, from: Data(body.utf8))
        var faults = FaultInjector()
        let effects = try faults.apply(request, now: SimClock.at(0))
        #expect(effects.addedRuleIDs == ["rule-1", "rule-2"])
        #expect(faults.rules.first?.rule.verb == "*")
        #expect(faults.rules.last?.rule.resource == "*")
        #expect(faults.pendingWatchExpiries == 2)
        let snapshot = faults.snapshot(now: SimClock.at(0))
        #expect(snapshot["rules"]?.arrayValue?.first?["count"] == 3)

        let encoded = try JSONEncoder().encode(request)
        #expect(try JSONDecoder().decode(FaultRequest.self, from: encoded) == request)
    }

    @Test("invalid rules are refused with the field named, and nothing changes")
    func invalid() {
        var faults = FaultInjector()
        let request = FaultRequest(rules: [FaultRule(code: 500), FaultRule(count: 0, fraction: 2, code: 99)])
        #expect(throws: FaultRequestError.self) { try faults.apply(request, now: SimClock.at(0)) }
        do {
            try faults.apply(request, now: SimClock.at(0))
        } catch {
            #expect(error.problems.contains { $0.hasPrefix("rules[1].code") })
            #expect(error.problems.contains { $0.hasPrefix("rules[1].fraction") })
            #expect(error.problems.contains { $0.hasPrefix("rules[1].count") })
        }
        #expect(faults.rules.isEmpty)
    }

    @Test("clear removes rules and pending actions")
    func clear() throws {
        var faults = FaultInjector()
        try faults.apply(FaultRequest(rules: [FaultRule(code: 500)], expireWatchResumes: 3, unresponsiveSeconds: 9), now: SimClock.at(0))
        try faults.apply(FaultRequest(clear: true), now: SimClock.at(1))
        #expect(faults.decide(verb: "get", resource: "pods", now: SimClock.at(1)) == .none)
        #expect(faults.pendingWatchExpiries == 0)
    }
}

@Suite("API request statistics")
struct RequestStatsTests {
    @Test("counts by verb, resource and code, and renders them as JSON")
    func counts() {
        var stats = RequestStats()
        stats.record(verb: "get", resource: "pods", code: 200)
        stats.record(verb: "get", resource: "pods", code: 200)
        stats.record(verb: "update", resource: "deployments", code: 409)
        #expect(stats.count() == 3)
        #expect(stats.count(verb: "get") == 2)
        #expect(stats.count(resource: "deployments", code: 409) == 1)
        let json = stats.json
        #expect(json["total"] == 3)
        #expect(json[path: ["byVerb", "get"]] == 2)
        #expect(json[path: ["byResource", "deployments"]] == 1)
        #expect(json[path: ["byCode", "409"]] == 1)
        #expect(json["requests"]?.arrayValue?.first == ["verb": "get", "resource": "pods", "code": 200, "count": 2])
    }
}

@Suite("Fault rules from command-line flags")
struct FaultRuleFlagTests {
    @Test("key=value pairs give the same rule as the JSON form")
    func parses() throws {
        let rule = try FaultRule(flag: "verb=update,resource=deployments,count=2,code=429,retryAfterSeconds=1,latencyMs=50")
        #expect(rule == FaultRule(verb: "update", resource: "deployments", count: 2, code: 429, retryAfterSeconds: 1, latencyMs: 50))
    }

    @Test("mistakes are named", arguments: ["code=abc", "colour=red,code=500", "verb=get", "code=500,fraction=3", "nonsense"])
    func rejects(flag: String) {
        #expect(throws: FaultRequestError.self) { try FaultRule(flag: flag) }
    }
}
