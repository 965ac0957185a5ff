import KubeModels

/// API request counts by verb, resource and response code, for `GET /sim/stats`.
///
/// A value type: the server keeps it behind its own lock or actor and records each answered
/// request once, with the code actually sent (injected failures included).
public struct RequestStats: Sendable, Hashable {
    /// One counted combination.
    public struct Key: Sendable, Hashable, Comparable {
        public var verb: String
        public var resource: String
        public var code: Int

        public init(verb: String, resource: String, code: Int) {
            self.verb = verb
            self.resource = resource
            self.code = code
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.verb, lhs.resource, lhs.code) < (rhs.verb, rhs.resource, rhs.code)
        }
    }

    /// Requests per verb, resource and code.
    public private(set) var counts: [Key: Int64] = [:]

    /// No requests counted yet.
    public init() {}

    /// Counts one answered request with the code actually sent.
    public mutating func record(verb: String, resource: String, code: Int) {
        counts[Key(verb: verb, resource: resource, code: code), default: 0] += 1
    }

    /// The number of recorded requests matching every given part.
    public func count(verb: String? = nil, resource: String? = nil, code: Int? = nil) -> Int64 {
        counts.reduce(0) { total, entry in
            let key = entry.key
            guard verb.map({ $0 == key.verb }) ?? true, resource.map({ $0 == key.resource }) ?? true,
                code.map({ $0 == key.code }) ?? true
            else { return total }
            return total + entry.value
        }
    }

    /// Forgets every count.
    public mutating func reset() { counts.removeAll() }

    /// `{"total": n, "byVerb": {…}, "byResource": {…}, "byCode": {"200": n}, "requests": [{verb,
    /// resource, code, count}]}`, the list sorted by verb, resource and code.
    public var json: JSONValue {
        var byVerb: [String: Int64] = [:]
        var byResource: [String: Int64] = [:]
        var byCode: [String: Int64] = [:]
        var total: Int64 = 0
        for (key, count) in counts {
            byVerb[key.verb, default: 0] += count
            byResource[key.resource, default: 0] += count
            byCode[String(key.code), default: 0] += count
            total += count
        }
        let requests: [JSONValue] = counts.keys.sorted().map { key in
            [
                "verb": .string(key.verb), "resource": .string(key.resource), "code": .int(Int64(key.code)),
                "count": .int(counts[key]!),
            ]
        }
        return [
            "total": .int(total),
            "byVerb": .object(byVerb.mapValues { .int($0) }),
            "byResource": .object(byResource.mapValues { .int($0) }),
            "byCode": .object(byCode.mapValues { .int($0) }),
            "requests": .array(requests),
        ]
    }
}
