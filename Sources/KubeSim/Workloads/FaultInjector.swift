import KubeModels

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The fault rules engine behind `POST /sim/faults`: a pure, seeded decision per API request.
///
/// The server asks ``decide(verb:resource:userAgent:now:isWatchResume:)`` before serving each API request
/// (not the `/sim/*`, `/metrics`, `/healthz` and `/readyz` endpoints, so faults can always be
/// turned off again) and does what the ``FaultDecision`` says. Order of precedence:
/// unresponsiveness, then a pending watch-resume expiry (only for watch resumes), then the rules
/// in the order they were added: every matching latency-only rule adds its latency, and the first
/// matching rule with a code fails the request.
///
/// A value type: the server keeps it behind its own lock or actor, and calls ``decide`` for
/// each request in arrival order so seeded fractions are reproducible.
public struct FaultInjector: Sendable {
    /// A rule with its bookkeeping.
    public struct ActiveRule: Sendable, Hashable {
        /// The rule, with ``FaultRule/count`` holding how many hits are left.
        public var rule: FaultRule
        /// When the rule stops applying, from ``FaultRule/durationSeconds``.
        public var expiresAt: Date?
        /// How many requests it has hit.
        public var fired: Int
    }

    /// What a ``FaultInjector/apply(_:now:)`` asks the server to do at once.
    public struct Effects: Sendable, Hashable {
        /// The ids of the rules added, in order.
        public var addedRuleIDs: [String]
        /// Close every open watch now.
        public var dropWatches: Bool
    }

    /// The rules in force, in the order they are evaluated.
    public private(set) var rules: [ActiveRule] = []
    /// No API request is answered before this instant.
    public private(set) var unresponsiveUntil: Date?
    /// How many of the next watch resumes get 410.
    public private(set) var pendingWatchExpiries = 0
    /// Incremented for each "drop all watches" action: a watch that started under an older epoch
    /// should end (for servers that poll rather than act on ``Effects/dropWatches``).
    public private(set) var watchDropEpoch = 0

    private var random: SeededGenerator
    private var nextRuleNumber = 1

    /// An injector with no rules; `seed` fixes which requests a fraction rule hits.
    public init(seed: UInt64 = 1) {
        random = SeededGenerator(seed: seed)
    }

    /// Applies a `POST /sim/faults` body. Nothing changes if any rule is invalid.
    @discardableResult
    public mutating func apply(_ request: FaultRequest, now: Date) throws(FaultRequestError) -> Effects {
        var problems: [String] = []
        for (index, rule) in (request.rules ?? []).enumerated() {
            problems += rule.problems.map { "rules[\(index)].\($0)" }
        }
        if let count = request.expireWatchResumes, count < 0 { problems.append("expireWatchResumes: must not be negative") }
        if let seconds = request.unresponsiveSeconds, seconds < 0 { problems.append("unresponsiveSeconds: must not be negative") }
        guard problems.isEmpty else { throw FaultRequestError(problems: problems) }

        if request.clear == true { clear() }
        var added: [String] = []
        for var rule in request.rules ?? [] {
            if rule.id?.isEmpty ?? true {
                rule.id = "rule-\(nextRuleNumber)"
                nextRuleNumber += 1
            }
            added.append(rule.id!)
            rules.append(ActiveRule(rule: rule, expiresAt: rule.durationSeconds.map { now.addingTimeInterval($0) }, fired: 0))
        }
        pendingWatchExpiries += request.expireWatchResumes ?? 0
        if let seconds = request.unresponsiveSeconds, seconds > 0 {
            unresponsiveUntil = max(unresponsiveUntil ?? now, now.addingTimeInterval(seconds))
        }
        if request.dropWatches == true { watchDropEpoch += 1 }
        return Effects(addedRuleIDs: added, dropWatches: request.dropWatches == true)
    }

    /// Removes every rule and pending action (`DELETE /sim/faults`).
    public mutating func clear() {
        rules.removeAll()
        unresponsiveUntil = nil
        pendingWatchExpiries = 0
    }

    /// Removes one rule; `false` if there is none with this id.
    @discardableResult
    public mutating func removeRule(id: String) -> Bool {
        let before = rules.count
        rules.removeAll { $0.rule.id == id }
        return rules.count != before
    }

    /// Decides the fate of one API request. `verb` is the Kubernetes verb (`list` and `watch` for
    /// collection GETs), `resource` its plural with subresource (`deployments/status`), and
    /// `isWatchResume` whether it is a watch from a resourceVersion other than unset or `"0"`.
    public mutating func decide(verb: String, resource: String, userAgent: String = "", now: Date, isWatchResume: Bool = false) -> FaultDecision {
        if let until = unresponsiveUntil {
            if until > now { return .unresponsive(until: until) }
            unresponsiveUntil = nil
        }
        if isWatchResume && pendingWatchExpiries > 0 {
            pendingWatchExpiries -= 1
            return .expireWatch
        }
        rules.removeAll { $0.expiresAt.map { $0 <= now } ?? false }
        var delay: TimeInterval = 0
        var failure: InjectedFailure?
        for index in rules.indices where failure == nil {
            let rule = rules[index].rule
            guard rule.matches(verb: verb, resource: resource, userAgent: userAgent) else { continue }
            if let fraction = rule.fraction, random.nextUnit() >= fraction { continue }
            rules[index].fired += 1
            if var count = rules[index].rule.count {
                count -= 1
                rules[index].rule.count = count
            }
            delay += (rule.latencyMs ?? 0) / 1000
            if let code = rule.code {
                failure = InjectedFailure(
                    code: code, retryAfterSeconds: rule.retryAfterSeconds, delaySeconds: delay,
                    message: rule.message, ruleID: rule.id ?? "")
            }
        }
        rules.removeAll { ($0.rule.count ?? 1) <= 0 }
        if let failure { return .fail(failure) }
        return delay > 0 ? .delay(seconds: delay) : .none
    }

    /// The injector's state as JSON, for `GET /sim/faults`.
    public func snapshot(now: Date) -> JSONValue {
        let listed: [JSONValue] = rules.map { active in
            var members: [String: JSONValue] = [
                "id": .string(active.rule.id ?? ""), "verb": .string(active.rule.verb),
                "resource": .string(active.rule.resource), "fired": .int(Int64(active.fired)),
            ]
            if let count = active.rule.count { members["count"] = .int(Int64(count)) }
            if let fraction = active.rule.fraction { members["fraction"] = .double(fraction) }
            if let code = active.rule.code { members["code"] = .int(Int64(code)) }
            if let retry = active.rule.retryAfterSeconds { members["retryAfterSeconds"] = .int(Int64(retry)) }
            if let latency = active.rule.latencyMs { members["latencyMs"] = .double(latency) }
            if let message = active.rule.message { members["message"] = .string(message) }
            if let expiry = active.expiresAt { members["expiresAt"] = .string(Timestamp.micro(expiry).description) }
            return .object(members)
        }
        var members: [String: JSONValue] = [
            "rules": .array(listed), "pendingWatchExpiries": .int(Int64(pendingWatchExpiries)),
            "watchDropEpoch": .int(Int64(watchDropEpoch)),
        ]
        if let until = unresponsiveUntil, until > now {
            members["unresponsiveUntil"] = .string(Timestamp.micro(until).description)
        }
        return .object(members)
    }
}
