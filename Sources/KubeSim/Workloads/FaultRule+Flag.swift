extension FaultRule {
    /// Parses the command-line form of a rule, `key=value` pairs separated by commas with the JSON
    /// field names: `verb=update,resource=deployments,count=2,code=409` (for `kube-sim --fault`).
    /// Throws with every problem named, as ``FaultInjector/apply(_:now:)`` would.
    public init(flag: String) throws(FaultRequestError) {
        var rule = FaultRule()
        var problems: [String] = []
        for pair in flag.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0) }
            guard parts.count == 2 else {
                problems.append("\(pair): expected key=value")
                continue
            }
            let (key, value) = (parts[0], parts[1])
            func number<T: LosslessStringConvertible>(_: T.Type) -> T? {
                guard let parsed = T(value) else {
                    problems.append("\(key): not a number: \(value)")
                    return nil
                }
                return parsed
            }
            switch key {
            case "id": rule.id = value
            case "verb": rule.verb = value
            case "resource": rule.resource = value
            case "message": rule.message = value
            case "userAgent": rule.userAgent = value
            case "count": rule.count = number(Int.self)
            case "code": rule.code = number(Int.self)
            case "retryAfterSeconds": rule.retryAfterSeconds = number(Int.self)
            case "fraction": rule.fraction = number(Double.self)
            case "latencyMs": rule.latencyMs = number(Double.self)
            case "durationSeconds": rule.durationSeconds = number(Double.self)
            default: problems.append("\(key): unknown field")
            }
        }
        problems += rule.problems
        guard problems.isEmpty else { throw FaultRequestError(problems: problems) }
        self = rule
    }
}
