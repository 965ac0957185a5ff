/// One fault to inject into API requests, as posted to `POST /sim/faults` (JSON keys as the
/// property names). Missing `verb` or `resource` means any.
///
/// Which requests it hits: those matching ``verb`` and ``resource``; of those, a ``fraction`` of
/// them (drawn from the injector's seeded generator) if set, at most ``count`` of them if set,
/// and only for ``durationSeconds`` after it was added if set. With neither count nor fraction it
/// hits every matching request until removed.
///
/// What it does: waits ``latencyMs`` (if set), then answers with ``code`` (if set; with a
/// `Retry-After` header of ``retryAfterSeconds`` when set, as 429 and 503 usually carry).
public struct FaultRule: Codable, Sendable, Hashable {
    /// A name to find the rule again; the injector assigns `rule-<n>` when missing.
    public var id: String?
    /// `get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, `deletecollection`, or `*`/`any`.
    public var verb: String
    /// A plural (`deployments`), optionally with group or subresource (`deployments.apps`,
    /// `deployments/status`), or `*`/`any`. A bare plural also matches its subresources.
    public var resource: String
    /// Hit only the next N matching requests (the count left, in a snapshot).
    public var count: Int?
    /// Hit this fraction (0…1) of matching requests.
    public var fraction: Double?
    /// HTTP status to answer with: 500, 503, 429, 409, 410, 404, 403, 401, 400, 422, 504.
    public var code: Int?
    /// Seconds for the `Retry-After` header and `details.retryAfterSeconds`.
    public var retryAfterSeconds: Int?
    /// Message for the Status body; a Kubernetes-like default otherwise.
    public var message: String?
    /// Extra latency before the request is answered, in milliseconds.
    public var latencyMs: Double?
    /// The rule expires this long after it was added.
    public var durationSeconds: Double?
    /// Hit only requests whose `User-Agent` starts with this (`cutover/` for the controller), so a
    /// test can fault one client while its observers see the cluster as it is.
    public var userAgent: String?

    /// A rule; the defaults match every request and do nothing until a code or latency is given.
    public init(
        id: String? = nil, verb: String = "*", resource: String = "*", count: Int? = nil, fraction: Double? = nil,
        code: Int? = nil, retryAfterSeconds: Int? = nil, message: String? = nil, latencyMs: Double? = nil,
        durationSeconds: Double? = nil, userAgent: String? = nil
    ) {
        self.id = id
        self.verb = verb
        self.resource = resource
        self.count = count
        self.fraction = fraction
        self.code = code
        self.retryAfterSeconds = retryAfterSeconds
        self.message = message
        self.latencyMs = latencyMs
        self.durationSeconds = durationSeconds
        self.userAgent = userAgent
    }

    private enum CodingKeys: String, CodingKey {
        case id, verb, resource, count, fraction, code, retryAfterSeconds, message, latencyMs, durationSeconds, userAgent
    }

    /// Decodes the JSON form; a missing `verb` or `resource` means any.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        verb = try container.decodeIfPresent(String.self, forKey: .verb) ?? "*"
        resource = try container.decodeIfPresent(String.self, forKey: .resource) ?? "*"
        count = try container.decodeIfPresent(Int.self, forKey: .count)
        fraction = try container.decodeIfPresent(Double.self, forKey: .fraction)
        code = try container.decodeIfPresent(Int.self, forKey: .code)
        retryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        latencyMs = try container.decodeIfPresent(Double.self, forKey: .latencyMs)
        durationSeconds = try container.decodeIfPresent(Double.self, forKey: .durationSeconds)
        userAgent = try container.decodeIfPresent(String.self, forKey: .userAgent)
    }

    /// Problems that make the rule meaningless, one message per field; empty when valid.
    public var problems: [String] {
        var problems: [String] = []
        if code == nil && latencyMs == nil { problems.append("a rule needs code or latencyMs") }
        if let code, !(400...599).contains(code) { problems.append("code: must be 400…599, got \(code)") }
        if let count, count < 1 { problems.append("count: must be at least 1, got \(count)") }
        if let fraction, !(0...1).contains(fraction) { problems.append("fraction: must be within 0…1, got \(fraction)") }
        if let latencyMs, latencyMs < 0 { problems.append("latencyMs: must not be negative") }
        if let retryAfterSeconds, retryAfterSeconds < 0 { problems.append("retryAfterSeconds: must not be negative") }
        if let durationSeconds, durationSeconds <= 0 { problems.append("durationSeconds: must be positive") }
        let verbs = ["*", "any", "get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
        if !verbs.contains(verb.lowercased()) { problems.append("verb: must be one of \(verbs.joined(separator: ", "))") }
        return problems
    }

    /// Whether the rule concerns a request with this verb, resource and User-Agent.
    public func matches(verb requestVerb: String, resource requestResource: String, userAgent requestAgent: String = "") -> Bool {
        if let userAgent, !requestAgent.hasPrefix(userAgent) { return false }
        let ruleVerb = verb.lowercased()
        guard ruleVerb == "*" || ruleVerb == "any" || ruleVerb == requestVerb.lowercased() else { return false }
        let ruleResource = resource.lowercased()
        if ruleResource == "*" || ruleResource == "any" { return true }
        let request = requestResource.lowercased()
        if ruleResource == request { return true }
        // `deployments` matches `deployments.apps`, `deployments/status` and `deployments.apps/status`;
        // `deployments/status` matches only the status subresource.
        func split(_ text: String) -> (plural: String, subresource: String?) {
            let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
            let plural = parts.first?.split(separator: ".").first.map(String.init) ?? ""
            return (plural, parts.count > 1 ? parts[1] : nil)
        }
        let (rulePlural, ruleSub) = split(ruleResource)
        let (requestPlural, requestSub) = split(request)
        return rulePlural == requestPlural && (ruleSub == nil || ruleSub == requestSub)
    }
}

/// The body of `POST /sim/faults`: rules to add and one-off actions, all optional.
public struct FaultRequest: Codable, Sendable, Hashable {
    /// Rules to add (after the existing ones; the first failing match decides).
    public var rules: [FaultRule]?
    /// Remove every rule and pending action before applying the rest.
    public var clear: Bool?
    /// Close every open watch now (clients see the stream end and re-watch).
    public var dropWatches: Bool?
    /// Answer the next N watch requests that resume from a resourceVersion with 410 Expired.
    public var expireWatchResumes: Int?
    /// Stop answering any API request for this many seconds.
    public var unresponsiveSeconds: Double?

    /// A request; every part is optional.
    public init(
        rules: [FaultRule]? = nil, clear: Bool? = nil, dropWatches: Bool? = nil, expireWatchResumes: Int? = nil,
        unresponsiveSeconds: Double? = nil
    ) {
        self.rules = rules
        self.clear = clear
        self.dropWatches = dropWatches
        self.expireWatchResumes = expireWatchResumes
        self.unresponsiveSeconds = unresponsiveSeconds
    }
}

/// A fault request that cannot be applied; the server answers 400 with these messages.
public struct FaultRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One message per problem, naming the field (`rules[1].code: ...`).
    public var problems: [String]
    public var description: String { problems.joined(separator: "; ") }
}
